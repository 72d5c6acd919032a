import re
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django_fsm import TransitionNotAllowed

from macnss.core.models import OutboundSms, StatusChange
from taawidaty import services
from taawidaty.models import ClaimDocument, ClaimStatus, PhysicalControlRule, RefundClaim
from tests.factories import InsuredPersonFactory, UserFactory

from .conftest import tiny_png, years_ago
from .helpers import accepted, draft_with_documents, submitted_claim

pytestmark = pytest.mark.django_db


def test_save_draft_refuses_an_ineligible_person(lists):
    person = InsuredPersonFactory(birth_date=years_ago(50))
    with pytest.raises(services.ClaimNotAllowed) as info:
        services.save_draft(person=person, mining=False, cessation_date=years_ago(1))
    assert "60 ans" in info.value.reasons[0]
    assert not RefundClaim.objects.exists()


def test_save_draft_twice_keeps_one_draft(lists, eligible_person):
    first = services.save_draft(person=eligible_person, mining=False, cessation_date=years_ago(1))
    second = services.save_draft(person=eligible_person, mining=False, cessation_date=years_ago(2))
    assert first.pk == second.pk
    assert RefundClaim.objects.get().cessation_date == years_ago(2)


def test_stored_name_is_random_and_not_the_users(lists, eligible_person, settings):
    claim = services.save_draft(person=eligible_person, mining=False, cessation_date=years_ago(1))
    doc = lists.filter(for_ordinary=True).first()
    [saved] = services.attach_documents(claim=claim, uploads={doc: accepted("../../etc/Mon CIN.pdf")})
    assert saved.original_name == "../../etc/Mon CIN.pdf"  # display only
    assert re.fullmatch(r"taawidaty/pieces/[A-Za-z0-9_-]{32}\.pdf", saved.file.name)
    assert "CIN" not in saved.file.name
    assert saved.file.storage.exists(saved.file.name)
    assert saved.antivirus_verdict == "clean"


def test_replacing_a_document_deletes_the_old_file(
    lists, eligible_person, settings, django_capture_on_commit_callbacks
):
    claim = services.save_draft(person=eligible_person, mining=False, cessation_date=years_ago(1))
    doc = lists.filter(for_ordinary=True).first()
    with django_capture_on_commit_callbacks(execute=True):
        [first] = services.attach_documents(claim=claim, uploads={doc: accepted("a.pdf")})
    storage, old = first.file.storage, first.file.name
    with django_capture_on_commit_callbacks(execute=True):
        [second] = services.attach_documents(claim=claim, uploads={doc: accepted("b.png", tiny_png())})
    assert ClaimDocument.objects.filter(claim=claim).count() == 1
    assert second.content_type == "image/png"
    assert not storage.exists(old)
    assert storage.exists(second.file.name)


def test_submit_refuses_missing_documents(lists, eligible_person):
    claim = services.save_draft(person=eligible_person, mining=False, cessation_date=years_ago(1))
    with pytest.raises(services.ClaimNotAllowed) as info:
        services.submit_claim(claim=claim)
    assert len(info.value.reasons) == lists.filter(for_ordinary=True).count()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DRAFT and claim.reference is None


def test_submit_gives_a_reference_logs_and_sends_sms(lists, eligible_person):
    claim = submitted_claim(eligible_person)
    assert re.fullmatch(r"RCS-\d{4}-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{8}", claim.reference)
    assert claim.status == ClaimStatus.SUBMITTED and claim.submitted_at
    assert claim.declared_days == 900
    assert not claim.physical_control
    change = StatusChange.objects.get(content_type=ContentType.objects.get_for_model(RefundClaim))
    assert (change.from_status, change.to_status) == ("brouillon", "deposee")
    sms = OutboundSms.objects.get(to=eligible_person.phone)
    assert claim.reference in sms.body and "déposée" in sms.body


def test_submit_twice_changes_nothing(lists, eligible_person):
    claim = submitted_claim(eligible_person)
    again = services.submit_claim(claim=claim)
    assert again.reference == claim.reference
    assert OutboundSms.objects.count() == 1


def test_a_second_claim_is_refused_while_one_is_open(lists, eligible_person):
    submitted_claim(eligible_person)
    with pytest.raises(services.ClaimNotAllowed):
        services.save_draft(person=eligible_person, mining=False, cessation_date=years_ago(1))


def test_reference_collision_draws_again(lists, eligible_person, monkeypatch):
    first = submitted_claim(eligible_person)
    other = InsuredPersonFactory(birth_date=years_ago(62), declared_days=100)
    draws = iter([first.reference, "RCS-2026-ZZZZZZZZ"])
    monkeypatch.setattr(services, "new_reference", lambda year: next(draws))
    second = submitted_claim(other)
    assert second.reference == "RCS-2026-ZZZZZZZZ"


def test_references_are_unique_in_the_database(lists, eligible_person):
    from django.db import IntegrityError

    claim = submitted_claim(eligible_person)
    other = draft_with_documents(InsuredPersonFactory(birth_date=years_ago(62), declared_days=100))
    other.reference = claim.reference
    with pytest.raises(IntegrityError):
        other.save()


