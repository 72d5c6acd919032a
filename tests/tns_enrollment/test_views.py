"""The journey through Django's test client: each outcome, no enumeration, limits, the code step."""

import re
from html import unescape

import pytest
from django.urls import reverse

from accounts.models import OneTimeCode, Regime, User
from macnss.core.models import OutboundSms
from tests.conftest import sms_text
from tests.factories import InsuredPersonFactory, UserFactory
from tns_enrollment.models import NonEligibilityReason, OnboardingAttempt, Outcome, ProximityPoint

from .conftest import BIRTH, EXPIRY, form_data

pytestmark = pytest.mark.django_db

START = reverse("tns_enrollment:start")
CODE = reverse("tns_enrollment:code")


def _tns(**fields):
    return InsuredPersonFactory(
        **{"id_document_number": "LL000001", "id_document_expiry": EXPIRY, "birth_date": BIRTH, "regime": Regime.TNS}
        | fields
    )


def _code_from_outbox(phone="+212612345678") -> str:
    body = OutboundSms.objects.filter(to=phone, purpose="otp:tns_enrollment").latest("pk").body
    return re.search(r"\b(\d{6})\b", sms_text(body)).group(1)


def test_start_page_has_the_guide_fields(client):
    response = client.get(START)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Introduction des informations personnelles</h1>" in html
    for label in (
        "Type de la pièce d'identité",
        "Numéro de la pièce d'identité",
        "Date d'expiration de la pièce d'identité",
        "Date de naissance",
        "Numéro de téléphone",
        "Opérateur téléphonique",
        "Adresse e-mail (facultatif)",
        "Code de vérification",
    ):
        assert label in unescape(html), label
    assert ">Valider</button>" in html


def test_invalid_answers_show_the_summary_and_keep_the_rest(client):
    response = client.post(START, form_data(phone="0522123456", id_document_expiry="01/01/2001"))
    html = response.content.decode()
    assert "Il y a un problème" in html
    assert "Votre pièce d'identité a expiré" in unescape(html)
    assert "Saisissez un numéro de téléphone mobile marocain" in html
    assert 'value="LL000001"' in html
    assert not OnboardingAttempt.objects.exists()


def test_outcome_a_shows_the_number_and_invites_to_log_in(client):
    person = _tns()
    UserFactory(insured=person)
    response = client.post(START, form_data(), follow=True)
    assert response.redirect_chain[-1][0] == reverse("tns_enrollment:has_account")
    html = response.content.decode()
    assert person.immatriculation_number in html
    assert "ACCÉDER AU COMPTE MACNSS" in html
    assert not OutboundSms.objects.exists()


def test_outcome_b_code_then_account(client, django_capture_on_commit_callbacks):
    person = _tns(address="7 rue Zerktouni, Casablanca", email="leila@example.ma")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(START, form_data())
    assert response["Location"] == CODE
    page = client.get(CODE).content.decode()
    assert "Code OTP reçu par SMS" in page
    assert "Code de vérification" in page  # the guide's second captcha
    assert person.immatriculation_number not in page  # nothing shown before the code
    # a wrong code
    response = client.post(CODE, {"code": "000000", "captcha_0": "x", "captcha_1": "PASSED"})
    assert "Le code saisi est incorrect" in response.content.decode()
    # the right one
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CODE, {"code": _code_from_outbox(), "captcha_0": "x", "captcha_1": "PASSED"}, follow=True
        )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("tns_enrollment:account_created")
    assert person.immatriculation_number in html
    for label in ("NOM", "PRENOM", "ADRESSE", "EMAIL", "TELEPHONE"):
        assert f"<dt>{label}</dt>" in html
    assert "7 rue Zerktouni, Casablanca" in html and "leila@example.ma" in html
    assert "mot de passe temporaire" in html
    assert User.objects.get(insured=person).must_change_password
    sms = OutboundSms.objects.get(purpose="temporary_password")
    assert sms.to == "+212612345678"
    # the password is only in the SMS, never on the page
    password = re.search(r"temporaire est (\S+)\.", sms_text(sms.body)).group(1)
    assert password not in html


def test_outcome_b_code_step_needs_the_captcha(client):
    _tns()
    client.post(START, form_data())
    response = client.post(CODE, {"code": _code_from_outbox(), "captcha_0": "x", "captcha_1": "WRONG"})
    assert "ne correspond pas à l'image" in unescape(response.content.decode())
    assert not User.objects.exists()


