"""Demo data lets a newcomer walk each outcome; the private space shows the registration."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import InsuredPerson, OneTimeCode, User
from macnss.core import portal
from tests.factories import InsuredPersonFactory, UserFactory
from tns_enrollment import demo, selectors, services
from tns_enrollment.models import LiaisonListEntry, OnboardingAttempt, Outcome, ProximityPoint

pytestmark = pytest.mark.django_db


def _note_facts(note: str):
    doc = note.split(",")[0].split()[1]
    birth = datetime.strptime(note.split("né le ")[1][:10], "%d/%m/%Y").date()  # noqa: DTZ007
    expiry = datetime.strptime(note.split("expiration ")[1][:10], "%d/%m/%Y").date()  # noqa: DTZ007
    return doc, birth, expiry


def test_demo_is_idempotent_and_covers_every_outcome():
    accounts = demo.seed()
    demo.seed()
    assert ProximityPoint.objects.filter(city__in=["Casablanca", "Rabat", "Marrakech", "Fès", "Tanger"]).count() >= 5
    outcomes = []
    for account in accounts:
        doc, birth, expiry = _note_facts(account.note)
        match = selectors.match_identity(document_type="cnie", document_number=doc, expiry=expiry, birth_date=birth)
        outcomes.append(match.outcome)
    assert outcomes == [
        Outcome.HAS_ACCOUNT,
        Outcome.NO_ACCOUNT,
        Outcome.NO_ACCOUNT,
        Outcome.NO_ACCOUNT,
        Outcome.NOT_REGISTERED,
        Outcome.NOT_ELIGIBLE,
        Outcome.NOT_ELIGIBLE,
    ]


def test_demo_reseed_lets_outcome_b_be_walked_again():
    accounts = demo.seed()
    for account in accounts[1:4]:
        doc, birth, expiry = _note_facts(account.note)
        started = services.start_onboarding(
            document_type="cnie",
            document_number=doc,
            expiry=expiry,
            birth_date=birth,
            phone="+212612345678",
            operator="inwi",
            email="",
            ip_address=None,
            language="fr",
        )
        OneTimeCode.objects.filter(pk=started.otp_id).update(consumed_at=timezone.now())
        services.confirm_code(attempt_id=started.attempt.pk, code_id=started.otp_id)
        services.complete_onboarding(attempt_id=started.attempt.pk, password="une phrase de passe bien longue")
    assert User.objects.filter(insured__id_document_number__in=["BH400002", "BH400003", "BH400006"]).count() == 3
    demo.seed()
    assert not User.objects.filter(insured__id_document_number__in=["BH400002", "BH400003", "BH400006"]).exists()
    for listed in ("BH400003", "BH400006"):
        assert LiaisonListEntry.objects.get(id_document_number=listed).insured is None
        assert not InsuredPerson.objects.filter(id_document_number=listed).exists()


def _completed_attempt(person):
    return OnboardingAttempt.objects.create(
        id_document_type="cnie",
        id_document_number=person.id_document_number,
        id_document_expiry=person.id_document_expiry,
        birth_date=person.birth_date,
        phone=person.phone,
        phone_operator="inwi",
        outcome=Outcome.NO_ACCOUNT,
        insured=person,
        otp_confirmed_at="2026-01-05T10:00:00Z",
        account_created_at="2026-01-05T10:00:00Z",
    )


def test_my_requests_lists_the_online_registration_in_one_query(django_assert_num_queries):
    from tns_enrollment.portal import registration_requests

    person = InsuredPersonFactory(regime="tns")
    _completed_attempt(person)
    other = InsuredPersonFactory()
    _completed_attempt(other)
    with django_assert_num_queries(1):
        items = registration_requests(person)
    assert [(i.reference, i.status_label) for i in items] == [(person.immatriculation_number, "Compte créé")]
    assert registration_requests(InsuredPersonFactory()) == []


def test_proximity_tile_for_tns_only(client):
    tns = InsuredPersonFactory(regime="tns")
    employee = InsuredPersonFactory()
    assert "tns_proximity_points" in [s.key for s in portal.services_for(tns)]
    assert "tns_proximity_points" not in [s.key for s in portal.services_for(employee)]
    client.force_login(UserFactory(insured=employee))
    html = client.get(reverse("accounts:my_requests")).content.decode()
    assert "Immatriculation TNS en ligne" not in html
