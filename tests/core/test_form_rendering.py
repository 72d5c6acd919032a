"""The "macnss" crispy pack (macnss/core/jinja2/macnss/): every field of every form of the portal."""

import re

import pytest
from django.template import engines
from django.test import RequestFactory
from django.utils import translation
from markupsafe import escape

from macnss.core import form_rendering
from macnss.core.form_rendering import widget_kind
from tns_enrollment.forms import PersonalInformationForm

pytestmark = pytest.mark.django_db
CRISPY = engines["django"].from_string("{% load crispy_forms_tags %}{% crispy form %}")
JINJA2_CRISPY = engines["jinja2"].from_string("{{ crispy(form) }}")


def render(form) -> str:
    return CRISPY.render({"form": form}, RequestFactory().get("/"))


@pytest.fixture(autouse=True)
def empty_cache():
    form_rendering._UNBOUND_FIELD_HTML.clear()
    yield
    form_rendering._UNBOUND_FIELD_HTML.clear()


def captcha_key(html: str) -> str:
    return re.search(r'name="captcha_0" value="([0-9a-f]+)"', html).group(1)


def test_static_fields_render_once_per_language_and_the_captcha_every_time(monkeypatch):
    first = render(PersonalInformationForm())
    assert {key[-1] for key in form_rendering._UNBOUND_FIELD_HTML} == set(PersonalInformationForm.base_fields) - {
        "captcha"
    }
    calls = []
    real = form_rendering.PackField.render_field
    recorder = lambda self, field: calls.append(field.name) or real(self, field)  # noqa: E731
    monkeypatch.setattr(form_rendering.PackField, "render_field", recorder)
    second = render(PersonalInformationForm())
    assert calls == ["captcha"]
    assert captcha_key(first) != captcha_key(second)
    assert first.replace(captcha_key(first), "K") == second.replace(captcha_key(second), "K")
    with translation.override("ar"):
        arabic = render(PersonalInformationForm())
        arabic_label = str(PersonalInformationForm.base_fields["id_document_type"].label)
    assert arabic_label != "Type de la pièce d'identité" and arabic_label in arabic
    assert "Type de la pièce" not in arabic


def test_a_bound_form_is_never_served_from_the_cache():
    render(PersonalInformationForm())
    html = render(PersonalInformationForm(data={"phone": "0512"}))
    assert 'value="0512"' in html
    assert 'class="invalid-feedback"' in html


def test_a_value_given_to_the_form_bypasses_the_cache():
    render(PersonalInformationForm())
    html = render(PersonalInformationForm(initial={"phone": "0612345678"}))
    assert 'value="0612345678"' in html


def test_forms_that_did_not_opt_in_are_not_cached():
    from shared_steps.forms import BankDetailsForm

    render(BankDetailsForm())
    assert form_rendering._UNBOUND_FIELD_HTML == {}


def without_captcha_keys(html: str) -> str:
    return re.sub(r"[0-9a-f]{40}", "KEY", html)


def all_variants():
    from tests.core.test_widget_html import form_builders, variants

    yield from variants()
    for build in form_builders():  # nothing answered: required messages on boxes and radios
        form = build({})
        form.is_valid()
        yield form


