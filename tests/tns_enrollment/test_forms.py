"""«Introduction des informations personnelles»: each validation rule, in the citizen's words."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tns_enrollment.forms import CategoryForm, PersonalInformationForm

from .conftest import form_data

pytestmark = pytest.mark.django_db


def _errors(**overrides):
    form = PersonalInformationForm(data=form_data(**overrides))
    form.is_valid()
    return form


def test_valid_answers_are_cleaned():
    form = _errors(id_document_number="ll 000001", phone="06 12 34 56 78", email=" Nadia@Example.MA ")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["id_document_number"] == "LL000001"
    assert form.cleaned_data["phone"] == "+212612345678"
    assert form.cleaned_data["email"] == "nadia@example.ma"


def test_email_is_optional():
    assert _errors(email="").is_valid()


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("id_document_type", "Choisissez le type de votre pièce d'identité."),
        ("id_document_number", "Saisissez le numéro de votre pièce d'identité."),
        ("id_document_expiry", "Saisissez la date au format jj/mm/aaaa."),
        ("birth_date", "Saisissez la date au format jj/mm/aaaa."),
        ("phone", "Saisissez votre numéro de téléphone mobile, par exemple 0612345678."),
        ("phone_operator", "Choisissez votre opérateur téléphonique."),
    ],
)
def test_every_required_field_says_what_to_do(field, message):
    form = _errors(**{field: ""})
    assert form.errors[field] == [message]


def test_expired_document_is_refused():
    yesterday = timezone.localdate() - timedelta(days=1)
    form = _errors(id_document_expiry=yesterday.strftime("%d/%m/%Y"))
    assert "Votre pièce d'identité a expiré" in form.errors["id_document_expiry"][0]


def test_expiry_today_is_still_valid():
    assert _errors(id_document_expiry=timezone.localdate().strftime("%d/%m/%Y")).is_valid()


def test_implausible_expiry_is_refused():
    form = _errors(id_document_expiry="01/01/2099")
    assert "n'est pas possible" in form.errors["id_document_expiry"][0]


@pytest.mark.parametrize("value", ["31/02/1990", "32/01/1990", "1990", "12/13/1990"])
def test_impossible_dates_are_refused(value):
    form = _errors(birth_date=value)
    assert form.errors["birth_date"] == [
        "Cette date n'existe pas ou n'est pas au format jj/mm/aaaa (par exemple 23/04/1985)."
    ]


def test_birth_date_in_the_future_is_refused():
    tomorrow = timezone.localdate() + timedelta(days=1)
    form = _errors(birth_date=tomorrow.strftime("%d/%m/%Y"))
    assert form.errors["birth_date"] == ["La date de naissance ne peut pas être dans le futur."]


def test_implausibly_old_birth_date_is_refused():
    form = _errors(birth_date="01/01/1890")
    assert "n'est pas plausible" in form.errors["birth_date"][0]


def test_a_child_cannot_register_as_tns():
    five_years_ago = timezone.localdate() - timedelta(days=5 * 366)
    form = _errors(birth_date=five_years_ago.strftime("%d/%m/%Y"))
    assert "au moins 15 ans" in form.errors["birth_date"][0]


@pytest.mark.parametrize("phone", ["0522123456", "0812345678", "12345", "+33612345678", "téléphone"])
def test_phone_must_be_a_moroccan_mobile(phone):
    form = _errors(phone=phone)
    assert form.errors["phone"] == ["Saisissez un numéro de téléphone mobile marocain, par exemple 0612345678."]


@pytest.mark.parametrize("number", ["123456", "ABC123456", "A12", "AB-12X456"])
def test_malformed_cin_is_refused(number):
    form = _errors(id_document_number=number)
    assert "1 ou 2 lettres suivies de chiffres" in form.errors["id_document_number"][0]


def test_passport_numbers_follow_their_own_rule():
    assert _errors(id_document_type="passeport", id_document_number="XY1234567").is_valid()
    form = _errors(id_document_type="passeport", id_document_number="X1")
    assert "de 5 à 20 lettres ou chiffres" in form.errors["id_document_number"][0]


def test_unknown_operator_is_refused():
    form = _errors(phone_operator="acme")
    assert form.errors["phone_operator"] == ["Choisissez votre opérateur téléphonique dans la liste."]


def test_bad_email_is_refused():
    form = _errors(email="nadia@")
    assert "adresse e-mail valide" in form.errors["email"][0]


def test_wrong_captcha_is_refused():
    form = _errors(captcha_1="WRONG")
    assert "captcha" in form.errors


def test_one_error_keeps_the_other_answers():
    form = _errors(phone="0522123456")
    assert set(form.errors) == {"phone"}
    html = str(form["id_document_number"])
    assert 'value="LL000001"' in html


def test_category_form_lists_open_categories_by_code(reference_data):
    from accounts.models import ProfessionalCategory

    ProfessionalCategory.objects.filter(code="guides-touristiques").update(is_open=False)
    form = CategoryForm(data={"category": "guides-touristiques"})
    assert not form.is_valid()
    assert form.errors["category"] == ["Choisissez votre catégorie professionnelle dans la liste."]
    form = CategoryForm(data={"category": "medecins"})
    assert form.is_valid()
    assert form.cleaned_data["category"].code == "medecins"
