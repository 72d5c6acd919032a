"""PortalCaptchaField and macnss.core.captcha_store: the library's rows, one statement to write a captcha and
one to spend it, no purge on each submission (docs/PERFORMANCE.md)."""

from datetime import timedelta

import pytest
from captcha.conf import settings as captcha_settings
from captcha.models import CaptchaStore
from django import forms
from django.conf import settings
from django.utils import timezone

from macnss.core.forms import captcha_field
from macnss.core.tasks import purge_expired_captchas

pytestmark = pytest.mark.django_db


class CaptchaOnlyForm(forms.Form):
    captcha = captcha_field()


@pytest.fixture(autouse=True)
def real_captcha_check(monkeypatch):
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", False)


def new_captcha(expired=False) -> CaptchaStore:
    store = CaptchaStore.objects.create(challenge="ABCDE", response="abcde")
    if expired:
        CaptchaStore.objects.filter(pk=store.pk).update(expiration=timezone.now() - timedelta(minutes=1))
    return store


def submit(store, answer) -> CaptchaOnlyForm:
    form = CaptchaOnlyForm({"captcha_0": store.hashkey, "captcha_1": answer})
    form.is_valid()
    return form


def test_the_right_answer_passes_once():
    store = new_captcha()
    assert submit(store, " AbCdE ").is_valid()
    assert not submit(store, "abcde").is_valid()  # deleted at its first use


def test_a_wrong_answer_burns_the_captcha():
    store = new_captcha()
    form = submit(store, "zzzzz")
    assert form.errors["captcha"] == [
        "Le code de vérification ne correspond pas à l'image. Recopiez les nouveaux caractères."
    ]
    assert not CaptchaStore.objects.filter(pk=store.pk).exists()
    assert not submit(store, "abcde").is_valid()


def test_an_expired_or_unknown_captcha_is_refused():
    assert not submit(new_captcha(expired=True), "abcde").is_valid()
    assert not CaptchaOnlyForm({"captcha_0": "0" * 40, "captcha_1": "abcde"}).is_valid()
    assert CaptchaOnlyForm({"captcha_0": "", "captcha_1": ""}).errors["captcha"] == [
        "Recopiez le code de vérification affiché dans l'image."
    ]


def test_a_submission_does_not_purge_and_the_beat_task_does(django_assert_num_queries):
    stale, live, used = new_captcha(expired=True), new_captcha(), new_captcha()
    with django_assert_num_queries(1):  # the captcha used is spent (DELETE … RETURNING), nothing else
        assert submit(used, "abcde").is_valid()
    assert CaptchaStore.objects.filter(pk=stale.pk).exists()
    assert purge_expired_captchas() == 1
    assert list(CaptchaStore.objects.values_list("pk", flat=True)) == [live.pk]
    assert settings.CELERY_BEAT_SCHEDULE["purge-expired-captchas"]["task"] == "macnss.core.tasks.purge_expired_captchas"


def test_a_captcha_is_spent_once_even_by_two_racing_submissions():
    from macnss.core import captcha_store

    store = new_captcha()
    assert captcha_store.take(store.hashkey) == "abcde"
    assert captcha_store.take(store.hashkey) is None
    assert captcha_store.take("") is None


def test_the_widget_writes_a_captcha_that_the_librarys_image_view_draws(client, django_assert_num_queries):
    import re

    with django_assert_num_queries(1):  # the INSERT
        html = str(CaptchaOnlyForm()["captcha"])
    key = re.search(r'name="captcha_0" value="([0-9a-f]{40})"', html).group(1)
    store = CaptchaStore.objects.get(hashkey=key)
    assert store.response == store.challenge.lower() and len(store.challenge) == settings.CAPTCHA_LENGTH
    assert store.expiration > timezone.now() + timedelta(minutes=9)
    response = client.get(f"/captcha/image/{key}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert submit(store, store.challenge).is_valid()


@pytest.mark.postgres
def test_the_captcha_table_skips_the_write_ahead_log_on_postgresql():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("UNLOGGED tables are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = 'captcha_captchastore'")
        assert cursor.fetchone()[0] == "u"