def test_outcome_b_resend_replaces_the_code(client):
    _tns()
    client.post(START, form_data())
    old = _code_from_outbox()
    response = client.post(CODE, {"resend": "1"}, follow=True)
    assert "Un nouveau code vient d'être envoyé" in unescape(response.content.decode())
    assert OneTimeCode.objects.filter(purpose="tns_enrollment").count() == 2
    new = _code_from_outbox()
    if new != old:
        response = client.post(CODE, {"code": old, "captcha_0": "x", "captcha_1": "PASSED"})
        assert "Le code saisi est incorrect" in response.content.decode()  # the old code no longer works
    response = client.post(CODE, {"code": new, "captcha_0": "x", "captcha_1": "PASSED"})
    assert response["Location"] == reverse("tns_enrollment:account_created")


def test_outcome_b_double_submit_of_the_code_makes_one_account(client):
    _tns()
    client.post(START, form_data())
    code = _code_from_outbox()
    first = client.post(CODE, {"code": code, "captcha_0": "x", "captcha_1": "PASSED"})
    second = client.post(CODE, {"code": code, "captcha_0": "x", "captcha_1": "PASSED"})
    assert first["Location"] == second["Location"] == reverse("tns_enrollment:account_created")
    assert User.objects.count() == 1
    assert OutboundSms.objects.filter(purpose="temporary_password").count() == 1


def test_outcome_b_from_a_liaison_entry_registers_the_person(client, make_entry):
    entry = make_entry(id_document_number="LL000001")
    client.post(START, form_data())
    client.post(CODE, {"code": _code_from_outbox(), "captcha_0": "x", "captcha_1": "PASSED"})
    entry.refresh_from_db()
    assert entry.insured is not None
    html = client.get(reverse("tns_enrollment:account_created")).content.decode()
    assert entry.insured.immatriculation_number in html
    assert "TAZI" in html


def test_outcome_c_category_then_documents(client, reference_data):
    response = client.post(START, form_data())
    assert response["Location"] == reverse("tns_enrollment:not_registered")
    page = client.get(response["Location"]).content.decode()
    assert "Catégorie professionnelle" in page
    assert "Cette liste est actualisée au fur et à mesure" in page
    response = client.post(reverse("tns_enrollment:not_registered"), {"category": "architectes"}, follow=True)
    html = response.content.decode()
    assert "Documents à fournir : Architectes" in html
    assert "Copie du diplôme d'architecte" in unescape(html)
    assert reverse("tns_enrollment:proximity_points") in html
    assert OnboardingAttempt.objects.get().chosen_category.code == "architectes"


def test_outcome_c_without_a_choice_says_so(client, reference_data):
    client.post(START, form_data())
    response = client.post(reverse("tns_enrollment:not_registered"), {"category": ""})
    assert "Choisissez votre catégorie professionnelle dans la liste." in response.content.decode()


@pytest.mark.parametrize(
    ("setup", "reason_text"),
    [
        ("employee", "en tant que salarié"),
        ("cnops", "secteur public (CNOPS)"),
    ],
)
def test_outcome_d_states_the_reason(client, make_entry, setup, reason_text):
    if setup == "employee":
        _tns(regime=Regime.EMPLOYEE)
    else:
        make_entry(id_document_number="LL000001", is_eligible=False, non_eligibility_reason=NonEligibilityReason.CNOPS)
    response = client.post(START, form_data(), follow=True)
    assert response.redirect_chain[-1][0] == reverse("tns_enrollment:not_eligible")
    html = response.content.decode()
    assert "<h1>Vous n'êtes pas éligible au régime des travailleurs non salariés</h1>" in html
    assert reason_text in html


def _normalised(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r"captcha/image/[0-9a-f]+", "", html)


