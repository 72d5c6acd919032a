"""The agents' back office: searchable lists, Arabic right-to-left, TOTP in production, audit trail."""

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.test import override_settings

from accounts.demo import seed_agents
from accounts.models import User
from macnss.core.services import queue_sms
from tests.factories import InsuredPersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(client):
    seed_agents()
    client.force_login(User.objects.get(username="agent"))
    return client


@pytest.mark.parametrize("term_attr", ["immatriculation_number", "id_document_number", "phone"])
def test_agents_find_an_insured_by_number_id_or_phone(agent_client, term_attr):
    person = InsuredPersonFactory(last_name="TAZI")
    InsuredPersonFactory(last_name="OTHER")
    page = agent_client.get("/admin/accounts/insuredperson/", {"q": getattr(person, term_attr)}).content.decode()
    assert "TAZI" in page
    assert "OTHER" not in page


def test_admin_in_arabic_is_right_to_left(agent_client):
    page = agent_client.get("/ar/admin/").content.decode()
    assert "مهامي" in page or "ملفاتي" in page  # the work list, in Arabic
    assert 'dir="rtl"' in page
    assert "Ma CNSS — فضاء الأعوان" in page


def open_with_reason(client, url):
    """A person outside the agent's queues opens after a reason (backoffice.audit)."""
    response = client.get(url)
    assert response.status_code == 302 and "/admin/motif/" in response["Location"]
    client.post(response["Location"], {"reason": "appel"})
    return client.get(url)


def test_agents_can_view_but_not_delete_insured_persons(agent_client):
    person = InsuredPersonFactory()
    assert open_with_reason(agent_client, f"/admin/accounts/insuredperson/{person.pk}/change/").status_code == 200
    assert agent_client.get(f"/admin/accounts/insuredperson/{person.pk}/delete/").status_code == 403


def test_agents_changes_are_logged(agent_client):
    person = InsuredPersonFactory()
    url = f"/admin/accounts/insuredperson/{person.pk}/change/"
    response = open_with_reason(agent_client, url)
    form = response.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "address": "Nouvelle adresse, Agadir",
            "birth_date": person.birth_date.strftime("%d/%m/%Y"),
            "id_document_expiry": person.id_document_expiry.strftime("%d/%m/%Y"),
            "bank_details-TOTAL_FORMS": "0",
            "bank_details-INITIAL_FORMS": "0",
        }
    )
    data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items()}
    response = agent_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    entry = LogEntry.objects.get(object_id=str(person.pk))
    assert entry.user.username == "agent"


def test_failed_messages_are_visible_to_agents(agent_client):
    from macnss.core.models import OutboundSms, OutboxStatus

    queue_sms(to="+212600000001", body="en attente", purpose="t")
    OutboundSms.objects.create(
        to="+212612345678", body="x", purpose="t", status=OutboxStatus.FAILED, last_error="21211 invalid"
    )
    page = agent_client.get("/admin/core/outboundsms/", {"status__exact": "failed"}).content.decode()
    assert "06 ** ** ** 78" in page and "+212612345678" not in page  # masked in lists
    assert "21211 invalid" in page
    assert "+212600000001" not in page


def test_otp_codes_are_never_shown_to_agents(agent_client):
    from accounts.otp import issue_code

    row = issue_code(purpose="test", phone="+212612345678")
    page = agent_client.get(f"/admin/accounts/onetimecode/{row.pk}/change/").content.decode()
    assert row.code_hash not in page


def test_production_admin_requires_a_totp_device():
    from django_otp.admin import OTPAdminSite

    from macnss.admin_site import configure_admin

    original = admin.site.__class__, admin.site.login_form, admin.site.login_template
    try:
        with override_settings(ADMIN_REQUIRE_OTP=True):
            configure_admin()
        assert isinstance(admin.site, OTPAdminSite)
        assert "otp_token" in admin.site.login_form.base_fields
    finally:
        # All of it: a login form left asking for a TOTP code broke the next tests' admin logins.
        admin.site.__class__, admin.site.login_form, admin.site.login_template = original


@pytest.mark.parametrize("typed", ["0661000042", "+212 661 000042", "06 61 00 00 42"])
def test_agents_find_an_insured_by_phone_as_they_type_it(agent_client, typed):
    InsuredPersonFactory(last_name="TAZI", phone="+212661000042")
    InsuredPersonFactory(last_name="OTHER")
    page = agent_client.get("/admin/accounts/insuredperson/", {"q": typed}).content.decode()
    assert "TAZI" in page
    assert "OTHER" not in page


def test_agents_find_by_lowercase_cin_and_by_name_start(agent_client):
    InsuredPersonFactory(last_name="TAZI", id_document_number="BK778899")
    InsuredPersonFactory(last_name="OTHER")
    assert "TAZI" in agent_client.get("/admin/accounts/insuredperson/", {"q": "bk 778899"}).content.decode()
    page = agent_client.get("/admin/accounts/insuredperson/", {"q": "taz"}).content.decode()
    assert "TAZI" in page
    assert "OTHER" not in page