def widget_tags(html: str, name: str) -> list[str]:
    return re.findall(rf'<(?:input|select|textarea)[^>]* name="{re.escape(name)}"[^>]*>', html)


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_every_field_of_every_form_has_its_label_ids_classes_and_messages(language):
    """The pack's markup, which the CSS, the date picker and the browser tests read: each field of each form
    (unbound, bound with errors, empty) with its label, crispy-bootstrap5's classes, the error block
    `<auto_id>_error` and the help text `<auto_id>_helptext`, messages escaped."""
    kinds = set()
    with translation.override(language):
        for form in all_variants():
            if not hasattr(form, "helper"):
                continue
            html = JINJA2_CRISPY.render({"form": form})
            for field in form:
                if field.is_hidden:
                    assert widget_tags(html, field.html_name), field.name
                    continue
                kind = widget_kind(field)
                kinds.add((kind, bool(field.errors)))
                where = (type(form).__name__, field.name)
                assert f'id="div_{field.auto_id}"' in html, where
                assert escape(field.label) in html, where
                if field.errors:
                    block = html[html.index(f'<div id="{field.auto_id}_error" class="invalid-feedback">') :]
                    for error in field.errors:
                        assert f"<strong>{escape(error)}</strong>" in block, where
                if field.help_text:
                    assert f'<div id="{field.auto_id}_helptext" class="form-text">' in html, where
                tags = widget_tags(html, field.html_name) or widget_tags(html, f"{field.html_name}_1")
                assert tags, where
                expected = {"checkbox": "form-check-input", "radio": "form-check-input", "select": "form-select"}
                for tag in tags:
                    if 'type="hidden"' in tag:
                        continue
                    classes = re.search(r'class="([^"]*)"', tag).group(1).split()
                    assert expected.get(kind, "form-control") in classes, where
                    assert ("is-invalid" in classes) == bool(field.errors), where
                    assert ('aria-invalid="true"' in tag) == bool(field.errors), where
                if kind != "radio" and not field.use_fieldset:
                    assert f'<label for="{field.id_for_label}"' in html, where
    assert {("checkbox", True), ("radio", True), ("select", True), ("input", True), ("input", False)} <= kinds


def test_jinja2_pages_render_a_form_as_the_crispy_tag_does():
    form = PersonalInformationForm(data={"phone": "<b>0512</b>"})
    form.is_valid()
    ours, theirs = JINJA2_CRISPY.render({"form": form}), render(form)
    assert without_captcha_keys(ours) == without_captcha_keys(theirs)
    assert 'value="&lt;b&gt;0512&lt;/b&gt;"' in ours and "<b>0512" not in ours
    assert ours.count('<div id="div_id_') == len(form.fields) and "&lt;div" not in ours


def test_a_radio_list_gets_its_classes_on_copies_of_its_options():
    from tns_enrollment.forms import CategoryForm

    for form in (CategoryForm(), CategoryForm({})):
        form.is_valid()
        radios = [f for f in form if widget_kind(f) == "radio"] or [f for f in form if widget_kind(f) == "select"]
        for field in radios:
            html = JINJA2_CRISPY.render({"form": form})
            assert html == JINJA2_CRISPY.render({"form": form})  # nothing piles up on a second rendering
            for option in field:
                assert "class" not in option.data["attrs"]


def test_static_choices_are_shared_by_form_instances_and_still_validate():
    from django import forms

    from macnss.core.forms import PortalForm, StaticChoices

    class OperatorForm(PortalForm):
        operator = forms.ChoiceField(
            choices=StaticChoices([("", "Choisissez…"), ("iam", "Maroc Telecom"), ("orange", "Orange")])
        )

    first, second = OperatorForm({"operator": "iam"}), OperatorForm({"operator": "inwi"})
    assert first.fields["operator"].choices is second.fields["operator"].choices  # not copied per form
    assert first.is_valid() and not second.is_valid()
    assert 'value="orange">Orange</option>' in str(first["operator"])
    second.fields["operator"].choices = [("inwi", "inwi")]  # a form that needs other choices assigns them
    assert OperatorForm({"operator": "inwi"}).is_valid() is False
    assert list(first.fields["operator"].choices)[1] == ("iam", "Maroc Telecom")


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_a_form_level_error_shows_once_in_the_summary(rf, language):
    """Issue 18 §5: not also as a bullet above the first field."""
    from django.template.loader import render_to_string

    from family.forms import MemberForm

    with translation.override(language):
        form = MemberForm({})
        form.is_valid()
        form.add_error(None, "Une erreur générale unique")
        html = render_to_string("includes/form.html", {"form": form}, request=rf.get("/"))
    assert html.count("Une erreur générale unique") == 1
    summary = html[html.index('class="error-summary"') : html.index("</div>")]
    assert "Une erreur générale unique" in summary
