"""The shared journeys as a newcomer walks them: log in, the private home, lockout, a lost number."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Regime
from tests.conftest import otp_from_sms
from tests.factories import PASSWORD, InsuredPersonFactory, UserFactory

pytestmark = pytest.mark.browser


def _log_in(
    page, number, password, *, label_number="Numéro d'immatriculation", label_password="Mot de passe", button="ACCÉDER"
):
    page.get_by_label(label_number).fill(number)
    page.get_by_label(label_password).fill(password)
    page.get_by_role("button", name=button, exact=True).click()


def test_login_from_the_home_page_to_the_private_home_in_french(page, a11y, transactional_db):
    user = UserFactory()
    page.goto("/")
    a11y(page)
    page.get_by_role("link", name="ACCÉDER AU COMPTE MACNSS").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accéder à votre compte Ma CNSS")
    a11y(page)
    _log_in(page, "12345", "x")
    expect(page.get_by_role("alert").first).to_contain_text("Il y a un problème")
    expect(page.get_by_text("Le numéro d'immatriculation comporte 9 chiffres.").first).to_be_visible()
    a11y(page)
    _log_in(page, user.username, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Page d'accueil")
    expect(page.get_by_text(user.insured.immatriculation_number)).to_be_visible()
    expect(page.get_by_role("heading", name="Mes demandes")).to_be_visible()
    a11y(page)
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("link", name="ACCÉDER AU COMPTE MACNSS").first).to_be_visible()


def test_login_in_arabic_is_right_to_left(page, a11y, transactional_db):
    user = UserFactory()
    page.goto("/")
    page.get_by_role("button", name="العربية").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    a11y(page)
    page.get_by_role("link", name="الولوج إلى حساب Ma CNSS").first.click()
    _log_in(page, user.username, PASSWORD, label_number="رقم التسجيل", label_password="كلمة المرور", button="ولوج")
    expect(page.get_by_role("heading", level=1)).to_have_text("الصفحة الرئيسية")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    a11y(page)


def test_wrong_passwords_bring_the_captcha_then_lock_the_account_for_a_while(page, a11y, transactional_db):
    user = UserFactory()
    page.goto("/compte/connexion/")
    for _ in range(5):
        _log_in(page, user.username, "mauvais-mot-de-passe")
    # From the fifth failure on, the form asks the captcha (typed "PASSED" in test mode).
    expect(page.get_by_role("textbox", name="Code de vérification")).to_be_visible()
    a11y(page)
    for _ in range(15):
        page.get_by_role("textbox", name="Code de vérification").fill("PASSED")
        _log_in(page, user.username, "mauvais-mot-de-passe")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accès temporairement bloqué")
    a11y(page)
    page.goto("/compte/connexion/")
    _log_in(page, user.username, PASSWORD)  # even the right password is refused during the lock
    expect(page.get_by_role("heading", level=1)).to_have_text("Accès temporairement bloqué")


def test_tns_paying_directly_gives_his_rib_first(page, a11y, transactional_db):
    person = InsuredPersonFactory(regime=Regime.TNS, pays_contributions_directly=True)
    user = UserFactory(insured=person)
    page.goto("/compte/connexion/")
    _log_in(page, user.username, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("RIB et prélèvement automatique")
    page.get_by_label("RIB").fill("011519000001205000534922")
    page.get_by_role("button", name="Ajouter").click()
    expect(page.get_by_text("la clé (les 2 derniers chiffres) ne correspond pas").first).to_be_visible()
    expect(page.get_by_text("Cochez la case").first).to_be_visible()
    a11y(page)
    page.get_by_label("RIB").fill("011 519 0000012050005349 21")
    page.get_by_label("j'autorise le prélèvement automatique bancaire des cotisations cnss").check()
    page.get_by_role("button", name="Ajouter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Page d'accueil")
    expect(page.get_by_text("011 519 0000012050005349 21")).to_be_visible()


def test_recover_a_lost_number_with_the_code_read_on_the_demo_phone(page, a11y, settings, transactional_db):
    settings.DEBUG = True  # the demo phone exists only in development
    person = InsuredPersonFactory(id_document_number="BK123456")
    page.goto("/")
    page.get_by_role("link", name="Retrouver mon numéro d'immatriculation").click()
    a11y(page)
    page.get_by_label("Type de la pièce d'identité").select_option(
        label="Carte nationale d'identité électronique (CNIE)"
    )
    page.get_by_label("Numéro de la pièce d'identité").fill("bk 123456")
    page.get_by_label("Date de naissance").fill(person.birth_date.strftime("%d/%m/%Y"))
    page.get_by_label("Code de vérification").fill("PASSED")
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_label("Code OTP reçu par SMS")).to_have_attribute("autocomplete", "one-time-code")
    expect(page.get_by_text(person.immatriculation_number)).to_have_count(0)
    a11y(page)
    page.get_by_label("Code OTP reçu par SMS").fill("000000")
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_text("Le code saisi est incorrect").first).to_be_visible()
    code_page = page.url
    page.get_by_role("link", name="Téléphone de démonstration (SMS reçus)").click()
    body = page.locator(".sms-body").first.inner_text()
    page.goto(code_page)
    page.get_by_label("Code OTP reçu par SMS").fill(otp_from_sms(body))
    page.get_by_role("button", name="Valider").click()
    expect(page.locator(".big-number")).to_have_text(person.immatriculation_number)
    a11y(page)


def test_recover_number_in_arabic_keeps_answers_on_error(page, a11y, transactional_db):
    page.goto("/ar/compte/retrouver-mon-numero/")
    page.get_by_label("رقم وثيقة الهوية").fill("AB123456")
    page.get_by_label("تاريخ الازدياد").fill("31/02/1990")
    page.get_by_role("button", name="تأكيد").click()
    expect(page.get_by_role("heading", name="هناك مشكل")).to_be_visible()
    expect(page.get_by_label("رقم وثيقة الهوية")).to_have_value("AB123456")
    expect(page).to_have_title(re.compile("^خطأ"))
    a11y(page)
