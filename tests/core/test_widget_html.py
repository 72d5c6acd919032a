"""macnss.core.form_rendering writes exactly what Django's Jinja2 widget templates write (on every field of every
form of the portal, unbound, bound, with errors, in French and Arabic, and on generated attributes and values);
the other widgets render through Django's templates; rendering a form never changes a widget's attributes."""

import copy
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django import forms
from django.forms.renderers import get_default_renderer
from django.template.backends.django import Template as DjangoTemplate
from django.template.backends.jinja2 import Template as Jinja2Template
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts import forms as accounts_forms
from accounts.models import User
from asvi_payment import forms as asvi_forms
from macnss.core import form_rendering
from pension import forms as pension_forms
from shared_steps import forms as shared_forms
from taawidaty import forms as taawidaty_forms
from tns_enrollment import forms as tns_forms

pytestmark = pytest.mark.django_db


RENDERER = get_default_renderer()


class RecordingRenderer(form_rendering.PortalFormRenderer):
    """Renders through the templates only, and keeps every (template, context) a widget asked for."""

    def __init__(self):
        self.seen = []

    def render(self, template_name, context, request=None):
        self.seen.append((template_name, context))
        return TEMPLATES_ONLY.render(self, template_name, context, request)


TEMPLATES_ONLY = form_rendering.PortalFormRenderer.__mro__[1]  # django.forms.renderers.TemplatesSetting


def the_templates(template_name, context) -> str:
    return RENDERER.get_template(template_name).render(context).strip()


def form_builders():
    """Each form of the portal, as a function of its data (None: unbound)."""
    dues = [SimpleNamespace(pk=1, year=2020, quarter=1), SimpleNamespace(pk=2, year=2020, quarter=2)]
    document = SimpleNamespace(pk=7, localized_name=lambda: "Relevé", localized_hint=lambda: "")
    claimant = {"person": SimpleNamespace(mining_days=0), "eligibility_result": SimpleNamespace(only_as_miner=False)}
    return [
        lambda data: accounts_forms.LoginForm(data=data),
        lambda data: shared_forms.BankDetailsForm(data),
        lambda data: accounts_forms.PortalPasswordChangeForm(User(username="100000001"), data),
        lambda data: accounts_forms.NumberAndCaptchaForm(data),
        lambda data: accounts_forms.IdentityForm(data),
        lambda data: shared_forms.OtpForm(data, with_captcha=True),
        lambda data: accounts_forms.OtpPasswordResetForm(data),
        lambda data: asvi_forms.AsviLookupForm(data),
        lambda data: asvi_forms.DuesForm(data, dues=dues),
        lambda data: asvi_forms.ConfirmOrderForm(data),
        lambda data: asvi_forms.ReceiptCheckForm(data),
        lambda data: asvi_forms.MockCardForm(data),
        lambda data: asvi_forms.Mock3dsForm(data),
        lambda data: pension_forms.MultiplierForm(data, minimum=Decimal("282.87")),
        lambda data: pension_forms.AjournementForm(data),
        lambda data: pension_forms.DroitSupplementaireForm(data),
        lambda data: pension_forms.RibAndConsentForm(data),
        lambda data: taawidaty_forms.ClaimForm(data, **claimant),
        lambda data: taawidaty_forms.DocumentsForm(data, required_documents=[document], uploaded={}),
        lambda data: taawidaty_forms.VerifyReceiptForm(data),
        lambda data: taawidaty_forms.AmountForm(data),
        lambda data: taawidaty_forms.ReasonForm(data),
        lambda data: tns_forms.PersonalInformationForm(data),
        lambda data: tns_forms.CategoryForm(data),
        lambda data: tns_forms.LiaisonCsvUploadForm(data),
        lambda data: tns_forms.CodeForm(data),
    ]


def awkward_data(form) -> dict:
    """Data for a bound copy: the last choice picked, text with markup, quotes and an ampersand."""
    data = {}
    for name, field in form.fields.items():
        choices = list(getattr(field, "choices", []))
        if isinstance(field, forms.MultipleChoiceField) and choices:
            data[name] = [str(choices[0][0])]
        elif choices:
            data[name] = str(choices[-1][0])
        elif isinstance(field, forms.BooleanField):
            data[name] = "on"
        else:
            data[name] = '<b>"l\'assuré"</b> & co'
    return data


def variants():
    for build in form_builders():
        unbound = build(None)
        bound = build(awkward_data(unbound))
        bound.is_valid()  # errors: is-invalid classes and aria attributes
        yield unbound
        yield bound


