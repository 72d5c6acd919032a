"""TAAWIDATY walked as an insured would: from the home page, by visible labels, in French and in Arabic."""

import io
import re

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from accounts.demo import birth_date_for_age
from macnss.core.models import OutboundSms
from taawidaty.defaults import load_defaults
from taawidaty.models import ClaimDocument, PhysicalControlRule, RefundClaim, RequiredDocument
from tests.factories import PASSWORD, InsuredPersonFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, "PDF")
    return buffer.getvalue()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def setup_lists(transactional_db):
    def _setup(*, control_rate=0, always_for_mining=False):
        load_defaults()
        PhysicalControlRule.objects.update(is_active=False)
        PhysicalControlRule.objects.create(name="test", rate_percent=control_rate, always_for_mining=always_for_mining)

    return _setup


def make_person(*, age=61, declared=900, mining=0, **fields):
    person = InsuredPersonFactory(
        birth_date=birth_date_for_age(age), declared_days=declared, mining_days=mining, **fields
    )
    UserFactory(insured=person)
    return person


def log_in_through_taawidaty(page, person, a11y, *, arabic=False):
    page.goto("/ar/" if arabic else "/")
    page.get_by_role("link", name="TAAWIDATY", exact=False).first.click()
    # the shared login, same number and password as Ma CNSS
    expect(page).to_have_url(re.compile(r"/compte/connexion/\?next="))
    page.get_by_label("رقم التسجيل" if arabic else "Numéro d'immatriculation").fill(person.immatriculation_number)
    page.get_by_label("كلمة المرور" if arabic else "Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="ولوج" if arabic else "ACCÉDER", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("TAAWIDATY")
    a11y(page)


def choose_benefit_and_create(page, a11y):
    page.get_by_role("link", name="Remboursement des Cotisations Salariales").click()
    expect(page.get_by_role("heading", level=1, name="Remboursement des Cotisations Salariales")).to_be_visible()
    a11y(page)
    page.get_by_role("link", name="Créer une demande").click()


def fill_activity(page, *, mining: bool, day="31/12/2024"):
    expect(page.get_by_role("heading", level=1, name="Créer une demande")).to_be_visible()
    page.get_by_role("group", name="Activité minière").get_by_label("Oui" if mining else "Non").check()
    page.get_by_label("Date de cessation d'activité").fill(day)
    page.get_by_role("button", name="Continuer").click()


def upload_all(page, *, mining: bool, bad: dict | None = None):
    expect(page.get_by_role("heading", level=1, name="Pièces à joindre")).to_be_visible()
    flag = {"for_mining": True} if mining else {"for_ordinary": True}
    for doc in RequiredDocument.objects.filter(**flag):
        content = (bad or {}).get(doc.display_order) or {
            "name": f"piece-{doc.display_order}.pdf",
            "mimeType": "application/pdf",
            "buffer": pdf_bytes(),
        }
        page.get_by_label(doc.name).set_input_files(files=[content])
    page.get_by_role("button", name="Continuer").click()


def validate(page, a11y):
    expect(page.get_by_role("heading", level=1, name="Vérifiez votre demande")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Modifier")).first).to_be_visible()
    a11y(page)
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("heading", level=1, name="Demande déposée")).to_be_visible()


def test_ordinary_claim_to_the_pdf_and_its_public_check(page, a11y, setup_lists):
    setup_lists()
    person = make_person(last_name="EL IDRISSI", first_name="Ahmed")
    log_in_through_taawidaty(page, person, a11y)
    choose_benefit_and_create(page, a11y)
    expect(page.get_by_role("heading", level=1, name="Créer une demande")).to_be_visible()
    a11y(page)
    fill_activity(page, mining=False)
    a11y(page)
    upload_all(page, mining=False)
    validate(page, a11y)
    claim = RefundClaim.objects.get(insured=person)
    expect(page.get_by_text(claim.reference).first).to_be_visible()
    expect(page.get_by_text("soumise à un contrôle physique")).to_have_count(0)
    a11y(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="Télécharger l'accusé").click()
    download = info.value
    assert download.suggested_filename == f"accuse-depot-{claim.reference}.pdf"
    with open(download.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    # «Mes demandes» lists it
    page.get_by_role("link", name="Mes demandes").first.click()
    expect(page.get_by_role("cell", name=claim.reference)).to_be_visible()
    # the QR code's page: anyone can check the receipt, with the reference pre-filled
    page.goto(f"/taawidaty/verifier-un-accuse/?reference={claim.reference}")
    expect(page.get_by_label("Référence de la demande")).to_have_value(claim.reference)
    page.get_by_label("Date de la demande").fill(timezone.localdate().strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_role("heading", name="Accusé authentique")).to_be_visible()
    expect(page.get_by_text("E. A.")).to_be_visible()
    a11y(page)


def test_miner_claim_is_sent_to_physical_control(page, a11y, setup_lists, sms_inbox):
    setup_lists(always_for_mining=True)
    miner = make_person(age=56, declared=700, mining=6 * 312)
    log_in_through_taawidaty(page, miner, a11y)
    choose_benefit_and_create(page, a11y)
    expect(page.get_by_text("au titre de l'activité minière")).to_be_visible()
    fill_activity(page, mining=True)
    expect(
        page.get_by_text(
            "Documents demandés pour les demandes de remboursement des cotisations salariales des mineurs."
        )
    ).to_be_visible()
    a11y(page)
    upload_all(page, mining=True)
    validate(page, a11y)
    expect(page.get_by_role("heading", name="Votre demande est soumise à un contrôle physique")).to_be_visible()
    expect(page.get_by_text("agence CNSS de votre choix")).to_be_visible()
    a11y(page)
    claim = RefundClaim.objects.get(insured=miner)
    assert claim.mining and claim.physical_control
    assert ClaimDocument.objects.filter(claim=claim).count() == 5
    [sms] = sms_inbox(miner.phone)
    assert "contrôle physique" in sms.body and claim.reference in sms.body


def test_ineligible_insured_is_told_why(page, a11y, setup_lists):
    setup_lists()
    person = make_person(age=50, declared=4000)
    log_in_through_taawidaty(page, person, a11y)
    choose_benefit_and_create(page, a11y)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Vous ne pouvez pas déposer de demande")
    expect(page.get_by_text("Vous n'avez pas encore 60 ans")).to_be_visible()
    expect(page.get_by_text("4000 jours déclarés")).to_be_visible()
    expect(page.get_by_label("Date de cessation d'activité")).to_have_count(0)
    a11y(page)


def test_disguised_file_is_refused_and_the_others_stay(page, a11y, setup_lists):
    setup_lists()
    person = make_person()
    log_in_through_taawidaty(page, person, a11y)
    choose_benefit_and_create(page, a11y)
    fill_activity(page, mining=False)
    html_as_pdf = {
        "name": "cin.pdf",
        "mimeType": "application/pdf",
        "buffer": b"<html><script>alert(1)</script></html>",
    }
    exe_as_pdf = {"name": "carte.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00" + b"\x00" * 300}
    upload_all(page, mining=False, bad={30: html_as_pdf, 40: exe_as_pdf})
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Il y a un problème")
    expect(summary.get_by_role("link", name=re.compile("n'est pas un PDF, un JPEG ou un PNG"))).to_have_count(2)
    expect(page.get_by_text("Déjà déposé : piece-10.pdf")).to_be_visible()
    a11y(page)
    # fix only the refused ones: the accepted files are kept
    page.get_by_label("Copie de la CNIE (ou de la carte de séjour pour les étrangers)").set_input_files(
        files=[{"name": "cin.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    page.get_by_label("Copie de la carte d'immatriculation CNSS").set_input_files(
        files=[{"name": "carte.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}]
    )
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_role("heading", level=1, name="Vérifiez votre demande")).to_be_visible()
    expect(page.get_by_text("cin.png")).to_be_visible()
    assert ClaimDocument.objects.count() == 4


def test_ordinary_claim_selected_for_physical_control(page, a11y, setup_lists, sms_inbox):
    setup_lists(control_rate=100)
    person = make_person()
    log_in_through_taawidaty(page, person, a11y)
    choose_benefit_and_create(page, a11y)
    fill_activity(page, mining=False)
    upload_all(page, mining=False)
    validate(page, a11y)
    expect(page.get_by_role("heading", name="Votre demande est soumise à un contrôle physique")).to_be_visible()
    expect(page.get_by_role("link", name="Télécharger l'accusé")).to_be_visible()
    a11y(page)
    assert "contrôle physique" in sms_inbox(person.phone)[0].body


def test_claim_in_arabic(page, a11y, setup_lists):
    setup_lists()
    person = make_person(preferred_language="ar")
    log_in_through_taawidaty(page, person, a11y, arabic=True)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.get_by_role("link", name="استرجاع الاشتراكات الأجرية").click()
    a11y(page)
    page.get_by_role("link", name="إنشاء طلب").click()
    expect(page.get_by_role("heading", level=1, name="إنشاء طلب")).to_be_visible()
    page.get_by_role("group", name="نشاط منجمي").get_by_label("لا").check()
    page.get_by_label("تاريخ التوقف عن النشاط").fill("31/12/2024")
    page.get_by_role("button", name="متابعة").click()
    expect(page.get_by_role("heading", level=1, name="الوثائق الواجب إرفاقها")).to_be_visible()
    a11y(page)
    for doc in RequiredDocument.objects.filter(for_ordinary=True):
        page.get_by_label(doc.name_ar).set_input_files(
            files=[{"name": f"p{doc.pk}.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}]
        )
    page.get_by_role("button", name="متابعة").click()
    expect(page.get_by_role("heading", level=1, name="تحققوا من طلبكم")).to_be_visible()
    a11y(page)
    page.get_by_role("button", name="تأكيد").click()
    expect(page.get_by_role("heading", level=1, name="تم إيداع الطلب")).to_be_visible()
    a11y(page)
    claim = RefundClaim.objects.get(insured=person)
    expect(page.locator(".big-number")).to_have_text(claim.reference)
    with page.expect_download() as info:
        page.get_by_role("link", name="تحميل الوصل").click()
    assert info.value.suggested_filename.endswith(".pdf")
    sms = OutboundSms.objects.get(to=person.phone)
    assert claim.reference in sms.body and "Ma CNSS" in sms.body
