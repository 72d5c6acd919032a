"""«Créer un compte» as a newcomer walks it (issue 16 §1): from the home page to the login page, «créer un
compte», the code read on the demo phone, the password chosen on the page, the private home; and the
person with no phone on file, who is told where to go. French and Arabic, axe on every page."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from accounts.models import Regime, User
from tests.conftest import otp_from_sms
from tests.factories import InsuredPersonFactory

pytestmark = pytest.mark.browser

EXPIRY = date(2031, 6, 30)
BIRTH = date(1975, 3, 14)
NEW_PASSWORD = "Le-cafe-de-Fes-2026"

FR = {
    "home_link": "ACCÉDER AU COMPTE MACNSS",
    "signup_link": "créer un compte",
    "identifier": "Numéro d'immatriculation ou numéro de CNIE",
    "expiry": "Date d'expiration de la pièce d'identité",
    "birth": "Date de naissance",
    "captcha": "Code de vérification",
    "send": "Recevoir un code",
    "heading": "Créer un compte Ma CNSS",
    "neutral": "Si ces informations correspondent à un dossier de la CNSS avec un téléphone enregistré",
    "demo_phone": "Téléphone de démonstration (SMS reçus)",
    "code": "Code OTP reçu par SMS",
    "validate": "Valider",
    "choose": "Choisissez votre mot de passe",
    "password1": "Nouveau mot de passe",
    "password2": "Confirmez le nouveau mot de passe",
    "create": "Créer mon compte",
    "problem": "Il y a un problème",
    "home": "Page d'accueil",
    "logout": "Se déconnecter",
    "number": "Numéro d'immatriculation",
    "password": "Mot de passe",
    "login": "ACCÉDER",
    "nothing": "Vous ne recevez rien ?",
    "points": "Voir la liste des points de proximité et des agences CNSS",
    "points_heading": "Points de proximité et agences CNSS",
}
AR = {
    "home_link": "الولوج إلى حساب Ma CNSS",
    "signup_link": "إنشاء حساب",
    "identifier": "رقم التسجيل أو رقم البطاقة الوطنية للتعريف الإلكترونية",
    "expiry": "تاريخ انتهاء صلاحية وثيقة الهوية",
    "birth": "تاريخ الازدياد",
    "captcha": "رمز التحقق",
    "send": "التوصل برمز",
    "heading": "إنشاء حساب Ma CNSS",
    "neutral": "إذا كانت هذه المعلومات تطابق ملفا لدى الصندوق الوطني للضمان الاجتماعي فيه هاتف مسجل",
    "demo_phone": "هاتف العرض (الرسائل النصية المتوصل بها)",
    "code": "الرمز المتوصل به عبر رسالة نصية قصيرة",
    "validate": "تأكيد",
    "choose": "اختر كلمة المرور",
    "password1": "كلمة المرور الجديدة",
    "password2": "تأكيد كلمة المرور الجديدة",
    "create": "إنشاء حسابي",
    "problem": "هناك مشكل",
    "home": "الصفحة الرئيسية",
    "logout": "تسجيل الخروج",
    "number": "رقم التسجيل",
    "password": "كلمة المرور",
    "login": "ولوج",
    "nothing": "لم تتوصل بأي شيء؟",
    "points": "الاطلاع على لائحة نقط القرب ووكالات الصندوق الوطني للضمان الاجتماعي",
    "points_heading": "نقط القرب ووكالات الصندوق الوطني للضمان الاجتماعي",
}


def _employee(**fields):
    defaults = {
        "regime": Regime.EMPLOYEE,
        "id_document_number": "BJ771234",
        "id_document_expiry": EXPIRY,
        "birth_date": BIRTH,
        "last_name": "BERRADA",
        "first_name": "Youssef",
    }
    return InsuredPersonFactory(**{**defaults, **fields})


def _open_signup_from_home(page, a11y, words, prefix=""):
    page.goto(f"{prefix}/")
    page.get_by_role("link", name=words["home_link"]).first.click()
    a11y(page)
    page.get_by_role("link", name=words["signup_link"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["heading"])
    a11y(page)


def _fill_identity(page, words, identifier, *, birth=BIRTH):
    page.get_by_label(words["identifier"]).fill(identifier)
    page.get_by_label(words["expiry"]).fill(EXPIRY.strftime("%d/%m/%Y"))
    page.get_by_label(words["birth"]).fill(birth.strftime("%d/%m/%Y"))
    page.get_by_label(words["captcha"]).fill("PASSED")
    page.get_by_role("button", name=words["send"]).click()


def _code_from_demo_phone(page, words) -> str:
    code_page = page.url
    page.get_by_role("link", name=words["demo_phone"]).click()
    body = page.locator(".sms-body").first.inner_text()
    page.goto(code_page)
    return otp_from_sms(body)


def _walk(page, a11y, words, *, prefix, identifier, person):
    _open_signup_from_home(page, a11y, words, prefix)
    # a mistake first: a clear message, the answers kept
    _fill_identity(page, words, "12345")
    expect(page.get_by_role("heading", name=words["problem"])).to_be_visible()
    expect(page.get_by_label(words["identifier"])).to_have_value("12345")
    a11y(page)
    _fill_identity(page, words, identifier)
    expect(page.get_by_text(words["neutral"])).to_be_visible()
    expect(page.get_by_role("heading", name=words["nothing"])).to_be_visible()
    expect(page.get_by_text(person.phone[-4:])).to_have_count(0)  # the page names no phone
    a11y(page)
    page.get_by_label(words["code"]).fill(_code_from_demo_phone(page, words))
    page.get_by_role("button", name=words["validate"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["choose"])
    expect(page.get_by_text(person.immatriculation_number)).to_be_visible()
    a11y(page)
    page.get_by_label(re.compile(rf"^\s*{words['password1']}")).fill("court")
    page.get_by_label(re.compile(rf"^\s*{words['password2']}")).fill("court")
    page.get_by_role("button", name=words["create"]).click()
    expect(page.get_by_role("heading", name=words["problem"])).to_be_visible()
    a11y(page)
    page.get_by_label(re.compile(rf"^\s*{words['password1']}")).fill(NEW_PASSWORD)
    page.get_by_label(re.compile(rf"^\s*{words['password2']}")).fill(NEW_PASSWORD)
    page.get_by_role("button", name=words["create"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["home"])
    expect(page.get_by_text(person.immatriculation_number).first).to_be_visible()
    a11y(page)
    assert User.objects.get(insured=person).check_password(NEW_PASSWORD)
    # log out, then log in again with the number and the chosen password
    page.get_by_role("button", name=words["logout"]).click()
    page.get_by_role("link", name=words["home_link"]).first.click()
    page.get_by_label(words["number"]).fill(person.immatriculation_number)
    page.get_by_label(words["password"]).fill(NEW_PASSWORD)
    page.get_by_role("button", name=words["login"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["home"])


def test_an_employee_creates_his_account_from_the_home_page(page, a11y, settings, transactional_db):
    settings.DEBUG = True  # the demo phone exists only in development
    person = _employee()
    _walk(page, a11y, FR, prefix="", identifier=person.immatriculation_number, person=person)


def test_in_arabic_a_pensioner_creates_his_account_with_his_cnie_number(page, a11y, settings, transactional_db):
    settings.DEBUG = True
    person = _employee(regime=Regime.PENSIONER, id_document_number="BJ775678", preferred_language="ar")
    _walk(page, a11y, AR, prefix="/ar", identifier="bj775678", person=person)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")


@pytest.mark.parametrize(("words", "prefix"), [(FR, ""), (AR, "/ar")], ids=["fr", "ar"])
def test_a_person_with_no_phone_on_file_is_sent_to_an_agency(page, a11y, words, prefix, sms_inbox, transactional_db):
    from tns_enrollment.models import ProximityPoint

    ProximityPoint.objects.create(
        name="Agence CNSS Rabat Hassan",
        name_ar="وكالة الرباط حسان",
        city="Rabat",
        city_ar="الرباط",
        address="Avenue Allal Ben Abdellah",
        hours="8 h 30 – 16 h 30",
    )
    person = _employee(phone="")
    _open_signup_from_home(page, a11y, words, prefix)
    _fill_identity(page, words, person.immatriculation_number)
    expect(page.get_by_text(words["neutral"])).to_be_visible()
    help_box = page.locator("section", has=page.get_by_role("heading", name=words["nothing"]))
    expect(help_box).to_contain_text(re.compile("agence CNSS|وكالة الصندوق"))
    expect(help_box).to_contain_text(re.compile("bulletin de paie|ورقة أداء"))
    a11y(page)
    assert sms_inbox() == []
    help_box.get_by_role("link", name=words["points"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["points_heading"])
    expect(page.get_by_role("row", name=re.compile("Rabat|الرباط"))).to_be_visible()
    a11y(page)
