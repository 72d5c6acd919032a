"""Sign-ins, «Déconnecter les autres appareils» and the absolute session lifetime."""

import time

import pytest
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.middleware import SESSION_STARTED_KEY
from accounts.models import SignIn
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _signed_in_client(user, agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0"):
    client = Client(HTTP_USER_AGENT=agent)
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_each_sign_in_is_recorded_with_its_session(insured_user):
    client = _signed_in_client(insured_user)
    sign_in = SignIn.objects.get(user=insured_user)
    assert sign_in.session_key == client.session.session_key
    assert sign_in.ip_address == "127.0.0.1" and "Firefox" in sign_in.user_agent


def test_end_other_sessions_signs_out_the_other_devices_only(insured_user):
    phone, laptop = _signed_in_client(insured_user), _signed_in_client(insured_user)
    ended = services.end_other_sessions(insured_user, keep_session_key=laptop.session.session_key)
    assert ended == 1
    assert phone.get(reverse("accounts:dashboard")).status_code == 302  # back to the login page
    assert laptop.get(reverse("accounts:dashboard")).status_code == 200
    assert SignIn.objects.filter(user=insured_user, ended_at__isnull=False).count() == 1


def test_logout_ends_the_recorded_session(insured_user):
    client = _signed_in_client(insured_user)
    client.post(reverse("accounts:logout"))
    sign_in = SignIn.objects.get(user=insured_user)
    assert sign_in.session_key == "" and sign_in.ended_at is not None


def test_a_session_ends_twelve_hours_after_sign_in_even_when_active(insured_user):
    client = _signed_in_client(insured_user)
    assert client.get(reverse("accounts:dashboard")).status_code == 200
    session = client.session
    session[SESSION_STARTED_KEY] = int(time.time()) - 12 * 3600 - 5
    session.save()
    response = client.get(reverse("accounts:dashboard"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_purge_forgets_old_sign_ins_and_failures(insured_user):
    from datetime import timedelta

    from django.utils import timezone

    from accounts import tasks
    from accounts.models import LoginFailure

    _signed_in_client(insured_user)
    old = SignIn.objects.create(user=insured_user, session_key="x" * 32)
    SignIn.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=13))
    ancient = SignIn.objects.create(user=insured_user)
    SignIn.objects.filter(pk=ancient.pk).update(created_at=timezone.now() - timedelta(days=91))
    LoginFailure.objects.create(subject="user:1", created_at=timezone.now() - timedelta(days=2))
    recent_failure = LoginFailure.objects.create(subject="user:1")
    tasks.purge_login_failures()
    old.refresh_from_db()
    assert old.session_key == "" and old.ended_at is not None
    assert not SignIn.objects.filter(pk=ancient.pk).exists()
    assert SignIn.objects.filter(user=insured_user).count() == 2
    assert list(LoginFailure.objects.all()) == [recent_failure]
