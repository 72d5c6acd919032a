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
    from django.db import connection

    stale, live, used = new_captcha(expired=True), new_captcha(), new_captcha()
    # The captcha used is spent and the next one written (one statement on PostgreSQL), nothing else.
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        assert submit(used, "abcde").is_valid()
    assert CaptchaStore.objects.filter(pk=stale.pk).exists()
    assert purge_expired_captchas() == 1
    remaining = set(CaptchaStore.objects.values_list("pk", flat=True))
    assert live.pk in remaining and stale.pk not in remaining and used.pk not in remaining
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


def test_a_form_shown_again_shows_the_captcha_written_by_the_check(django_assert_num_queries):
    import re

    from django.db import connection

    used = new_captcha()
    form = submit(used, "zzzzz")
    next_key = form.fields["captcha"].widget.next_key
    issued = CaptchaStore.objects.get(hashkey=next_key)
    assert issued.pk != used.pk and issued.expiration > timezone.now() + timedelta(minutes=9)
    with django_assert_num_queries(0):  # no INSERT at display: the check wrote it
        html = str(form["captcha"])
    assert re.search(r'name="captcha_0" value="([0-9a-f]{40})"', html).group(1) == next_key
    assert "zzzzz" not in html  # the answer is never shown again
    # Shown once: the same form displayed again writes a new one.
    with django_assert_num_queries(1):
        assert next_key not in str(form["captcha"])
    assert submit(issued, issued.challenge).is_valid()
    if connection.vendor == "postgresql":
        another = new_captcha()
        with django_assert_num_queries(1):  # spent and the next written: one statement
            assert submit(another, "abcde").is_valid()


class NameAndCaptchaForm(forms.Form):
    name = forms.CharField(max_length=5)
    captcha = captcha_field()


def shown_captcha(html: str) -> tuple[str, str]:
    import re

    key = re.search(r'name="captcha_0" value="([0-9a-f]{40})"', html).group(1)
    answer = re.search(r'<input[^>]*name="captcha_1"[^>]*>', html).group(0)
    typed = re.search(r'value="([^"]*)"', answer)
    return key, typed.group(1) if typed else ""


def displayed_captcha() -> CaptchaStore:
    from macnss.core import captcha_store

    return CaptchaStore.objects.get(hashkey=captcha_store.new_key())


def test_a_form_refused_for_another_answer_keeps_its_captcha_unchecked(django_assert_num_queries):
    store = displayed_captcha()
    form = NameAndCaptchaForm({"name": "far too long", "captcha_0": store.hashkey, "captcha_1": "zzzzz"})
    with django_assert_num_queries(0):  # neither checked nor spent, and nothing new written
        assert not form.is_valid()
        html = str(form["captcha"])
    assert list(form.errors) == ["name"]
    assert shown_captcha(html) == (store.hashkey, "zzzzz")  # the same image, the answer typed
    assert CaptchaStore.objects.filter(pk=store.pk).exists()
    # Corrected, the form is checked: the wrong answer is refused, and only then spent.
    form = NameAndCaptchaForm({"name": "Ali", "captcha_0": store.hashkey, "captcha_1": "zzzzz"})
    assert list(form.errors) == ["captcha"]
    assert not CaptchaStore.objects.filter(pk=store.pk).exists()
    assert shown_captcha(str(form["captcha"]))[0] != store.hashkey


def test_a_kept_captcha_passes_once_the_form_is_corrected():
    store = displayed_captcha()
    refused = NameAndCaptchaForm({"name": "far too long", "captcha_0": store.hashkey, "captcha_1": store.challenge})
    assert not refused.is_valid()
    accepted = NameAndCaptchaForm({"name": "Ali", "captcha_0": store.hashkey, "captcha_1": store.challenge})
    assert accepted.is_valid()
    assert not NameAndCaptchaForm({"name": "Ali", "captcha_0": store.hashkey, "captcha_1": store.challenge}).is_valid()


def test_an_empty_answer_is_flagged_even_when_the_captcha_is_kept():
    store = displayed_captcha()
    form = NameAndCaptchaForm({"name": "far too long", "captcha_0": store.hashkey, "captcha_1": " "})
    assert form.errors["captcha"] == ["Recopiez le code de vérification affiché dans l'image."]
    assert shown_captcha(str(form["captcha"])) == (store.hashkey, "")


def test_a_captcha_about_to_expire_is_checked_and_replaced(monkeypatch):
    import time

    from macnss.core import captcha_store

    store = displayed_captcha()
    later = time.time() + (10 - 2) * 60  # two minutes left: too little to correct the form and answer
    monkeypatch.setattr(captcha_store.time, "time", lambda: later)
    form = NameAndCaptchaForm({"name": "far too long", "captcha_0": store.hashkey, "captcha_1": store.challenge})
    assert not form.is_valid()
    assert not CaptchaStore.objects.filter(pk=store.pk).exists()
    assert shown_captcha(str(form["captcha"])) == (form.fields["captcha"].widget._key, "")
    assert form.fields["captcha"].widget._key != store.hashkey


def test_only_a_key_written_here_and_still_fresh_is_kept():
    import time

    from macnss.core import captcha_store

    fresh = captcha_store.new_key()
    assert captcha_store.still_answerable(fresh)
    in_an_hour = f"{int(time.time()) + 3600:08x}" + fresh[8:]
    assert not captcha_store.still_answerable(in_an_hour)  # no captcha of ours lives that long
    assert not captcha_store.still_answerable(fresh[:39])
    assert not captcha_store.still_answerable("z" * 40)
    assert not captcha_store.still_answerable("")
    library_key = CaptchaStore.generate_key()  # the library's own keys (its refresh view) are checked
    assert not captcha_store.still_answerable(library_key)


def test_the_captcha_is_the_last_field_of_every_form_that_has_one():
    from macnss.core.forms import PortalCaptchaField
    from tests.core.test_widget_html import form_builders

    with_captcha = 0
    for build in form_builders():
        fields = list(build(None).fields.values())
        if any(isinstance(field, PortalCaptchaField) for field in fields):
            with_captcha += 1
            assert isinstance(fields[-1], PortalCaptchaField), type(build(None)).__name__
    assert with_captcha >= 4


@pytest.mark.postgres
def test_the_captcha_table_skips_the_write_ahead_log_on_postgresql():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("UNLOGGED tables are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = 'captcha_captchastore'")
        assert cursor.fetchone()[0] == "u"
