"""Issue 16 §1-2 probes (audit H3, M1, L1): the public steps that send codes answer alike whether or not a
record exists (status, page, limits), and a code never goes to a phone the record does not hold."""

import re
from datetime import date
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from accounts import otp
from accounts.models import IdentityDocumentType, InsuredPerson, Regime, User
from macnss.core.models import OutboundSms
from tests.conftest import otp_from_sms
from tests.factories import InsuredPersonFactory, UserFactory
from tns_enrollment.models import LiaisonListEntry, NonEligibilityReason

pytestmark = pytest.mark.django_db

EXPIRY = date(2031, 6, 30)
BIRTH = date(1980, 5, 17)
SIGNUP, SIGNUP_CODE = reverse("accounts:signup"), reverse("accounts:signup_code")
TNS, TNS_CODE = reverse("tns_enrollment:start"), reverse("tns_enrollment:code")
TYPED_PHONE = "+212612345678"


def _normalised(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'name="captcha_0" value="[^"]+"', "", html)
    return re.sub(r"captcha/(image|audio)/[0-9a-f]+", "", html)


def _person(**fields):
    defaults = {"id_document_expiry": EXPIRY, "birth_date": BIRTH, "regime": Regime.EMPLOYEE}
    return InsuredPersonFactory(**{**defaults, **fields})


def _signup_cases():
    """Each case: the identifier to type; all share expiry and birth date."""
    real = _person(id_document_number="AA100001")
    with_account = _person(id_document_number="AA100002")
    UserFactory(insured=with_account)
    no_phone = _person(id_document_number="AA100003", phone="")
    _person(id_document_number="AA100004")
    _person(id_document_number="AA100004", id_document_type=IdentityDocumentType.PASSPORT)
    return {
        "right data": real.immatriculation_number,
        "already an account": with_account.immatriculation_number,
        "no phone on file": no_phone.immatriculation_number,
        "no record": "999999999",
        "ambiguous document": "AA100004",
    }


def _signup_answers(identifier):
    return {
        "identifier": identifier,
        "id_document_expiry": EXPIRY.strftime("%d/%m/%Y"),
        "birth_date": BIRTH.strftime("%d/%m/%Y"),
        "captcha_0": "x",
        "captcha_1": "PASSED",
    }


def test_signup_answers_alike_whatever_the_record(db):
    pages = {}
    for n, (case, identifier) in enumerate(_signup_cases().items()):
        client = Client(REMOTE_ADDR=f"203.0.113.{n + 1}")
        response = client.post(SIGNUP, _signup_answers(identifier))
        assert (response.status_code, response["Location"]) == (302, SIGNUP_CODE), case
        page = client.get(SIGNUP_CODE)
        assert page.status_code == 200
        pages[case] = _normalised(page.content.decode())
    assert len(set(pages.values())) == 1, "the code page differs between cases"
    # and only the two people whose record holds a phone were texted, each on that phone
    assert OutboundSms.objects.count() == 2
    assert set(OutboundSms.objects.values_list("purpose", flat=True)) == {"otp:signup", "notice:signup"}


def test_signup_limit_is_per_identity_and_the_same_for_everyone(settings, db):
    refusals = {}
    for n, (case, identifier) in enumerate(_signup_cases().items()):
        client = Client(REMOTE_ADDR=f"203.0.113.{n + 1}")
        for _ in range(settings.OTP_MAX_SENDS_PER_HOUR):
            assert client.post(SIGNUP, _signup_answers(identifier)).status_code == 302, case
        refused = client.post(SIGNUP, _signup_answers(identifier))
        assert refused.status_code == 200, case
        html = unescape(refused.content.decode())
        assert "Vous avez demandé trop de codes pour ces informations" in html
        refusals[case] = _normalised(html).replace(identifier, "IDENTIFIANT")
    assert len(set(refusals.values())) == 1


