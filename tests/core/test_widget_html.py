"""The portal's widgets render through Django's own widget templates (the Jinja2 ones that django.forms ships,
the Django ones for the admin's widgets), and rendering a form never changes a widget's attributes."""

import copy
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django import forms
from django.forms.renderers import get_default_renderer
from django.template.backends.django import Template as DjangoTemplate
from django.template.backends.jinja2 import Template as Jinja2Template
from django.utils import translation

from accounts import forms as accounts_forms
from accounts.models import User
from asvi_payment import forms as asvi_forms
from pension import forms as pension_forms
from taawidaty import forms as taawidaty_forms
from tns_enrollment import forms as tns_forms

pytestmark = pytest.mark.django_db


class RecordingRenderer(type(get_default_renderer())):
    """The settings' renderer, keeping every template a widget asked for."""

    def __init__(self):
        self.seen = []

    def render(self, template_name, context, request=None):
        self.seen.append(template_name)
        return super().render(template_name, context, request)


def form_builders():
    """Each form of the portal, as a function of its data (None: unbound)."""
    dues = [SimpleNamespace(pk=1, year=2020, quarter=1), SimpleNamespace(pk=2, year=2020, quarter=2)]
    document = SimpleNamespace(pk=7, localized_name=lambda: "Relevé", localized_hint=lambda: "")
    claimant = {"person": SimpleNamespace(mining_days=0), "eligibility_result": SimpleNamespace(only_as_miner=False)}
    return [
        lambda data: accounts_forms.LoginForm(data=data),
        lambda data: accounts_forms.BankDetailsForm(data),
        lambda data: accounts_forms.PortalPasswordChangeForm(User(username="100000001"), data),
        lambda data: accounts_forms.NumberAndCaptchaForm(data),
        lambda data: accounts_forms.IdentityForm(data),
        lambda data: accounts_forms.OtpForm(data, with_captcha=True),
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
    return form.renderer.seen


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_every_widget_of_every_form_renders_with_djangos_jinja2_templates(language):
    renderer = get_default_renderer()
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
    template = get_default_renderer().get_template("admin/widgets/related_widget_wrapper.html")
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