def test_mining_claim_is_always_controlled_by_rule(lists, miner):
    PhysicalControlRule.objects.create(name="mines", always_for_mining=True, rate_percent=0)
    claim = submitted_claim(miner, mining=True)
    assert claim.physical_control
    assert claim.documents.count() == lists.filter(for_mining=True).count()
    sms = OutboundSms.objects.get(to=miner.phone)
    assert "contrôle physique" in sms.body and "agence" in sms.body


def test_rate_100_selects_and_rate_0_does_not(lists, eligible_person):
    rule = PhysicalControlRule.objects.create(name="tous", rate_percent=100)
    assert submitted_claim(eligible_person).physical_control
    rule.rate_percent = 0
    rule.save()
    other = InsuredPersonFactory(birth_date=years_ago(62), declared_days=100)
    assert not submitted_claim(other).physical_control


def test_min_declared_days_criterion(lists, eligible_person):
    PhysicalControlRule.objects.create(name="jours", min_declared_days=900)
    assert submitted_claim(eligible_person).physical_control


def test_status_sms_in_the_language_of_the_pages_the_claim_was_filed_on(lists):
    """Issue 18 §5: a message about a request speaks the language of the pages on which it was made."""
    from django.utils import translation

    person = InsuredPersonFactory(birth_date=years_ago(61), declared_days=10, preferred_language="fr")
    with translation.override("ar"):
        claim = submitted_claim(person)
    assert claim.language == "ar"
    sms = OutboundSms.objects.get(to=person.phone)
    assert sms.language == "ar"
    assert claim.reference in sms.body
    assert "déposée" not in sms.body
    # the agent's later decision, made from the French admin, still speaks Arabic
    agent = UserFactory(insured=None, username="agent-ar", is_staff=True)
    services.change_status(claim=claim, transition="start_review", by=agent)
    assert OutboundSms.objects.filter(to=person.phone).latest("pk").language == "ar"


def test_a_french_claim_is_told_in_french_whatever_the_preference(lists):
    person = InsuredPersonFactory(birth_date=years_ago(61), declared_days=10, preferred_language="ar")
    claim = submitted_claim(person)
    assert claim.language == "fr"
    assert "déposée" in OutboundSms.objects.get(to=person.phone).body


def test_agent_transitions_are_logged_and_told(lists, eligible_person):
    agent = UserFactory(insured=None, username="agent1", is_staff=True)
    claim = submitted_claim(eligible_person)
    claim = services.change_status(claim=claim, transition="start_review", by=agent)
    claim = services.change_status(claim=claim, transition="accept", by=agent, amount=Decimal("1234.5"))
    claim = services.change_status(claim=claim, transition="mark_paid", by=agent)
    assert claim.status == ClaimStatus.PAID and claim.paid_at
    changes = StatusChange.objects.filter(changed_by=agent).order_by("changed_at", "pk")
    assert [c.to_status for c in changes] == ["en_instruction", "acceptee", "payee"]
    bodies = list(OutboundSms.objects.order_by("pk").values_list("body", flat=True))
    assert len(bodies) == 4
    assert "1234.50 DH" in bodies[2]


def test_reject_keeps_the_reason_and_allows_a_new_claim(lists, eligible_person):
    claim = submitted_claim(eligible_person)
    services.change_status(claim=claim, transition="reject", by=None, reason="Pièce illisible")
    assert "Pièce illisible" in OutboundSms.objects.order_by("-pk").first().body
    assert services.save_draft(person=eligible_person, mining=False, cessation_date=years_ago(1)).is_draft


def test_paid_claim_blocks_any_new_claim(lists, eligible_person):
    claim = submitted_claim(eligible_person)
    for step, kwargs in (("start_review", {}), ("accept", {"amount": Decimal(10)}), ("mark_paid", {})):
        claim = services.change_status(claim=claim, transition=step, by=None, **kwargs)
    with pytest.raises(services.ClaimNotAllowed) as info:
        services.save_draft(person=eligible_person, mining=False, cessation_date=years_ago(1))
    assert "définitif" in info.value.reasons[0]


def test_controlled_claim_cannot_be_accepted_before_the_control(lists, eligible_person):
    PhysicalControlRule.objects.create(name="tous", rate_percent=100)
    claim = submitted_claim(eligible_person)
    claim = services.change_status(claim=claim, transition="start_review", by=None)
    with pytest.raises(TransitionNotAllowed):
        services.change_status(claim=claim, transition="accept", by=None, amount=Decimal(1))
    claim = services.change_status(claim=claim, transition="record_physical_control", by=None)
    claim = services.change_status(claim=claim, transition="accept", by=None, amount=Decimal(1))
    assert claim.status == ClaimStatus.ACCEPTED


def test_uncontrolled_claim_has_no_control_step(lists, eligible_person):
    claim = submitted_claim(eligible_person)
    with pytest.raises(TransitionNotAllowed):
        services.change_status(claim=claim, transition="record_physical_control", by=None)


def test_changing_mining_drops_documents_no_longer_asked(lists, miner):
    claim = draft_with_documents(miner, mining=True)
    assert claim.documents.count() == 5
    services.save_draft(person=miner, mining=False, cessation_date=years_ago(1), claim=claim)
    assert claim.documents.count() == 4
