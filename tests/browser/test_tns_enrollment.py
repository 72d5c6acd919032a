"""«je suis un travailleur non salarié» as a newcomer walks it: the four outcomes of seed 001, from the
home page, by visible labels, with an accessibility check on each page. Outcomes a, b and d show the same
page; the SMS to the phone on file carries the outcome (issue 16 §2)."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from accounts.models import IdentityDocumentType, ProfessionalCategory, Regime
from tests.conftest import otp_from_sms
from tests.factories import InsuredPersonFactory, UserFactory
from tns_enrollment.models import LiaisonListEntry, LiaisonStatus, NonEligibilityReason, ProximityPoint

pytestmark = pytest.mark.browser

EXPIRY = date(2032, 6, 30)
BIRTH = date(1979, 11, 2)
PHONE = "0612345678"
PHONE_E164 = "+212612345678"
PHONE_ON_FILE = "+212661452310"
NEUTRAL = "un SMS vient d'être envoyé au téléphone enregistré"
NEW_PASSWORD = "Ma-phrase-de-passe-2026"


def _open_from_home(page, a11y):
    page.goto("/")
    page.get_by_role("link", name="je suis un travailleur non salarié").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Introduction des informations personnelles")
    a11y(page)


def _fill_identity(page, number, *, birth=BIRTH, expiry=EXPIRY, phone=PHONE):
    page.get_by_label("Type de la pièce d'identité").select_option(
        label="Carte nationale d'identité électronique (CNIE)"
    )
    page.get_by_label("Numéro de la pièce d'identité").fill(number)
    page.get_by_label("Date d'expiration de la pièce d'identité").fill(expiry.strftime("%d/%m/%Y"))
    page.get_by_label("Date de naissance").fill(birth.strftime("%d/%m/%Y"))
    page.get_by_label("Numéro de téléphone").fill(phone)
    page.get_by_label("Opérateur téléphonique").select_option(label="inwi")
    page.get_by_label("Adresse e-mail (facultatif)").fill("")
    page.get_by_label("Code de vérification").fill("PASSED")
    page.get_by_role("button", name="Valider").click()


def _tns(**fields):
    return InsuredPersonFactory(
        **{
            "id_document_number": "BK452310",
            "id_document_expiry": EXPIRY,
            "birth_date": BIRTH,
            "regime": Regime.TNS,
            "last_name": "TAZI",
            "first_name": "Nadia",
            "address": "18 rue Ibn Sina, Rabat",
            "email": "nadia.tazi@example.ma",
            "phone": PHONE_ON_FILE,
        }
        | fields
    )


def test_outcome_a_registered_with_an_account(page, a11y, sms_inbox, transactional_db):
    person = _tns()
    UserFactory(insured=person)
    _open_from_home(page, a11y)
    # a first try with mistakes: clear messages, answers kept
    _fill_identity(page, "bk452310", phone="0522123456", expiry=date(2020, 1, 1))
    expect(page.get_by_role("heading", name="Il y a un problème")).to_be_visible()
    expect(page.get_by_text("Votre pièce d'identité a expiré").first).to_be_visible()
    expect(page.get_by_text("Saisissez un numéro de téléphone mobile marocain").first).to_be_visible()
    expect(page.get_by_label("Numéro de la pièce d'identité")).to_have_value("bk452310")
    a11y(page)
    _fill_identity(page, "bk452310")
    # the same page as outcomes b and d: the number goes by SMS to the phone on file only
    expect(page.get_by_role("heading", level=1)).to_have_text("Saisissez le code OTP reçu par SMS")
    expect(page.get_by_text(NEUTRAL)).to_be_visible()
    expect(page.get_by_text(person.immatriculation_number)).to_have_count(0)
    a11y(page)
    [sms] = sms_inbox()
    assert sms.to == PHONE_ON_FILE and person.immatriculation_number in sms.body
    assert "vous avez déjà un compte Ma CNSS" in sms.body


def test_outcome_b_code_on_the_phone_of_the_list_resend_password_and_rib(
    page, a11y, sms_inbox, transactional_db, reference_data
):
    LiaisonListEntry.objects.create(
        organism="Ministère de la Santé",
        category=ProfessionalCategory.objects.get(code="medecins"),
        id_document_type=IdentityDocumentType.CNIE,
        id_document_number="BK452310",
        id_document_expiry=EXPIRY,
        birth_date=BIRTH,
        last_name="TAZI",
        first_name="Nadia",
        address="18 rue Ibn Sina, Rabat",
        email="nadia.tazi@example.ma",
        phone=PHONE_ON_FILE,
    )
    _open_from_home(page, a11y)
    _fill_identity(page, "BK452310")
    expect(page.get_by_role("heading", level=1)).to_have_text("Saisissez le code OTP reçu par SMS")
    expect(page.get_by_text(NEUTRAL)).to_be_visible()
    expect(page.get_by_label("Code OTP reçu par SMS")).to_have_attribute("autocomplete", "one-time-code")
    expect(page.get_by_label("Code de vérification")).to_be_visible()
    a11y(page)
    assert sms_inbox(PHONE_E164) == []  # the typed phone gets nothing: the list has a phone
    # a wrong code
    page.get_by_label("Code OTP reçu par SMS").fill("000000")
    page.get_by_label("Code de vérification").fill("PASSED")
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_text("Le code saisi est incorrect").first).to_be_visible()
    a11y(page)
    # «Renvoyer le code», then the new code from the SMS on the phone of the list
    page.get_by_role("button", name="Renvoyer le code").click()
    expect(page.get_by_text("Un nouveau code vient d'être envoyé").first).to_be_visible()
    otp_sms = [s for s in sms_inbox(PHONE_ON_FILE) if s.purpose == "otp:tns_enrollment"]
    assert len(otp_sms) == 2
    page.get_by_label("Code OTP reçu par SMS").fill(otp_from_sms(otp_sms[0].body))
    page.get_by_label("Code de vérification").fill("PASSED")
    page.get_by_role("button", name="Valider").click()
    # NOM, PRENOM… and the password chosen on the page
    expect(page.get_by_role("heading", level=1)).to_have_text("Créez votre accès à Ma CNSS")
    entry = LiaisonListEntry.objects.get()
    assert entry.status == LiaisonStatus.REGISTERED
    expect(page.locator(".big-number")).to_have_text(entry.insured.immatriculation_number)
    for label, value in (
        ("NOM", "TAZI"),
        ("PRENOM", "Nadia"),
        ("ADRESSE", "18 rue Ibn Sina, Rabat"),
        ("EMAIL", "nadia.tazi@example.ma"),
    ):
        expect(page.locator(".summary-list div", has_text=label).first).to_contain_text(value)
    expect(page.locator(".summary-list div", has_text="TELEPHONE")).to_contain_text("06 ** ** ** 10")
    a11y(page)
    page.get_by_label(re.compile(r"^\s*Nouveau mot de passe")).fill(NEW_PASSWORD)
    page.get_by_label("Confirmez le nouveau mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    # logged in; a new TNS pays directly: seed 000 asks for his RIB before anything else
    expect(page.get_by_role("heading", level=1)).to_have_text("RIB et prélèvement automatique")
    a11y(page)
    assert all(NEW_PASSWORD not in s.body for s in sms_inbox())
    assert entry.insured.phone == PHONE_ON_FILE


def test_exception_listed_without_a_phone_the_typed_phone_and_a_rib_to_verify(
    page, a11y, sms_inbox, transactional_db, reference_data
):
    LiaisonListEntry.objects.create(
        organism="Ministère du Tourisme",
        category=ProfessionalCategory.objects.get(code="guides-touristiques"),
        id_document_number="BK452310",
        id_document_expiry=EXPIRY,
        birth_date=BIRTH,
        last_name="NACIRI",
        first_name="Hicham",
    )
    _open_from_home(page, a11y)
    _fill_identity(page, "BK452310")
    expect(page.get_by_text(NEUTRAL)).to_be_visible()
    page.get_by_label("Code OTP reçu par SMS").fill(otp_from_sms(sms_inbox(PHONE_E164)[0].body))
    page.get_by_label("Code de vérification").fill("PASSED")
    page.get_by_role("button", name="Valider").click()
    page.get_by_label(re.compile(r"^\s*Nouveau mot de passe")).fill(NEW_PASSWORD)
    page.get_by_label("Confirmez le nouveau mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("RIB et prélèvement automatique")
    page.get_by_label("RIB").fill("011 519 0000012050005349 21")
    page.get_by_label("j'autorise le prélèvement automatique bancaire des cotisations cnss").check()
    page.get_by_role("button", name="Ajouter").click()
    page.goto("/compte/rib/")
    expect(page.get_by_text("RIB en cours de vérification")).to_be_visible()
    a11y(page)


def test_outcome_c_not_on_the_list_documents_and_agencies(page, a11y, transactional_db, reference_data):
    _tns()  # a near miss (other birth date) must look exactly like an unknown number
    ProximityPoint.objects.create(
        name="Agence CNSS Rabat Hassan", city="Rabat", address="Avenue Allal Ben Abdellah", hours="8 h 30 – 16 h 30"
    )
    _open_from_home(page, a11y)
    _fill_identity(page, "BK452310", birth=date(1979, 11, 3))
    expect(page.get_by_role("heading", level=1)).to_have_text("Vous n'êtes pas encore immatriculé")
    expect(page.get_by_text("Cette liste est actualisée au fur et à mesure")).to_be_visible()
    a11y(page)
    page.get_by_role("button", name="Afficher les documents à fournir").click()
    expect(page.get_by_text("Choisissez votre catégorie professionnelle dans la liste.").first).to_be_visible()
    a11y(page)
    page.get_by_label("Catégorie professionnelle").select_option(label="Médecins")
    page.get_by_role("button", name="Afficher les documents à fournir").click()
    expect(page.get_by_role("heading", name="Documents à fournir : Médecins")).to_be_visible()
    expect(page.get_by_text("Attestation d'inscription au tableau de l'Ordre national des médecins")).to_be_visible()
    a11y(page)
    page.get_by_role("link", name="Voir la liste des points de proximité et des agences CNSS").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Points de proximité et agences CNSS")
    row = page.get_by_role("row", name=re.compile("Agence CNSS Rabat Hassan"))
    expect(row).to_contain_text("Avenue Allal Ben Abdellah")
    expect(row).to_contain_text("8 h 30 – 16 h 30")
    a11y(page)


def test_outcome_d_not_eligible_the_reason_goes_by_sms(page, a11y, sms_inbox, transactional_db):
    _tns(regime=Regime.EMPLOYEE)
    _open_from_home(page, a11y)
    _fill_identity(page, "BK452310")
    expect(page.get_by_role("heading", level=1)).to_have_text("Saisissez le code OTP reçu par SMS")
    expect(page.get_by_text(NEUTRAL)).to_be_visible()
    a11y(page)
    [sms] = sms_inbox()
    assert sms.to == PHONE_ON_FILE and "déjà couvert" in sms.body and "secteur privé" not in sms.body


def test_arabic_outcome_d_from_a_liaison_list(page, a11y, sms_inbox, transactional_db, reference_data):
    LiaisonListEntry.objects.create(
        organism="Ministère de la Santé",
        category=ProfessionalCategory.objects.get(code="medecins"),
        id_document_number="BK452310",
        id_document_expiry=EXPIRY,
        birth_date=BIRTH,
        last_name="SQALLI",
        first_name="Rachid",
        is_eligible=False,
        non_eligibility_reason=NonEligibilityReason.CNOPS,
        status=LiaisonStatus.NOT_ELIGIBLE,
        phone=PHONE_ON_FILE,
    )
    page.goto("/ar/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.get_by_role("link", name="أنا عامل غير أجير").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("إدخال المعلومات الشخصية")
    a11y(page)
    page.get_by_label("نوع وثيقة الهوية").select_option(value="cnie")
    page.get_by_label("رقم وثيقة الهوية").fill("BK452310")
    page.get_by_label("تاريخ انتهاء صلاحية وثيقة الهوية").fill(EXPIRY.strftime("%d/%m/%Y"))
    page.get_by_label("تاريخ الازدياد").fill("31/02/1979")
    page.get_by_label("رقم الهاتف").fill(PHONE)
    page.get_by_label("مشغل الهاتف").select_option(value="orange")
    page.get_by_label("رمز التحقق").fill("PASSED")
    page.get_by_role("button", name="تأكيد").click()
    expect(page.get_by_role("heading", name="هناك مشكل")).to_be_visible()
    expect(page.get_by_label("رقم وثيقة الهوية")).to_have_value("BK452310")
    a11y(page)
    page.get_by_label("تاريخ الازدياد").fill(BIRTH.strftime("%d/%m/%Y"))
    page.get_by_label("رمز التحقق").fill("PASSED")
    page.get_by_role("button", name="تأكيد").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("أدخل الرمز المتوصل به عبر رسالة نصية قصيرة")
    expect(page.get_by_text("فقد أرسلت للتو رسالة نصية قصيرة إلى الهاتف المسجل")).to_be_visible()
    expect(page.get_by_text("CNOPS")).to_have_count(0)
    a11y(page)
    [sms] = sms_inbox()
    assert sms.to == PHONE_ON_FILE and "CNOPS" not in sms.body
