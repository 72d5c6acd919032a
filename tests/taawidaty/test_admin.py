from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from macnss.core.models import OutboundSms, StatusChange
from taawidaty.models import ClaimStatus, PhysicalControlRule
from tests.factories import InsuredPersonFactory, UserFactory

from .conftest import years_ago
from .helpers import submitted_claim

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:taawidaty_refundclaim_changelist"


@pytest.fixture
def agent_client(client):
    agent = UserFactory(insured=None, username="superviseur", is_staff=True, is_superuser=True)
    client.force_login(agent)
    return client


def test_work_queue_with_filters(agent_client, lists, eligible_person):
    claim = submitted_claim(eligible_person)
    for query in ("", "?status__exact=deposee", "?mining__exact=0", "?physical_control__exact=0", "?anciennete=7"):
        response = agent_client.get(reverse(CHANGELIST) + query)
        assert response.status_code == 200
        assert claim.reference in response.content.decode(), query
    assert claim.reference not in agent_client.get(reverse(CHANGELIST) + "?anciennete=old").content.decode()


def test_change_page_lists_documents_and_history(agent_client, lists, eligible_person):
    claim = submitted_claim(eligible_person)
    html = agent_client.get(reverse("admin:taawidaty_refundclaim_change", args=[claim.pk])).content.decode()
    doc = claim.documents.first()
    assert reverse("admin:taawidaty_refundclaim_document", args=[claim.pk, doc.pk]) in html
    assert "brouillon → deposee" in html


def test_agent_downloads_a_document(agent_client, lists, eligible_person):
    claim = submitted_claim(eligible_person)
    doc = claim.documents.first()
    response = agent_client.get(reverse("admin:taawidaty_refundclaim_document", args=[claim.pk, doc.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_insured_cannot_use_the_admin_download(client, lists, eligible_person, eligible_user):
    claim = submitted_claim(eligible_person)
    doc = claim.documents.first()
    client.force_login(eligible_user)
    response = client.get(reverse("admin:taawidaty_refundclaim_document", args=[claim.pk, doc.pk]))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def _act(client, action, claims, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [c.pk for c in claims], **extra}
    return client.post(reverse(CHANGELIST), data)


def test_actions_walk_the_statuses_and_send_sms(agent_client, lists, eligible_person):
    claim = submitted_claim(eligible_person)
    _act(agent_client, "action_start_review", [claim])
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.IN_REVIEW
    form_page = _act(agent_client, "action_accept", [claim])
    assert form_page.status_code == 200 and "Montant remboursé" in form_page.content.decode()
    _act(agent_client, "action_accept", [claim], apply="1", amount="2500.40", note="")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.ACCEPTED and claim.amount == Decimal("2500.40")
    _act(agent_client, "action_mark_paid", [claim])
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID
    assert StatusChange.objects.filter(changed_by__username="superviseur").count() == 3
    assert OutboundSms.objects.filter(to=eligible_person.phone).count() == 4


def test_reject_needs_a_reason(agent_client, lists, eligible_person):
    claim = submitted_claim(eligible_person)
    response = _act(agent_client, "action_reject", [claim], apply="1", reason="")
    assert "Saisissez le motif du rejet" in response.content.decode()
    _act(agent_client, "action_reject", [claim], apply="1", reason="Attestation illisible")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED and claim.rejection_reason == "Attestation illisible"


def test_impossible_transition_is_reported(agent_client, lists, eligible_person):
    claim = submitted_claim(eligible_person)
    response = _act(agent_client, "action_mark_paid", [claim])
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED


def test_physical_control_action(agent_client, lists, eligible_person):
    PhysicalControlRule.objects.create(name="tous", rate_percent=100)
    claim = submitted_claim(eligible_person)
    _act(agent_client, "action_record_physical_control", [claim])
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CONTROLLED


def test_csv_export(agent_client, lists):
    person = InsuredPersonFactory(birth_date=years_ago(62), declared_days=10, last_name="=HYPERLINK(1)")
    claim = submitted_claim(person)
    response = _act(agent_client, "export_csv", [claim])
    body = response.content.decode()
    assert claim.reference in body
    assert "'=HYPERLINK(1)" in body


def test_rules_and_lists_are_editable(agent_client, lists):
    assert agent_client.get(reverse("admin:taawidaty_requireddocument_changelist")).status_code == 200
    assert agent_client.get(reverse("admin:taawidaty_physicalcontrolrule_changelist")).status_code == 200
