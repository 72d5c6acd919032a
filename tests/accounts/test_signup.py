"""«Créer un compte» for every insured person (issue 16 §1): the code goes to the phone on file only, the
person chooses his password on the page and is logged in."""

from datetime import date
from html import unescape

import pytest
from django.urls import reverse

from accounts import otp, selectors
from accounts.models import IdentityDocumentType, OneTimeCode, Regime, User
from macnss.core.models import OutboundSms
from tests.conftest import otp_from_sms
from tests.factories import InsuredPersonFactory, UserFactory

pytestmark = pytest.mark.django_db

START = reverse("accounts:signup")
CODE = reverse("accounts:signup_code")
PASSWORD_URL = reverse("accounts:signup_password")
NEW_PASSWORD = "une phrase de passe bien longue"
EXPIRY = date(2031, 6, 30)


def _employee(**fields):
    defaults = {"regime": Regime.EMPLOYEE, "id_document_number": "BE123456", "id_document_expiry": EXPIRY}
    return InsuredPersonFactory(**{**defaults, **fields})


def _answers(person=None, **overrides):
    data = {
        "identifier": person.immatriculation_number if person else "123456789",
        "id_document_expiry": (person.id_document_expiry if person else EXPIRY).strftime("%d/%m/%Y"),
        "birth_date": (person.birth_date if person else date(1980, 1, 1)).strftime("%d/%m/%Y"),
        "captcha_0": "x",
        "captcha_1": "PASSED",
    }
    return {**data, **overrides}


def _code_for(person) -> str:
    return otp_from_sms(OutboundSms.objects.filter(to=person.phone, purpose="otp:signup").latest("pk").body)


def test_login_page_offers_signup_for_everyone(client):
    html = unescape(client.get(reverse("accounts:login")).content.decode())
    assert f'href="{START}">créer un compte</a>' in html
    page = unescape(client.get(START).content.decode())
    for label in (
        "Numéro d'immatriculation ou numéro de CNIE",
        "Date d'expiration de la pièce d'identité",
        "Date de naissance",
        "Code de vérification",
    ):
        assert label in page, label
    # a TNS who is not registered yet is sent to the self-registration of seed 001
    assert f'href="{reverse("tns_enrollment:start")}"' in page


def test_employee_creates_his_account_with_his_number_and_is_logged_in(client, django_capture_on_commit_callbacks):
    person = _employee()
    response = client.post(START, _answers(person))
    assert response["Location"] == CODE
    page = unescape(client.get(CODE).content.decode())
    assert "Si ces informations correspondent à un dossier de la CNSS avec un téléphone enregistré" in page
    assert "Renvoyer le code" in page and "agence CNSS" in page
    assert person.phone[-2:] + "<" not in page and "** **" not in page  # names no phone
    assert client.get(PASSWORD_URL)["Location"] == START  # not before the code
    response = client.post(CODE, {"code": _code_for(person)})
    assert response["Location"] == PASSWORD_URL
    page = client.get(PASSWORD_URL).content.decode()
    assert person.immatriculation_number in page
    # Django's validators: too short, too common, too close to the number
    for weak in ("court", "password1234", person.immatriculation_number + "abc"):
        response = client.post(PASSWORD_URL, {"new_password1": weak, "new_password2": weak})
        assert "Il y a un problème" in response.content.decode(), weak
    response = client.post(PASSWORD_URL, {"new_password1": NEW_PASSWORD, "new_password2": "autre chose encore"})
    assert "Les deux mots de passe ne sont pas identiques" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PASSWORD_URL, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == reverse("accounts:dashboard")
    user = User.objects.get(insured=person)
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get(reverse("accounts:dashboard")).status_code == 200
    confirmation = OutboundSms.objects.get(purpose="account_opened")
    assert confirmation.to == person.phone and person.immatriculation_number in confirmation.body
    assert NEW_PASSWORD not in confirmation.body and not confirmation.sensitive
    # log out, log in again with the number
    client.post(reverse("accounts:logout"))
    response = client.post(
        reverse("accounts:login"), {"username": person.immatriculation_number, "password": NEW_PASSWORD}
    )
    assert response.status_code == 302


def test_the_cnie_number_works_as_identifier(client):
    person = _employee(id_document_number="BE654321")
    client.post(START, _answers(person, identifier="be 654321"))
    assert OutboundSms.objects.filter(to=person.phone, purpose="otp:signup").count() == 1


def test_former_employee_and_pensioner_can_create_an_account(client):
    for regime in (Regime.EMPLOYEE, Regime.PENSIONER, Regime.ASVI, Regime.TNS):
        person = InsuredPersonFactory(regime=regime)
        client.post(START, _answers(person))
        assert client.post(CODE, {"code": _code_for(person)})["Location"] == PASSWORD_URL, regime


def test_residence_card_holders_use_their_number(client):
    person = _employee(id_document_type=IdentityDocumentType.RESIDENCE_CARD, id_document_number="RC9988776")
    client.post(START, _answers(person, identifier="RC9988776"))
    assert not OutboundSms.objects.exists()
    client.post(START, _answers(person))
    assert OutboundSms.objects.filter(to=person.phone).count() == 1


