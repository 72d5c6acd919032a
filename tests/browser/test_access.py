"""Issue 16 §3-4 as a person walks it: log in with the CIN, «Mes connexions» and «Déconnecter les autres
appareils», «Confirmez votre identité» before the RIB; in French and in Arabic."""

import time
from importlib import import_module

import pytest
from django.conf import settings
from playwright.sync_api import expect

from accounts import reauth
from accounts.models import Regime
from tests.factories import PASSWORD, InsuredPersonFactory, UserFactory

pytestmark = pytest.mark.browser

LABELS = {
    "fr": {
        "enter": "ACCÉDER AU COMPTE MACNSS",
        "identifier": "Numéro d'immatriculation ou CIN",
        "password": "Mot de passe",
        "submit": "ACCÉDER",
        "home": "Page d'accueil",
        "sign_ins": "Mes connexions",
        "this_device": "Cet appareil",
        "end_others": "Déconnecter les autres appareils",
        "ended": "Vos autres appareils ont été déconnectés.",
        "none_left": "Aucun autre appareil n'est connecté à votre compte.",
        "rib": "Ajouter mon RIB",
        "reauth": "Confirmez votre identité",
        "confirm": "Confirmer",
        "rib_page": "RIB et prélèvement automatique",
    },
    "ar": {
        "enter": "الولوج إلى حساب Ma CNSS",
        "identifier": "رقم التسجيل أو رقم البطاقة الوطنية",
        "password": "كلمة المرور",
        "submit": "ولوج",
        "home": "الصفحة الرئيسية",
        "sign_ins": "عمليات الولوج إلى حسابي",
        "this_device": "هذا الجهاز",
        "end_others": "قطع الاتصال بالأجهزة الأخرى",
        "ended": "تم قطع الاتصال بأجهزتكم الأخرى.",
        "none_left": "لا يوجد أي جهاز آخر متصل بحسابكم.",
        "rib": None,
        "reauth": "أكّدوا هويتكم",
        "confirm": "تأكيد",
        "rib_page": None,
    },
}


def _employee():
    person = InsuredPersonFactory(regime=Regime.EMPLOYEE, id_document_number="BE482913")
    return UserFactory(insured=person)


def _age_proof(context, minutes=11):
    """What ten minutes of reading would do to the proof of identity kept in the session."""
    cookie = next(c for c in context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key=cookie["value"])
    session[reauth.SESSION_KEY] = int(time.time()) - minutes * 60
    session.save()


def _sign_in_elsewhere(browser, base_url, user):
    """The same person on a second device."""
    other = browser.new_context(base_url=base_url)
    page = other.new_page()
    page.goto("/compte/connexion/")
    page.get_by_label("Numéro d'immatriculation ou CIN").fill(user.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="ACCÉDER", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Page d'accueil")
    return other, page


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_an_employee_logs_in_with_his_cin_and_ends_his_other_sessions(
    page, browser, live_server, a11y, transactional_db, language
):
    words = LABELS[language]
    user = _employee()
    other_device, other_page = _sign_in_elsewhere(browser, live_server.url, user)
    page.goto("/")
    if language == "ar":
        page.get_by_role("button", name="العربية").click()
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.get_by_role("link", name=words["enter"]).first.click()
    a11y(page)
    page.get_by_label(words["identifier"]).fill("be 482913")  # the CIN as printed, any case and spacing
    page.get_by_label(words["password"]).fill(PASSWORD)
    page.get_by_role("button", name=words["submit"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["home"])

    page.get_by_role("link", name=words["sign_ins"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["sign_ins"])
    expect(page.get_by_text(words["this_device"])).to_be_visible()
    expect(page.locator("tbody").first.locator("tr")).to_have_count(2)  # this browser and the other device
    a11y(page)
    page.get_by_role("button", name=words["end_others"]).click()
    expect(page.get_by_text(words["ended"])).to_be_visible()
    expect(page.get_by_text(words["none_left"])).to_be_visible()
    a11y(page)
    # The other device is signed out at its next click.
    other_page.reload()
    expect(other_page.get_by_role("heading", level=1)).to_have_text("Accéder à votre compte Ma CNSS")
    other_device.close()


def test_changing_the_rib_later_asks_identity_first(page, a11y, transactional_db):
    words = LABELS["fr"]
    user = _employee()
    page.goto("/compte/connexion/")
    page.get_by_label(words["identifier"]).fill(user.insured.id_document_number)
    page.get_by_label(words["password"]).fill(PASSWORD)
    page.get_by_role("button", name=words["submit"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["home"])
    _age_proof(page.context)
    page.get_by_role("link", name=words["rib"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["reauth"])
    a11y(page)
    page.get_by_label(words["password"]).fill("pas-le-bon")
    page.get_by_role("button", name=words["confirm"], exact=True).click()
    expect(page.get_by_text("Le mot de passe est incorrect.").first).to_be_visible()
    a11y(page)
    page.get_by_label(words["password"]).fill(PASSWORD)
    page.get_by_role("button", name=words["confirm"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["rib_page"])


def test_identity_page_in_arabic(page, a11y, transactional_db):
    words = LABELS["ar"]
    user = _employee()
    page.goto("/ar/compte/connexion/")
    page.get_by_label(words["identifier"]).fill(user.username)
    page.get_by_label(words["password"]).fill(PASSWORD)
    page.get_by_role("button", name=words["submit"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["home"])
    page.goto("/ar/compte/confirmer-identite/?next=/ar/compte/e-mail/")
    expect(page.get_by_role("heading", level=1)).to_have_text(words["reauth"])
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    a11y(page)
    page.get_by_label(words["password"]).fill(PASSWORD)
    page.get_by_role("button", name=words["confirm"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("بريدي الإلكتروني")
    a11y(page)