def test_signup_resend_limit_is_the_same_for_a_real_person_and_a_decoy(settings, db):
    cases = _signup_cases()
    messages = {}
    for n, case in enumerate(("right data", "no record", "already an account")):
        client = Client(REMOTE_ADDR=f"203.0.113.{n + 1}")
        client.post(SIGNUP, _signup_answers(cases[case]))
        for _ in range(settings.OTP_MAX_SENDS_PER_HOUR - 1):
            page = unescape(client.post(SIGNUP_CODE, {"resend": "1"}, follow=True).content.decode())
            assert "Un nouveau code vient d'être envoyé" in page, case
        page = unescape(client.post(SIGNUP_CODE, {"resend": "1"}, follow=True).content.decode())
        messages[case] = "Vous avez demandé trop de codes" in page
    assert messages == {"right data": True, "no record": True, "already an account": True}


def _phone_at_its_cap(phone, settings):
    for _ in range(settings.OTP_MAX_SENDS_PER_HOUR):
        otp.issue_code(purpose="elsewhere", phone=phone)
    return OutboundSms.objects.filter(to=phone).count()


@pytest.mark.parametrize(
    ("url", "answers"),
    [
        (
            "accounts:recover_number",
            lambda p: {
                "id_document_type": p.id_document_type,
                "id_document_number": p.id_document_number,
                "birth_date": p.birth_date.strftime("%d/%m/%Y"),
                "captcha_0": "x",
                "captcha_1": "PASSED",
            },
        ),
        (
            "accounts:password_recovery",
            lambda p: {"number": p.immatriculation_number, "captcha_0": "x", "captcha_1": "PASSED"},
        ),
        ("accounts:signup", lambda p: _signup_answers(p.immatriculation_number)),
    ],
)
def test_a_phone_over_its_cap_drops_the_sms_silently_l1(url, answers, settings, db):
    """L1: a real identity whose phone has had its codes used to get «trop de codes»; a decoy never did."""
    real = _person(id_document_number="AA200001")
    if url == "accounts:password_recovery":
        UserFactory(insured=real)
    sent_before = _phone_at_its_cap(real.phone, settings)
    real_client, decoy_client = Client(REMOTE_ADDR="203.0.113.1"), Client(REMOTE_ADDR="203.0.113.2")
    real_answer = real_client.post(reverse(url), answers(real))
    unknown = InsuredPerson(
        immatriculation_number="999999998",
        id_document_type=IdentityDocumentType.CNIE,
        id_document_number="ZZ999999",
        birth_date=date(1950, 1, 1),
        id_document_expiry=EXPIRY,
    )
    decoy_answer = decoy_client.post(reverse(url), answers(unknown))
    assert real_answer.status_code == decoy_answer.status_code == 302
    assert real_answer["Location"] == decoy_answer["Location"]
    assert _normalised(real_client.get(real_answer["Location"]).content.decode()) == _normalised(
        decoy_client.get(decoy_answer["Location"]).content.decode()
    )
    assert OutboundSms.objects.filter(to=real.phone).count() == sent_before  # dropped, silently


# --- TNS onboarding (seed 001, H3 and M1) ----------------------------------------------------------


def _tns_answers(document_number, phone="0612345678"):
    return {
        "id_document_type": "cnie",
        "id_document_number": document_number,
        "id_document_expiry": EXPIRY.strftime("%d/%m/%Y"),
        "birth_date": BIRTH.strftime("%d/%m/%Y"),
        "phone": phone,
        "phone_operator": "inwi",
        "email": "",
        "captcha_0": "x",
        "captcha_1": "PASSED",
    }


