from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from accounts.demo import birth_date_for_age
from family import rules, selectors, services
from family.models import CoverageReminder, CoverageRule, FamilyMember, MemberDocument, MemberStatus
from macnss.core.models import OutboundSms, StatusChange
from tests.factories import InsuredPersonFactory, UserFactory

from .conftest import accepted, child, pdf_bytes, spouse

pytestmark = pytest.mark.django_db


def declare(person, answers, language="fr", **uploads):
    decision = services.check_declarable(person=person, answers=answers)
    files = {kind: uploads.get(kind) or accepted() for kind in decision.documents}
    return services.declare(person=person, answers=answers, uploads=files, language=language)


def test_declaring_a_child_files_it_with_its_document_logs_and_sends_an_sms(parent):
    member = declare(parent, child(age=8))
    assert member.status == MemberStatus.SUBMITTED
    assert member.reference.startswith(f"AYD-{timezone.localdate().year}-")
    assert list(member.documents.values_list("kind", flat=True)) == [rules.BIRTH_CERTIFICATE]
    change = StatusChange.objects.get(content_type=ContentType.objects.get_for_model(FamilyMember))
    assert (change.from_status, change.to_status) == ("nouvelle", "deposee")
    sms = OutboundSms.objects.get(to=parent.phone)
    assert member.reference in sms.body and sms.purpose == "family_deposee"


def test_a_child_over_the_limit_without_proof_is_refused_before_anything_is_filed(parent):
    with pytest.raises(services.DeclarationRefused) as refused:
        services.check_declarable(person=parent, answers=child(age=22))
    assert "études" in refused.value.reasons[0]
    with pytest.raises(services.DeclarationRefused):
        services.declare(person=parent, answers=child(age=22), uploads={}, language="fr")
    assert not FamilyMember.objects.exists() and not MemberDocument.objects.exists()


def test_a_student_needs_his_school_certificate(parent):
    answers = child(age=23, studying=True)
    with pytest.raises(services.DeclarationRefused) as refused:
        services.declare(person=parent, answers=answers, uploads={rules.BIRTH_CERTIFICATE: accepted()}, language="fr")
    assert "Certificat de scolarité" in refused.value.reasons[0]
    member = declare(parent, answers)
    assert member.coverage_ends_on == rules.add_years(answers.birth_date, 26)


def test_the_limits_come_from_the_agents_rule(parent):
    CoverageRule.objects.all().delete()
    CoverageRule.objects.create(valid_from=timezone.localdate() - timedelta(days=1), child_age_limit=25)
    member = declare(parent, child(age=23))
    assert member.coverage_ends_on == rules.add_years(member.birth_date, 25)


def test_a_child_declared_by_both_insured_parents_is_refused_for_the_second(parent):
    declare(parent, child(age=5, first_name="Adam"))
    other_parent = InsuredPersonFactory()
    with pytest.raises(services.DeclarationRefused) as refused:
        # spelled with an accent and lower case: still the same child
        services.check_declarable(person=other_parent, answers=child(age=5, first_name="ádam "))
    assert "un seul assuré" in refused.value.reasons[0]


def test_the_same_insured_cannot_declare_the_same_child_twice(parent):
    member = declare(parent, child(age=5))
    with pytest.raises(services.DeclarationRefused) as refused:
        services.check_declarable(person=parent, answers=child(age=5))
    assert member.reference in refused.value.reasons[0]


def test_a_rejected_declaration_can_be_made_again(parent):
    agent = UserFactory(insured=None, username="agent", is_staff=True)
    member = declare(parent, child(age=5))
    services.change_status(member=member, transition="reject", by=agent, reason="Pièce illisible")
    assert declare(parent, child(age=5)).status == MemberStatus.SUBMITTED


