"""ASVI online payment as a newcomer walks it: from the home page, through the mock CMI gateway (real HTTP
callback to the live server), to the receipt or the refusal."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts.models import Regime
from asvi_payment import services
from asvi_payment.demo import seed_rates
from asvi_payment.models import AsviDue, DueStatus, MockCmiPayment, PaymentOrder
from macnss.core.models import OutboundEmail
from tests.factories import PASSWORD, InsuredPersonFactory, UserFactory

pytestmark = pytest.mark.browser


def _member():
    seed_rates()
    person = InsuredPersonFactory(regime=Regime.ASVI, asvi_reference_salary=Decimal("2778.29"), email="asvi@example.ma")
    for year, quarter in ((2020, 1), (2026, 1), (2026, 2)):
        AsviDue.objects.create(
            insured=person,
            year=year,
            quarter=quarter,
            amount=Decimal("1451.10"),
            reference=services.due_reference(person.immatriculation_number, year, quarter),
        )
    return person


def _initials(person) -> str:
    return f"{person.last_name[0]}. {person.first_name[0]}."


def _shows_nothing_personal(page, person):
    """Audit H4: the initials only, never the name, the e-mail or the phone."""
    text = page.locator("body").inner_text()
    for value in (person.first_name, person.email, person.phone[-9:]):
        assert value not in text


def _to_gateway(page, a11y, person, *, keep=("2020",), check_a11y=True, totals=("1451.10", "1467.06")):
    page.goto("/")
    page.get_by_role("link", name="Paiement en ligne").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Paiement en ligne")
    if check_a11y:
        a11y(page)
    page.get_by_role("link", name="ASSURÉ ASVI").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assuré ASVI")
    page.get_by_label("Numéro d'immatriculation").fill(person.immatriculation_number)
    page.get_by_label("Code de contrôle").fill("PASSED")
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trimestres non payés")
    expect(page.get_by_text(_initials(person), exact=True)).to_be_visible()
    _shows_nothing_personal(page, person)
    if check_a11y:
        a11y(page)
    for year, quarter in (("2026", "1"), ("2026", "2")):
        if year not in keep:
            page.get_by_label(f"Payer le trimestre {quarter} de {year}").uncheck()
    page.get_by_role("button", name="Recalculer").click()
    expect(page.locator("#dues-total")).to_have_text(totals[0])
    page.get_by_role("button", name="Compléter le paiement").click()
    expect(page.get_by_text("Cochez la case pour accepter les conditions générales de paiement.").first).to_be_visible()
    if check_a11y:
        a11y(page)
    page.get_by_label("J'ai lu et accepté les conditions générales de paiement.").check()
    page.get_by_role("button", name="Compléter le paiement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Transaction")
    expect(page.get_by_text(f"{totals[1]} DH")).to_be_visible()
    expect(page.get_by_role("cell", name="Frais de traitement")).to_be_visible()
    expect(page.get_by_text(_initials(person), exact=True)).to_be_visible()
    _shows_nothing_personal(page, person)
    if check_a11y:
        a11y(page)
    page.get_by_role("button", name="Valider le paiement").click()
    # The auto-submitted form (external JS) lands on the gateway's hosted page.
    expect(page.get_by_role("heading", level=1)).to_have_text("DEMANDE DE PAIEMENT")
    expect(page.get_by_role("heading", name="DÉTAIL DE LA COMMANDE")).to_be_visible()
    expect(page.get_by_role("cell", name="Frais de traitement")).to_be_visible()
    _shows_nothing_personal(page, person)  # the gateway got the initials, no e-mail, no phone


def _pay_with(page, number):
    page.get_by_label("Nom du porteur de la carte").fill("Salma Bennani")
    page.get_by_label("Numéro de carte de paiement").fill(number)
    page.get_by_label("Mois d'expiration").select_option("12")
    page.get_by_label("Code de vérification").fill("000")
    page.get_by_label("Confirmer l'acceptation des conditions générales d'utilisation du service").check()
    page.get_by_role("button", name="Valider le paiement").click()


def test_approved_card_pays_and_shows_the_receipt(page, a11y, transactional_db):
    person = _member()
    _to_gateway(page, a11y, person)
    a11y(page)
    _pay_with(page, "4000000000000010")
    expect(page.get_by_role("heading", level=1)).to_have_text("Paiement accepté", timeout=20000)
    expect(page.get_by_text("Reçu de règlement n°")).to_be_visible()
    expect(page.get_by_text(_initials(person), exact=True)).to_be_visible()
    _shows_nothing_personal(page, person)
    expect(page.get_by_text("s'il y en a une")).to_be_visible()
    a11y(page)
    order = PaymentOrder.objects.get()
    assert order.is_paid
    assert MockCmiPayment.objects.get().callback_reply == "ACTION=POSTAUTH"
    expect(page.get_by_text(order.receipt_number).first).to_be_visible()
    email = OutboundEmail.objects.get(purpose="asvi_payment_receipt")
    assert email.attachment.name.endswith(".pdf")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le reçu (PDF)").click()
    assert download.value.suggested_filename == f"recu-{order.receipt_number}.pdf"
    # The paid quarter is no longer listed as unpaid.
    page.goto("/paiement/assure-asvi/creances/")
    expect(page.get_by_text("BPC" + person.immatriculation_number + "202001")).to_have_count(0)
    expect(page.get_by_label("Payer le trimestre 1 de 2026")).to_be_visible()
    assert AsviDue.objects.get(year=2020).status == DueStatus.PAID


def test_three_d_secure_card_asks_for_the_code(page, a11y, transactional_db):
    person = _member()
    _to_gateway(page, a11y, person, keep=("2020", "2026"), check_a11y=False, totals=("4353.30", "4401.19"))
    _pay_with(page, "5191630100004896")
    expect(page.get_by_role("heading", level=1)).to_have_text("Authentification 3-D Secure")
    a11y(page)
    page.get_by_label("Code d'authentification 3-D Secure").fill("000")
    page.get_by_role("button", name="Confirmer").click()
    expect(page.get_by_text("Code d'authentification incorrect").first).to_be_visible()
    page.get_by_label("Code d'authentification 3-D Secure").fill("123")
    page.get_by_role("button", name="Confirmer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Paiement accepté", timeout=20000)
    expect(page.get_by_text("4401.19 DH")).to_be_visible()  # 3 × 1451.10 + 47.89 fee
    assert not AsviDue.objects.filter(status=DueStatus.UNPAID).exists()


def test_declined_card_shows_the_refusal_and_nothing_is_paid(page, a11y, transactional_db):
    person = _member()
    _to_gateway(page, a11y, person, check_a11y=False)
    _pay_with(page, "4000000000009995")
    expect(page.get_by_role("heading", level=1)).to_have_text("Paiement refusé", timeout=20000)
    expect(page.get_by_text("provision insuffisante")).to_be_visible()
    a11y(page)
    assert not PaymentOrder.objects.get().is_paid
    assert MockCmiPayment.objects.get().callback_reply == "APPROVED"
    page.get_by_role("link", name="Réessayer le paiement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trimestres non payés")
    expect(page.get_by_label("Payer le trimestre 1 de 2020")).to_be_visible()


def test_cancel_goes_back_to_the_dues(page, a11y, transactional_db):
    person = _member()
    _to_gateway(page, a11y, person, check_a11y=False)
    page.get_by_role("button", name="Annuler").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trimestres non payés")
    expect(page.get_by_label("Payer le trimestre 1 de 2020")).to_be_visible()
    assert not PaymentOrder.objects.filter(status="paid").exists()
    assert MockCmiPayment.objects.get().result == "cancelled"


def test_unknown_number_gets_the_neutral_message(page, a11y, transactional_db):
    page.goto("/paiement/assure-asvi/")
    page.get_by_label("Numéro d'immatriculation").fill("999999999")
    page.get_by_label("Code de contrôle").fill("PASSED")
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("alert").first).to_contain_text("Il y a un problème")
    expect(page.get_by_text(re.compile("Aucune cotisation d'assurance volontaire")).first).to_be_visible()
    a11y(page)


def test_arabic_journey_is_right_to_left_and_pays(page, a11y, transactional_db):
    person = _member()
    page.goto("/ar/")
    page.get_by_role("link", name="الأداء عبر الإنترنت").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", level=1)).to_have_text("الأداء عبر الإنترنت")
    a11y(page)
    page.get_by_role("link", name="مؤمَّن التأمين الاختياري").click()
    page.get_by_label("رقم التسجيل").fill(person.immatriculation_number)
    page.get_by_label("رمز التحقق").fill("PASSED")
    page.get_by_role("button", name="تأكيد").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("الثلاثيات غير المؤداة")
    expect(page.get_by_text(_initials(person), exact=True)).to_be_visible()
    _shows_nothing_personal(page, person)
    a11y(page)
    page.get_by_label("أداء الثلاثي 1 من سنة 2026").uncheck()
    page.get_by_label("أداء الثلاثي 2 من سنة 2026").uncheck()
    page.get_by_label("قرأت وقبلت الشروط العامة للأداء.").check()
    page.get_by_role("button", name="إتمام الأداء").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("العملية")
    expect(page.get_by_text("1467.06")).to_have_count(2)
    a11y(page)
    page.get_by_role("button", name="تأكيد الأداء").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("طلب الأداء")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    a11y(page)
    page.get_by_label("اسم حامل البطاقة").fill("Salma Bennani")
    page.get_by_label("رقم بطاقة الأداء").fill("5453010000066100")
    page.get_by_label("رمز التحقق").fill("000")
    page.get_by_label("تأكيد قبول الشروط العامة لاستعمال الخدمة").check()
    page.get_by_role("button", name="تأكيد الأداء").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("تم قبول الأداء", timeout=20000)
    expect(page).to_have_url(re.compile(r"/ar/paiement/recu/"))
    expect(page.get_by_text(_initials(person), exact=True)).to_be_visible()
    _shows_nothing_personal(page, person)
    a11y(page)
    assert PaymentOrder.objects.get().is_paid


PRIVATE_SPACE = {
    "fr": {
        "home": "/",
        "login_link": "ACCÉDER AU COMPTE MACNSS",
        "number": "Numéro d'immatriculation",
        "password": "Mot de passe",
        "login": "ACCÉDER",
        "tile": "Payer mes cotisations ASVI",
        "dues": "Trimestres non payés",
        "uncheck": "Payer le trimestre {quarter} de 2026",
        "terms": "J'ai lu et accepté les conditions générales de paiement.",
        "complete": "Compléter le paiement",
        "transaction": "Transaction",
        "validate": "Valider le paiement",
        "gateway": "DEMANDE DE PAIEMENT",
        "holder": "Nom du porteur de la carte",
        "card": "Numéro de carte de paiement",
        "cvv": "Code de vérification",
        "accept": "Confirmer l'acceptation des conditions générales d'utilisation du service",
        "paid": "Paiement accepté",
        "my_space": "Mon espace",
    },
    "ar": {
        "home": "/ar/",
        "login_link": "الولوج إلى حساب Ma CNSS",
        "number": "رقم التسجيل",
        "password": "كلمة المرور",
        "login": "ولوج",
        "tile": "أداء اشتراكاتي في التأمين الاختياري",
        "dues": "الثلاثيات غير المؤداة",
        "uncheck": "أداء الثلاثي {quarter} من سنة 2026",
        "terms": "قرأت وقبلت الشروط العامة للأداء.",
        "complete": "إتمام الأداء",
        "transaction": "العملية",
        "validate": "تأكيد الأداء",
        "gateway": "طلب الأداء",
        "holder": "اسم حامل البطاقة",
        "card": "رقم بطاقة الأداء",
        "cvv": "رمز التحقق",
        "accept": "تأكيد قبول الشروط العامة لاستعمال الخدمة",
        "paid": "تم قبول الأداء",
        "my_space": "فضائي",
    },
}


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_a_logged_in_member_pays_from_his_private_space(page, a11y, transactional_db, language):
    """No captcha: the tile of his space leads to his dues; CMI may get his details, our pages show initials."""
    words = PRIVATE_SPACE[language]
    person = _member()
    UserFactory(insured=person)
    page.goto(words["home"])
    page.get_by_role("link", name=words["login_link"]).first.click()
    page.get_by_label(words["number"]).fill(person.immatriculation_number)
    page.get_by_label(words["password"]).fill(PASSWORD)
    page.get_by_role("button", name=words["login"], exact=True).click()
    page.get_by_role("link", name=words["tile"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["dues"])
    expect(page.get_by_role("link", name=words["my_space"])).to_be_visible()  # the breadcrumb
    expect(page.get_by_text(_initials(person), exact=True)).to_be_visible()
    _shows_nothing_personal(page, person)
    a11y(page)
    for quarter in ("1", "2"):
        page.get_by_label(words["uncheck"].format(quarter=quarter)).uncheck()
    page.get_by_label(words["terms"]).check()
    page.get_by_role("button", name=words["complete"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["transaction"])
    expect(page.get_by_text(_initials(person), exact=True)).to_be_visible()
    _shows_nothing_personal(page, person)
    a11y(page)
    page.get_by_role("button", name=words["validate"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["gateway"])
    # CMI's page (the mock) received his contact details, as the real CMI page shows them.
    expect(page.get_by_text(person.email.split("@")[1])).to_be_visible()
    page.get_by_label(words["holder"]).fill("Salma Bennani")
    page.get_by_label(words["card"]).fill("4000000000000010")
    page.get_by_label(words["cvv"]).fill("000")
    page.get_by_label(words["accept"]).check()
    page.get_by_role("button", name=words["validate"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["paid"], timeout=20000)
    expect(page.get_by_text(_initials(person), exact=True)).to_be_visible()
    _shows_nothing_personal(page, person)
    a11y(page)
    order = PaymentOrder.objects.get()
    assert order.is_paid and order.channel == "private"
    assert "email" in MockCmiPayment.objects.get().request_fields