def test_no_enumeration_unknown_and_near_miss_look_the_same(client, make_entry, reference_data):
    _tns()  # LL000001, born 17/05/1980
    make_entry(id_document_number="LL000002")
    unknown = client.post(START, form_data(id_document_number="ZZ999999"), follow=True)
    client.cookies.clear()
    near_person = client.post(START, form_data(birth_date="18/05/1980"), follow=True)
    client.cookies.clear()
    near_entry = client.post(
        START, form_data(id_document_number="LL000002", id_document_expiry="01/07/2032"), follow=True
    )
    chains = {tuple(url for url, _ in r.redirect_chain) for r in (unknown, near_person, near_entry)}
    assert len(chains) == 1
    assert _normalised(unknown.content.decode()) == _normalised(near_person.content.decode())
    assert _normalised(unknown.content.decode()) == _normalised(near_entry.content.decode())
    assert not OutboundSms.objects.exists()
    assert set(OnboardingAttempt.objects.values_list("outcome", flat=True)) == {Outcome.NOT_REGISTERED}


def test_outcome_pages_need_the_journey(client):
    for name in ("code", "account_created", "has_account", "not_registered", "not_eligible"):
        response = client.get(reverse(f"tns_enrollment:{name}"))
        assert response.status_code == 302 and response["Location"] == START, name


def test_one_outcome_does_not_open_another(client, reference_data):
    client.post(START, form_data())  # outcome c
    assert client.get(reverse("tns_enrollment:has_account"))["Location"] == START
    assert client.get(reverse("tns_enrollment:account_created"))["Location"] == START


def test_another_persons_attempt_is_not_reachable(client, make_entry):
    """A session only ever points to its own attempt: a second visitor cannot see the first one's result."""
    person = _tns()
    UserFactory(insured=person)
    client.post(START, form_data())
    from django.test import Client

    stranger = Client()
    response = stranger.get(reverse("tns_enrollment:has_account"))
    assert response.status_code == 302
    assert person.immatriculation_number not in response.content.decode()


def test_per_document_limit(client):
    for _ in range(5):
        client.post(START, form_data(birth_date="01/01/1981"))
    response = client.post(START, form_data())
    html = response.content.decode()
    assert "Trop de tentatives pour cette pièce d'identité" in unescape(html)
    assert OnboardingAttempt.objects.filter(outcome=Outcome.BLOCKED).count() == 1


def test_per_ip_limit(client):
    for n in range(20):
        client.post(START, form_data(id_document_number=f"ZZ{n:06d}"))
    response = client.post(START, form_data(id_document_number="ZZ999999"))
    assert "Trop de tentatives depuis votre connexion" in response.content.decode()
    assert OnboardingAttempt.objects.count() == 20


def test_sms_limit_gives_a_clear_message(client, settings):
    _tns()
    for _ in range(settings.OTP_MAX_SENDS_PER_HOUR):
        client.post(START, form_data())
    response = client.post(START, form_data())
    assert "Trop de codes ont été envoyés à ce numéro" in response.content.decode()


def test_captcha_refresh_keeps_the_answers(client):
    response = client.post(START, {**form_data(), "_refresh_captcha": "1"})
    html = response.content.decode()
    assert 'value="LL000001"' in html
    assert "Il y a un problème" not in html
    assert not OnboardingAttempt.objects.exists()


def test_arabic_start_page(client):
    html = client.get("/ar/tns/").content.decode()
    assert 'dir="rtl"' in html
    assert "نوع وثيقة الهوية" in html


def test_proximity_points_page_lists_points_in_constant_queries(client, django_assert_max_num_queries):
    def _point(n):
        return ProximityPoint.objects.create(
            name=f"Agence {n}", city="Rabat", address=f"{n} avenue Hassan II", hours="8 h 30 – 16 h 30"
        )

    _point(1)
    with django_assert_max_num_queries(3) as one:
        response = client.get(reverse("tns_enrollment:proximity_points"))
    assert "Agence 1" in response.content.decode()
    for n in range(2, 30):
        _point(n)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("tns_enrollment:proximity_points"))
    assert "Agence 29" in response.content.decode()
    ProximityPoint.objects.filter(name="Agence 29").update(is_active=False)
    assert "Agence 29" not in client.get(reverse("tns_enrollment:proximity_points")).content.decode()


def test_proximity_points_in_arabic(client):
    ProximityPoint.objects.create(
        name="Agence Fès", name_ar="وكالة فاس", city="Fès", city_ar="فاس", address="Bd Allal El Fassi", hours="8h-16h"
    )
    html = client.get("/ar/tns/points-de-proximite/").content.decode()
    assert "وكالة فاس" in html
