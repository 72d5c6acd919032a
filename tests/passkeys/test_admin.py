"""Agents see a person's passkeys; a supervisor revokes one (a lost phone) with the same effects as the
person would: sessions ended, SMS to the phone on file, and a line in the admin log."""

import html

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.test import Client
from django.urls import reverse

from accounts.demo import seed_agents
from accounts.models import User
from macnss.core.models import OutboundSms
from passkeys.models import Passkey
from tests.factories import PASSWORD
from tests.passkeys.helpers import add_passkey

pytestmark = pytest.mark.django_db


@pytest.fixture
def passkey(logged_in_client, authenticator):
    add_passkey(logged_in_client, authenticator)
    return Passkey.objects.get()


def _staff(username):
    seed_agents()
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_an_agent_sees_the_passkeys_but_cannot_add_change_or_revoke(passkey):
    agent = _staff("agent")
    page = agent.get("/admin/passkeys/passkey/", {"q": passkey.user.username}).content.decode()
    assert html.unescape(page).count(passkey.name) >= 1 and "revoke" not in page
    # A passkey is personal data outside the agent's queues: he gives a reason first (the access journal).
    asked = agent.get(f"/admin/passkeys/passkey/{passkey.pk}/change/")
    assert asked.status_code == 302 and asked["Location"].startswith("/admin/motif/")
    agent.post(asked["Location"], {"reason": "autre", "details": "téléphone perdu signalé en agence"})
    assert agent.get(f"/admin/passkeys/passkey/{passkey.pk}/change/").status_code == 200
    assert agent.get("/admin/passkeys/passkey/add/").status_code == 403
    assert agent.get(f"/admin/passkeys/passkey/{passkey.pk}/delete/").status_code == 403
    assert "public_key" not in agent.get(f"/admin/passkeys/passkey/{passkey.pk}/change/").content.decode()


def test_a_supervisor_revokes_a_lost_phones_passkey(passkey, insured_user):
    phone = Client()
    phone.post(reverse("accounts:login"), {"username": insured_user.username, "password": PASSWORD})
    supervisor = _staff("superviseur")
    response = supervisor.post("/admin/passkeys/passkey/", {"action": "revoke", "_selected_action": [passkey.pk]})
    assert response.status_code == 302
    assert not Passkey.objects.exists()
    assert phone.get(reverse("accounts:dashboard")).status_code == 302
    assert OutboundSms.objects.filter(purpose="passkey_change", body__contains="supprimée").count() == 1
    assert LogEntry.objects.filter(action_flag=DELETION, object_id=str(passkey.pk)).exists()
