"""PortalCaptchaField: the library's check, without a purge on each submission (docs/PERFORMANCE.md)."""

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
    with django_assert_num_queries(2):  # the lookup and the deletion of the captcha used, nothing else
        assert submit(used, "abcde").is_valid()
    assert CaptchaStore.objects.filter(pk=stale.pk).exists()
    assert purge_expired_captchas() == 1
    assert list(CaptchaStore.objects.values_list("pk", flat=True)) == [live.pk]
    assert settings.CELERY_BEAT_SCHEDULE["purge-expired-captchas"]["task"] == "macnss.core.tasks.purge_expired_captchas"