def test_a_document_number_held_by_two_records_signs_nobody_in(client):
    person = _employee(id_document_number="AB111222")
    _employee(id_document_type=IdentityDocumentType.PASSPORT, id_document_number="AB111222")
    assert selectors.find_insured_for_signup(identifier="AB111222", expiry=EXPIRY, birth_date=person.birth_date) is None
    response = client.post(START, _answers(person, identifier="AB111222"))
    assert response["Location"] == CODE
    assert not OutboundSms.objects.exists()
    # it counts like any try for that identity
    assert OneTimeCode.objects.filter(identity_key=otp.identity_key("AB111222")).count() == 1


def test_a_person_with_an_account_gets_his_number_by_sms_not_a_code(client):
    person = _employee()
    UserFactory(insured=person)
    response = client.post(START, _answers(person))
    assert response["Location"] == CODE
    sms = OutboundSms.objects.get()
    assert sms.to == person.phone and sms.purpose == "notice:signup"
    assert "vous avez déjà un compte Ma CNSS" in sms.body and person.immatriculation_number in sms.body
    # nothing can be typed to go on; «Renvoyer le code» sends the same message again
    assert "incorrect" in client.post(CODE, {"code": "123456"}).content.decode()
    client.post(CODE, {"resend": "1"})
    assert OutboundSms.objects.filter(purpose="notice:signup").count() == 2
    assert client.get(PASSWORD_URL)["Location"] == START


@pytest.mark.parametrize("case", ["no record", "no phone", "wrong birth date", "wrong expiry", "passport number typed"])
def test_nothing_is_sent_when_no_record_with_a_phone_matches(client, case):
    person = _employee(phone="" if case == "no phone" else "+212661999999")
    if case == "passport number typed":
        person.id_document_type, person.id_document_number = IdentityDocumentType.PASSPORT, "AB998877"
        person.save()
    answers = {
        "no record": _answers(None),
        "no phone": _answers(person),
        "wrong birth date": _answers(person, birth_date="02/02/1960"),
        "wrong expiry": _answers(person, id_document_expiry="01/01/2033"),
        "passport number typed": _answers(person, identifier="AB998877"),
    }[case]
    response = client.post(START, answers)
    assert response["Location"] == CODE
    assert not OutboundSms.objects.exists()
    assert client.get(CODE).status_code == 200


def test_identifier_format_errors_keep_the_answers(client, db):
    response = client.post(START, _answers(None, identifier="12345"))
    html = unescape(response.content.decode())
    assert "Il y a un problème" in html and "9 chiffres" in html
    assert 'value="12345"' in html
    response = client.post(START, _answers(None, identifier=""))
    assert "Saisissez votre numéro d'immatriculation (9 chiffres) ou le numéro de votre CNIE." in unescape(
        response.content.decode()
    )


def test_an_account_opened_meanwhile_is_not_opened_twice(client):
    person = _employee()
    client.post(START, _answers(person))
    client.post(CODE, {"code": _code_for(person)})
    UserFactory(insured=person)  # a second tab finished first
    response = client.post(PASSWORD_URL, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == reverse("accounts:login")
    assert User.objects.filter(insured=person).count() == 1
    assert "_auth_user_id" not in client.session


def test_per_ip_limit(client, db):
    for n in range(10):
        client.post(START, _answers(None, identifier=f"1000000{n:02d}"))
    html = unescape(client.post(START, _answers(None)).content.decode())
    assert "Trop de demandes depuis votre connexion" in html


def test_arabic_signup_page(client, db):
    html = client.get("/ar" + START).content.decode()
    assert 'dir="rtl"' in html
    assert "إنشاء حساب" in html


def test_demo_people_each_create_an_account_and_reseeding_resets_them(client, settings):
    from accounts import demo

    rows = [row for row in demo.seed() if row.journey.startswith("Créer un compte")]
    assert len(rows) == 4
    for n, row in enumerate(rows):
        person = InsuredPersonFactory._meta.model.objects.get(immatriculation_number=row.number)
        visitor = client.__class__(REMOTE_ADDR=f"203.0.113.{n + 1}")
        visitor.post(START, _answers(person))
        if not person.phone:
            assert "agence" in row.note or "agence" in unescape(visitor.get(CODE).content.decode())
            continue
        visitor.post(CODE, {"code": _code_for(person)})
        visitor.post(PASSWORD_URL, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
        assert User.objects.filter(insured=person).exists(), row.journey
    assert User.objects.filter(insured__immatriculation_number__startswith="1007").count() == 3
    demo.seed()
    assert not User.objects.filter(insured__immatriculation_number__startswith="1007").exists()


def test_choose_password_form_is_djangos_set_password_form_with_errors_next_to_the_password(db):
    from django.contrib.auth.forms import SetPasswordForm

    from shared_steps.forms import ChoosePasswordForm

    candidate = User(username="123456789", first_name="Youssef", last_name="Berrada")
    form = ChoosePasswordForm(candidate, {"new_password1": "123456789abc", "new_password2": "123456789abc"})
    assert isinstance(form, SetPasswordForm)
    assert not form.is_valid()
    assert "new_password1" in form.errors and "new_password2" not in form.errors
    form = ChoosePasswordForm(candidate, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert form.is_valid()