def _tns_cases():
    from accounts.models import ProfessionalCategory

    with_account = _person(id_document_number="TT000001", regime=Regime.TNS)
    UserFactory(insured=with_account)
    _person(id_document_number="TT000002", regime=Regime.TNS)  # b, registered
    LiaisonListEntry.objects.create(
        organism="Ministère de la Santé",
        category=ProfessionalCategory.objects.get(code="medecins"),
        id_document_number="TT000003",
        id_document_expiry=EXPIRY,
        birth_date=BIRTH,
        last_name="TAZI",
        first_name="Nadia",
        phone="+212661300003",
    )  # b, listed with a phone
    _person(id_document_number="TT000004", regime=Regime.EMPLOYEE)  # d
    LiaisonListEntry.objects.create(
        organism="Ministère de la Santé",
        category=ProfessionalCategory.objects.get(code="medecins"),
        id_document_number="TT000005",
        id_document_expiry=EXPIRY,
        birth_date=BIRTH,
        last_name="SQALLI",
        first_name="Rachid",
        phone="+212661300005",
        is_eligible=False,
        non_eligibility_reason=NonEligibilityReason.CNOPS,
        status="non_eligible",
    )  # d, listed
    return ["TT000001", "TT000002", "TT000003", "TT000004", "TT000005"]


def test_tns_outcomes_a_b_d_show_the_same_page_and_text_only_the_phone_on_file(reference_data):
    pages = []
    for n, document in enumerate(_tns_cases()):
        client = Client(REMOTE_ADDR=f"203.0.113.{n + 1}")
        response = client.post(TNS, _tns_answers(document))
        assert (response.status_code, response["Location"]) == (302, TNS_CODE), document
        pages.append(_normalised(client.get(TNS_CODE).content.decode()))
    assert len(set(pages)) == 1
    assert OutboundSms.objects.count() == 5
    assert not OutboundSms.objects.filter(to=TYPED_PHONE).exists()


def test_onboarding_with_another_phone_sends_nothing_there_and_keeps_the_phone_on_file(reference_data):
    """H3, reproduced by the audit: the code went to the typed phone, which then replaced the phone on
    file. Now the typed phone gets nothing, the journey continues only with the code from the phone on
    file, and that phone stays."""
    person = _person(id_document_number="TT000002", regime=Regime.TNS, pays_contributions_directly=True)
    phone_on_file = person.phone
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    attacker.post(TNS, _tns_answers("TT000002", phone="0698765432"))
    assert not OutboundSms.objects.filter(to="+212698765432").exists()
    # the attacker cannot guess the code; the typed phone never gets one, even on «Renvoyer le code»
    attacker.post(TNS_CODE, {"resend": "1"})
    assert not OutboundSms.objects.filter(to="+212698765432").exists()
    page = attacker.post(TNS_CODE, {"code": "123456", "captcha_0": "x", "captcha_1": "PASSED"})
    assert "incorrect" in page.content.decode()
    # the real person, with the code from the phone on file, creates the account: his phone stays
    code = otp_from_sms(OutboundSms.objects.filter(to=phone_on_file).latest("pk").body)
    attacker.post(TNS_CODE, {"code": code, "captcha_0": "x", "captcha_1": "PASSED"})
    password = "une phrase de passe bien longue"
    attacker.post(reverse("tns_enrollment:password"), {"new_password1": password, "new_password2": password})
    person.refresh_from_db()
    assert person.phone == phone_on_file
    assert User.objects.filter(insured=person).exists()
    assert not OutboundSms.objects.filter(to="+212698765432").exists()


def test_the_phone_on_a_liaison_list_is_never_replaced_by_the_typed_one(reference_data):
    _tns_cases()
    client = Client(REMOTE_ADDR="203.0.113.9")
    client.post(TNS, _tns_answers("TT000003", phone="0698765432"))
    code = otp_from_sms(OutboundSms.objects.get(to="+212661300003").body)
    client.post(TNS_CODE, {"code": code, "captcha_0": "x", "captcha_1": "PASSED"})
    person = InsuredPerson.objects.get(id_document_number="TT000003")
    assert person.phone == "+212661300003" and not person.first_rib_needs_check
    assert not OutboundSms.objects.filter(to="+212698765432").exists()
