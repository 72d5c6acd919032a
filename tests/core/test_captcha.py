"""PortalCaptchaField and CaptchaFormMixin: django-simple-captcha's field, widget and rows, the answer checked
once the rest of the form is valid, a captcha spent at its first check, no purge on each submission."""

from datetime import timedelta

import pytest
from captcha.conf import settings as captcha_settings
from captcha.models import CaptchaStore
from django import forms
from django.conf import settings
from django.utils import timezone

from macnss.core.forms import CaptchaFormMixin, PortalCaptchaField, captcha_field
from macnss.core.tasks import purge_expired_captchas

pytestmark = pytest.mark.django_db


class CaptchaOnlyForm(CaptchaFormMixin, forms.Form):
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
    stale, live, used, wrong = new_captcha(expired=True), new_captcha(), new_captcha(), new_captcha()
    with django_assert_num_queries(1):  # the right answer: its row deleted, nothing else
        assert submit(used, "abcde").is_valid()
    with django_assert_num_queries(2):  # a wrong one: the row deleted all the same
        assert not submit(wrong, "zzzzz").is_valid()
    assert CaptchaStore.objects.filter(pk=stale.pk).exists()
    assert purge_expired_captchas() == 1
    remaining = set(CaptchaStore.objects.values_list("pk", flat=True))
    assert remaining == {live.pk}
    assert settings.CELERY_BEAT_SCHEDULE["purge-expired-captchas"]["task"] == "macnss.core.tasks.purge_expired_captchas"


def test_the_answer_is_spent_by_the_delete_that_checks_it():
    store = new_captcha()
    assert PortalCaptchaField.spend(store.hashkey, "abcde")
    assert not PortalCaptchaField.spend(store.hashkey, "abcde")
    assert not PortalCaptchaField.spend("", "abcde")


def test_test_mode_accepts_passed_and_spends_the_captcha(monkeypatch):
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)
    store = new_captcha()
    assert submit(store, "PASSED").is_valid()
    assert not CaptchaStore.objects.filter(pk=store.pk).exists()
    assert CaptchaOnlyForm({"captcha_0": "x", "captcha_1": "passed"}).is_valid()
    assert not submit(new_captcha(), "zzzzz").is_valid()  # any other answer is checked