def rendered_templates(form) -> list[str]:
    form.renderer = RecordingRenderer()
    from crispy_forms.utils import render_crispy_form

    render_crispy_form(form)
    return [name for name, _context in form.renderer.seen]


def widget_contexts(form):
    recorder = RecordingRenderer()
    form.renderer = recorder
    for bound_field in form:
        bound_field.as_widget()
        if getattr(bound_field.field.widget, "choices", None):
            for option in bound_field.subwidgets:
                option.tag()
    return recorder.seen


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_every_widget_of_every_form_is_written_as_the_templates_write_it(language):
    checked = set()
    with translation.override(language):
        for form in variants():
            for template_name, context in widget_contexts(form):
                ours = form_rendering.render(template_name, context)
                if ours is not None:
                    assert ours == the_templates(template_name, context), (type(form).__name__, template_name)
                    checked.add(template_name.rsplit("/", 1)[1])
    # The widgets the portal uses are all covered by the Python versions.
    assert {"text.html", "email.html", "password.html", "hidden.html", "date.html", "select.html"} <= checked
    assert {"select_option.html", "radio_option.html", "checkbox.html", "textarea.html", "file.html"} <= checked


attribute_values = st.one_of(st.booleans(), st.none(), st.integers(), st.text(max_size=12))
attributes = st.dictionaries(
    st.sampled_from(["id", "class", "placeholder", "aria-describedby", "data-x"]), attribute_values
)


@settings(max_examples=200, deadline=None)
@given(
    value=st.one_of(st.none(), st.text(max_size=20)), attrs=attributes, wrap=st.booleans(), label=st.text(max_size=10)
)
def test_generated_inputs_options_and_textareas_match_the_templates(value, attrs, wrap, label):
    widget = {"name": "x<y", "type": "text", "value": value, "attrs": attrs, "wrap_label": wrap, "label": label}
    for name in ("text", "radio_option", "textarea"):
        template_name = f"django/forms/widgets/{name}.html"
        context = {"widget": widget}
        assert form_rendering.render(template_name, context) == the_templates(template_name, context)
    option = {**widget, "value": value or "", "template_name": "django/forms/widgets/select_option.html"}
    select = {**widget, "optgroups": [(None, [option], 0), ("Groupe & co", [option, option], 1)]}
    context = {"widget": select}
    assert form_rendering.render("django/forms/widgets/select.html", context) == the_templates(
        "django/forms/widgets/select.html", context
    )


def test_an_unknown_widget_template_is_left_to_the_templates():
    assert form_rendering.render("django/forms/widgets/clearable_file_input.html", {"widget": {}}) is None
    select = {"name": "x", "attrs": {}, "optgroups": [(None, [{"template_name": "autre.html"}], 0)]}
    assert form_rendering.render("django/forms/widgets/select.html", {"widget": select}) is None


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_every_widget_of_every_form_renders_with_djangos_jinja2_templates(language):
    renderer = RENDERER
    used = set()
    with translation.override(language):
        for form in variants():
            for template_name in rendered_templates(form):
                used.add(template_name.rsplit("/", 1)[1])
                template = renderer.get_template(template_name)
                assert isinstance(template, Jinja2Template), template_name
                assert template_name.startswith(("django/forms/", "macnss/")), template_name
    assert {"text.html", "email.html", "password.html", "date.html", "select.html"} <= used
    assert {"radio_option.html", "checkbox.html", "file.html", "captcha_widget.html"} <= used


def test_the_admins_own_widgets_fall_back_to_the_django_engine():
    template = RENDERER.get_template("admin/widgets/related_widget_wrapper.html")
    assert isinstance(template, DjangoTemplate)


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_rendering_a_form_changes_no_widget_attributes(language):
    """The pack's classes go to Django's rendering as extra attributes, never into `widget.attrs`: a form
    rendered twice (or a field shared by forms) would otherwise pile them up."""
    with translation.override(language):
        for form in variants():
            before = {
                name: copy.deepcopy([w.attrs for w in getattr(f.widget, "widgets", [f.widget])])
                for name, f in form.fields.items()
            }
            first = rendered_templates(form) and str(form.form_html)
            after = {
                name: [w.attrs for w in getattr(f.widget, "widgets", [f.widget])] for name, f in form.fields.items()
            }
            assert after == before, type(form).__name__
            assert "is-invalid is-invalid" not in first and "form-control form-control" not in first
