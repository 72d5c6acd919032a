"""The "macnss" crispy pack and PortalFormHelper's cache of unbound static fields."""

import re

import pytest
from django.template import engines
from django.test import RequestFactory
from django.utils import translation

from macnss.core import forms as core_forms
from tns_enrollment.forms import PersonalInformationForm

pytestmark = pytest.mark.django_db
CRISPY = engines["django"].from_string("{% load crispy_forms_tags %}{% crispy form %}")


def render(form) -> str:
    return CRISPY.render({"form": form}, RequestFactory().get("/"))


@pytest.fixture(autouse=True)
def empty_cache():
    core_forms._UNBOUND_FIELD_HTML.clear()
    yield
    core_forms._UNBOUND_FIELD_HTML.clear()


def captcha_key(html: str) -> str:
    return re.search(r'name="captcha_0" value="([0-9a-f]+)"', html).group(1)


def test_static_fields_render_once_per_language_and_the_captcha_every_time(monkeypatch):
    first = render(PersonalInformationForm())
    assert {key[-1] for key in core_forms._UNBOUND_FIELD_HTML} == set(PersonalInformationForm.base_fields) - {"captcha"}
    calls = []
    real = core_forms.render_field_html
    monkeypatch.setattr(core_forms, "render_field_html", lambda field: calls.append(field.name) or real(field))
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
    assert core_forms._UNBOUND_FIELD_HTML == {}


def without_captcha_keys(html: str) -> str:
    return re.sub(r"[0-9a-f]{40}", "KEY", html)


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_helper_writes_every_form_as_crispys_template_node_does(language):
    """PortalFormHelper.render_form (what `crispy(form)` calls in Jinja2 pages) against `{% crispy form %}`:
    every form of the portal, unbound, bound with errors, and with a non-field error."""
    from tests.core.test_widget_html import awkward_data, form_builders

    compared = 0
    with translation.override(language):
        for build in form_builders():
            unbound = build(None)
            variants = [(build(None), build(None)), (build(awkward_data(unbound)), build(awkward_data(unbound)))]
            for ours, crispys in variants:
                if not isinstance(getattr(ours, "helper", None), core_forms.PortalFormHelper):
                    continue
                for form in (ours, crispys):
                    if form.is_bound:
                        form.is_valid()
                        form.add_error(None, "Une erreur <générale> & la suivante")
                expected = without_captcha_keys(render(crispys))
                assert without_captcha_keys(ours.helper.render_form(ours)) == expected, type(ours).__name__
                if ours.is_bound:
                    # a form-level error is the error summary's alone, never a bullet above the first field
                    assert "&lt;générale&gt; &amp; la suivante" not in expected
                compared += 1
    assert compared >= 40


def test_a_form_with_its_own_tag_still_goes_through_crispy(monkeypatch):
    from crispy_forms import utils

    form = PersonalInformationForm()
    form.helper.form_tag = True
    calls = []
    monkeypatch.setattr(utils, "render_crispy_form", lambda f: calls.append(f) or "crispy")
    assert form.helper.render_form(form) == "crispy" and calls == [form]


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_field_html_writes_every_field_as_the_reference_template(language):
    """macnss.core.form_rendering.field_html against macnss/core/jinja2/macnss/field.html: every field of
    every form of the portal, unbound and bound with errors (checkbox, radio, select, fieldset, captcha)."""
    from macnss.core.form_rendering import field_html
    from tests.core.test_widget_html import form_builders, variants

    def all_variants():
        yield from variants()
        for build in form_builders():  # nothing answered: required messages on boxes and radios
            form = build({})
            form.is_valid()
            yield form

    reference = engines["jinja2"].get_template("macnss/field.html")
    kinds = set()
    with translation.override(language):
        for form in all_variants():
            for field in form:
                expected = reference.render({"field": field})
                assert without_captcha_keys(field_html(field)) == without_captcha_keys(expected), (
                    type(form).__name__,
                    field.name,
                )
                kinds.add((type(field.field.widget).__name__, bool(field.errors)))
    widgets = {widget for widget, _errors in kinds}
    assert {"CheckboxInput", "RadioSelect", "Select", "LabelledCaptchaInput", "HiddenInput", "Textarea"} <= widgets
    assert {("Select", True), ("TextInput", True), ("FrenchDateInput", True)} <= kinds
    assert {("CheckboxInput", True), ("RadioSelect", True), ("LabelledCaptchaInput", True)} <= kinds


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