def test_the_database_refuses_a_second_live_declaration_of_the_same_person(parent):
    from django.db import IntegrityError, transaction

    member = declare(parent, child(age=5))
    clone = FamilyMember(
        insured=InsuredPersonFactory(),
        reference="AYD-2026-XXXXXXXX",
        relationship=rules.CHILD,
        last_name="X",
        first_name="Y",
        birth_date=member.birth_date,
        sex="F",
        identity_key=member.identity_key,
        status=MemberStatus.SUBMITTED,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()


def test_a_spouse_who_is_insured_himself_is_refused(parent):
    InsuredPersonFactory(id_document_number="BK777777")
    with pytest.raises(services.DeclarationRefused) as refused:
        services.check_declarable(person=parent, answers=spouse(cin="BK777777"))
    assert "assuré(e) à la CNSS" in refused.value.reasons[0]


def test_the_insured_cannot_declare_himself_as_spouse(parent):
    with pytest.raises(services.DeclarationRefused):
        services.check_declarable(person=parent, answers=spouse(cin=parent.id_document_number))


def test_a_spouse_declared_by_another_insured_is_refused(parent):
    declare(parent, spouse(cin="BK123456"))
    with pytest.raises(services.DeclarationRefused):
        services.check_declarable(person=InsuredPersonFactory(), answers=spouse(cin="BK123456", first_name="Autre"))


def test_each_spouse_needs_his_own_marriage_certificate(parent):
    certificate = pdf_bytes("white")
    declare(parent, spouse(cin="BK100001"), acte_mariage=accepted(certificate))
    with pytest.raises(services.DeclarationRefused) as refused:
        declare(parent, spouse(cin="BK100002", first_name="Nora"), acte_mariage=accepted(certificate))
    assert "propre acte de mariage" in refused.value.reasons[0]
    second = declare(parent, spouse(cin="BK100002", first_name="Nora"), acte_mariage=accepted(pdf_bytes("black")))
    assert second.documents.get().kind == rules.MARRIAGE_CERTIFICATE


def test_transitions_are_explicit_logged_and_notified_in_the_declarations_language(parent):
    parent.preferred_language = "fr"
    parent.save()
    agent = UserFactory(insured=None, username="agent", is_staff=True)
    member = declare(parent, child(age=5), language="ar")
    with pytest.raises(TransitionNotAllowed):
        services.change_status(member=member, transition="validate", by=agent)
    member = services.change_status(member=member, transition="start_review", by=agent)
    member = services.change_status(member=member, transition="validate", by=agent)
    assert member.status == MemberStatus.VALIDATED and member.decided_at
    with pytest.raises(TransitionNotAllowed):
        services.change_status(member=member, transition="reject", by=agent, reason="trop tard")
    changes = StatusChange.objects.filter(object_id=str(member.pk)).order_by("pk")
    assert [(c.to_status, c.changed_by_id) for c in changes] == [
        ("deposee", None),
        ("en_instruction", agent.pk),
        ("validee", agent.pk),
    ]
    bodies = list(OutboundSms.objects.filter(to=parent.phone).order_by("pk"))
    assert [sms.language for sms in bodies] == ["ar", "ar", "ar"]
    assert "تم قبول" in bodies[-1].body  # written in Arabic, the pages' language
    with pytest.raises(ValueError, match="submit"):
        services.change_status(member=member, transition="submit", by=agent)


def test_rejection_carries_the_reason_to_the_sms(parent):
    agent = UserFactory(insured=None, username="agent", is_staff=True)
    member = declare(parent, child(age=5))
    services.change_status(member=member, transition="reject", by=agent, reason="Acte illisible")
    assert "Acte illisible" in OutboundSms.objects.filter(to=parent.phone).latest("pk").body


def _validated_child(parent, *, days_to_21):
    birth = rules.add_years(timezone.localdate() + timedelta(days=days_to_21), -21)
    answers = child(birth_date=birth)
    agent = UserFactory(insured=None, username=f"agent{days_to_21}", is_staff=True)
    member = declare(parent, answers)
    services.change_status(member=member, transition="start_review", by=agent)
    return services.change_status(member=member, transition="validate", by=agent)


def test_one_reminder_per_child_per_threshold_a_month_before(parent):
    near = _validated_child(parent, days_to_21=20)
    far = _validated_child(InsuredPersonFactory(), days_to_21=45)
    OutboundSms.objects.all().delete()
    assert services.send_age_limit_reminders() == 1
    assert services.send_age_limit_reminders() == 0  # idempotent
    sms = OutboundSms.objects.get()
    assert sms.to == parent.phone and "certificat de scolarité" in sms.body and "21 ans" in sms.body
    assert "ne sera plus couverte" in sms.body and "Si elle poursuit" in sms.body  # a daughter
    assert CoverageReminder.objects.get().member == near
    # 15 days later the other child enters the window: his own SMS, still one for the first
    assert services.send_age_limit_reminders(today=timezone.localdate() + timedelta(days=15)) == 1
    assert CoverageReminder.objects.filter(member=far).count() == 1


def test_school_certificate_moves_the_limit_and_the_next_threshold_has_its_own_reminder(parent):
    member = _validated_child(parent, days_to_21=10)
    services.send_age_limit_reminders()
    services.add_school_certificate(member=member, upload=accepted())
    member.refresh_from_db()
    assert member.studying and member.coverage_ends_on == rules.add_years(member.birth_date, 26)
    later = member.coverage_ends_on - timedelta(days=5)
    assert services.send_age_limit_reminders(today=later) == 1
    assert sorted(CoverageReminder.objects.values_list("threshold_age", flat=True)) == [21, 26]


def test_children_reaching_the_limit_are_flagged(parent):
    member = _validated_child(parent, days_to_21=10)
    assert not selectors.children_reaching_limit().exists()
    assert list(selectors.children_reaching_limit(within_days=10)) == [member]
    assert list(selectors.children_reaching_limit(today=timezone.localdate() + timedelta(days=11))) == [member]


def test_a_child_born_today_is_declarable_and_a_birth_date_tomorrow_is_not(parent):
    assert services.check_declarable(person=parent, answers=child(birth_date=timezone.localdate())).allowed
    with pytest.raises(services.DeclarationRefused):
        services.check_declarable(person=parent, answers=child(birth_date=timezone.localdate() + timedelta(days=1)))


def test_adult_child_disabled_without_limit(parent):
    member = declare(parent, child(age=40, disabled=True))
    assert member.coverage_ends_on is None
    assert set(member.documents.values_list("kind", flat=True)) == {rules.BIRTH_CERTIFICATE, rules.DISABILITY_PROOF}


def test_birth_date_for_age_helper_is_consistent():
    assert rules.age_on(birth_date_for_age(21), timezone.localdate()) == 21


def test_the_reminders_run_daily_from_beat(settings, parent):
    from celery import current_app

    from family.tasks import send_age_limit_reminders

    entry = settings.CELERY_BEAT_SCHEDULE["family-age-limit-reminders"]
    assert entry["task"] == "family.tasks.send_age_limit_reminders"
    assert entry["task"] in current_app.tasks
    _validated_child(parent, days_to_21=3)
    assert send_age_limit_reminders.delay().get() == 1  # eager in tests: the task runs the service