def test_the_widget_shows_a_captcha_that_the_librarys_image_view_draws(client, django_assert_num_queries):
    import re

    with django_assert_num_queries(1):  # the INSERT
        html = str(CaptchaOnlyForm()["captcha"])
    key = re.search(r'name="captcha_0" value="([0-9a-f]{40})"', html).group(1)
    store = CaptchaStore.objects.get(hashkey=key)
    assert store.response == store.challenge.lower() and len(store.challenge) == settings.CAPTCHA_LENGTH
    assert store.expiration > timezone.now() + timedelta(minutes=9)
    assert f'src="/captcha/image/{key}/"' in html
    response = client.get(f"/captcha/image/{key}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert submit(store, store.challenge).is_valid()


def test_the_widget_names_the_answer_box_and_the_image(monkeypatch):
    import re

    monkeypatch.setattr(captcha_settings, "CAPTCHA_FLITE_PATH", "/usr/bin/flite")
    html = str(CaptchaOnlyForm()["captcha"])
    key = re.search(r'name="captcha_0" value="([0-9a-f]{40})"', html).group(1)
    assert re.search(r'<input[^>]*name="captcha_1"[^>]*aria-label="Code de vérification"', html)
    assert 'alt="Image contenant le code de vérification à recopier"' in html
    assert f'<a href="/captcha/audio/{key}.wav" class="captcha-audio">Écouter le code (audio)</a>' in html


def test_a_form_shown_again_after_a_wrong_answer_shows_a_new_captcha():
    import re

    used = new_captcha()
    form = submit(used, "zzzzz")
    html = str(form["captcha"])
    shown = re.search(r'name="captcha_0" value="([0-9a-f]{40})"', html).group(1)
    assert shown != used.hashkey and CaptchaStore.objects.filter(hashkey=shown).exists()
    assert "zzzzz" not in html  # the answer is never shown again


class NameAndCaptchaForm(CaptchaFormMixin, forms.Form):
    name = forms.CharField(max_length=5)
    captcha = captcha_field()


def shown_captcha(html: str) -> tuple[str, str]:
    import re

    key = re.search(r'name="captcha_0" value="([0-9a-f]{40})"', html).group(1)
    answer = re.search(r'<input[^>]*name="captcha_1"[^>]*>', html).group(0)
    typed = re.search(r'value="([^"]*)"', answer)
    return key, typed.group(1) if typed else ""


def displayed_captcha() -> CaptchaStore:
    return CaptchaStore.objects.get(hashkey=CaptchaStore.generate_key())


def test_a_form_refused_for_another_answer_leaves_its_captcha_unchecked(django_assert_num_queries):
    store = displayed_captcha()
    form = NameAndCaptchaForm({"name": "far too long", "captcha_0": store.hashkey, "captcha_1": "zzzzz"})
    with django_assert_num_queries(0):  # neither checked nor spent
        assert not form.is_valid()
    assert list(form.errors) == ["name"]
    assert CaptchaStore.objects.filter(pk=store.pk).exists()
    # Corrected, the form is checked: the wrong answer is refused, and only then spent.
    form = NameAndCaptchaForm({"name": "Ali", "captcha_0": store.hashkey, "captcha_1": "zzzzz"})
    assert list(form.errors) == ["captcha"]
    assert not CaptchaStore.objects.filter(pk=store.pk).exists()
    assert shown_captcha(str(form["captcha"]))[0] != store.hashkey


def test_a_form_refused_for_another_answer_shows_the_same_captcha_with_the_answer_typed(django_assert_num_queries):
    store = displayed_captcha()
    form = NameAndCaptchaForm({"name": "far too long", "captcha_0": store.hashkey, "captcha_1": "AbCd"})
    assert not form.is_valid()
    with django_assert_num_queries(0):  # no new captcha written
        html = str(form["captcha"])
    assert shown_captcha(html) == (store.hashkey, "abcd")
    assert f"/captcha/image/{store.hashkey}/" in html
    assert CaptchaStore.objects.count() == 1


def test_a_forged_key_is_not_shown_again():
    form = NameAndCaptchaForm({"name": "far too long", "captcha_0": "<b>x</b>/../", "captcha_1": "abcd"})
    assert not form.is_valid()
    html = str(form["captcha"])
    key, _typed = shown_captcha(html)
    assert "<b>x</b>" not in html and CaptchaStore.objects.filter(hashkey=key).exists()


def test_an_unchecked_captcha_passes_once_the_form_is_corrected():
    store = displayed_captcha()
    refused = NameAndCaptchaForm({"name": "far too long", "captcha_0": store.hashkey, "captcha_1": store.challenge})
    assert not refused.is_valid()
    accepted = NameAndCaptchaForm({"name": "Ali", "captcha_0": store.hashkey, "captcha_1": store.challenge})
    assert accepted.is_valid()
    assert not NameAndCaptchaForm({"name": "Ali", "captcha_0": store.hashkey, "captcha_1": store.challenge}).is_valid()


def test_an_empty_answer_is_flagged_and_spends_nothing():
    store = displayed_captcha()
    form = NameAndCaptchaForm({"name": "far too long", "captcha_0": store.hashkey, "captcha_1": " "})
    assert form.errors["captcha"] == ["Recopiez le code de vérification affiché dans l'image."]
    form = NameAndCaptchaForm({"name": "Ali", "captcha_0": store.hashkey, "captcha_1": " "})
    assert form.errors["captcha"] == ["Recopiez le code de vérification affiché dans l'image."]
    assert CaptchaStore.objects.filter(pk=store.pk).exists()


class CheckedInCleanForm(CaptchaFormMixin, forms.Form):
    """A form whose own clean() refuses an answer, then lets the mixin check the captcha."""

    name = forms.CharField()
    captcha = captcha_field()

    def clean(self):
        if self.cleaned_data.get("name") == "taken":
            self.add_error("name", "taken")
        return super().clean()


def test_a_form_refused_by_its_own_clean_leaves_the_captcha_unchecked():
    store = displayed_captcha()
    form = CheckedInCleanForm({"name": "taken", "captcha_0": store.hashkey, "captcha_1": "zzzzz"})
    assert list(form.errors) == ["name"]
    assert CaptchaStore.objects.filter(pk=store.pk).exists()


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


def test_every_form_that_can_have_a_captcha_checks_it():
    """A captcha field on a form without CaptchaFormMixin would only check that an answer was typed."""
    import importlib
    import inspect

    from django.apps import apps

    checked = []
    for app in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{app.name}.forms")
        except ModuleNotFoundError:
            continue
        for cls in vars(module).values():
            if not (inspect.isclass(cls) and issubclass(cls, forms.BaseForm)):
                continue
            if any(
                "captcha_field(" in inspect.getsource(base)
                for base in cls.__mro__
                if base.__module__ == module.__name__
            ):
                assert issubclass(cls, CaptchaFormMixin), cls
                checked.append(cls.__name__)
    assert {
        "LoginForm",
        "PortalPasswordChangeForm",
        "IdentityForm",
        "AsviLookupForm",
        "PersonalInformationForm",
    } <= set(checked)


def test_every_form_with_a_captcha_leaves_it_unspent_when_another_answer_is_missing():
    from tests.core.test_widget_html import form_builders

    forms_with_captcha = 0
    for build in form_builders():
        if not any(isinstance(field, PortalCaptchaField) for field in build(None).fields.values()):
            continue
        forms_with_captcha += 1
        store = displayed_captcha()
        form = build({"captcha_0": store.hashkey, "captcha_1": store.challenge})
        assert not form.is_valid() and "captcha" not in form.errors, type(form).__name__
        assert CaptchaStore.objects.filter(pk=store.pk).exists(), type(form).__name__
    assert forms_with_captcha >= 4


def identity_form(captcha: dict):
    from accounts.forms import IdentityForm

    return IdentityForm({"id_document_type": "cnie", "id_document_number": "123", "birth_date": "23/04/1985"} | captcha)


def tns_identity_form(captcha: dict):
    from tests.tns_enrollment.conftest import form_data
    from tns_enrollment.forms import PersonalInformationForm

    return PersonalInformationForm(form_data(id_document_number="123") | captcha)


@pytest.mark.parametrize("build", [identity_form, tns_identity_form])
def test_a_form_refused_by_its_cross_field_check_leaves_the_captcha_unspent(build):
    store = displayed_captcha()
    form = build({"captcha_0": store.hashkey, "captcha_1": "zzzzz"})
    assert list(form.errors) == ["id_document_number"]
    assert CaptchaStore.objects.filter(pk=store.pk).exists()


def test_the_error_summary_links_to_the_answer_box():
    from macnss.core.template_filters import error_anchor

    form = CaptchaOnlyForm({"captcha_0": "", "captcha_1": ""})
    assert error_anchor(form["captcha"]) == "id_captcha_1" == form["captcha"].id_for_label
