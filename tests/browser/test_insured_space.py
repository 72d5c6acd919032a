"""«Mon immatriculation» walked as an insured would, in French and in Arabic: log in from the home page,
open the page, download an attestation (the worker runs eagerly), read its QR code, check the signature
offline with the published public key, then check the document on the public page."""

import base64
import json
import subprocess
import urllib.request

import pytest
import zxingcpp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from PIL import Image
from playwright.sync_api import expect

from insured_space import demo
from insured_space.models import Attestation
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def person(transactional_db, settings, live_server):
    settings.PUBLIC_BASE_URL = live_server.url  # the QR code opens this test server
    demo.seed()
    from accounts.models import InsuredPerson, User

    person = InsuredPerson.objects.get(immatriculation_number=demo.DEMO_NUMBER)
    user = User.objects.get(insured=person)
    user.set_password(PASSWORD)
    user.save()
    return person


def qr_url_of(pdf_path: str, tmp_path) -> str:
    subprocess.run(["pdftoppm", "-png", "-r", "200", "-singlefile", pdf_path, str(tmp_path / "page")], check=True)
    found = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"), formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(found) == 1
    return found[0].text


def b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def check_offline(url: str, keys_url: str) -> dict:
    """What anyone can do: the published key and `cryptography`, nothing of the portal's code."""
    version, key_id, payload, signature = url.split("#", 1)[1].split(".")
    with urllib.request.urlopen(keys_url) as response:  # noqa: S310 - the live test server
        published = json.load(response)
    key = next(k for k in published["keys"] if k["kid"] == key_id)
    Ed25519PublicKey.from_public_bytes(b64(key["x"])).verify(b64(signature), f"{version}.{key_id}.{payload}".encode())
    return json.loads(b64(payload))


def log_in(page, person, *, arabic):
    page.goto("/")
    if arabic:
        page.get_by_role("button", name="العربية").click()
        page.get_by_role("link", name="الولوج إلى حساب Ma CNSS").first.click()
        page.get_by_label("رقم التسجيل").fill(person.immatriculation_number)
        page.get_by_label("كلمة المرور").fill(PASSWORD)
        page.get_by_role("button", name="ولوج", exact=True).click()
    else:
        page.get_by_role("link", name="ACCÉDER AU COMPTE MACNSS").first.click()
        page.get_by_label("Numéro d'immatriculation").fill(person.immatriculation_number)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="ACCÉDER", exact=True).click()


def test_download_and_verify_the_attestation_in_french(page, a11y, person, live_server, tmp_path):
    log_in(page, person, arabic=False)
    page.get_by_role("link", name="Mon immatriculation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon immatriculation")
    expect(page.get_by_text(person.immatriculation_number).first).to_be_visible()
    expect(page.get_by_role("cell", name="3456789").first).to_be_visible()
    expect(page.get_by_role("rowheader", name="Assurance volontaire (ASVI)")).to_be_visible()
    a11y(page)
    page.get_by_role("button", name="Télécharger mon attestation d'immatriculation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Attestation d'immatriculation")
    a11y(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="Télécharger l'attestation (PDF)").click()
    attestation = Attestation.objects.get(insured=person)
    assert info.value.suggested_filename == f"attestation-{attestation.reference}.pdf"
    url = qr_url_of(info.value.path(), tmp_path)
    assert url.startswith(f"{live_server.url}/verifier/#v1.")
    printed = "".join(
        subprocess.run(["pdftotext", info.value.path(), "-"], capture_output=True, text=True).stdout.split()
    )
    # the same address, printed in full under the code (pdftotext drops a hyphen that ends a line)
    assert url.replace("-", "") in printed.replace("-", "")
    claims = check_offline(url, f"{live_server.url}/verifier/cles.json")
    assert claims["reference"] == attestation.reference
    assert claims["type"] == "attestation_immatriculation"
    assert claims["initials"] == "A. S."

    # A phone camera opens the URL: the page copies the code from the fragment, one press checks it.
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérification de l'authenticité des attestations")
    expect(page.get_by_label("Code de vérification")).to_have_value(url.split("#", 1)[1])
    a11y(page)
    page.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_role("heading", name="Document authentique")).to_be_visible()

    # Anyone with the paper types the reference.
    page.goto("/verifier/")
    page.get_by_label("Référence du document").fill(attestation.reference)
    page.get_by_role("button", name="Vérifier").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Document authentique")
    expect(status).to_contain_text("Attestation d'immatriculation")
    expect(status).to_contain_text("A. S.")
    expect(status).not_to_contain_text("AMRANI")
    a11y(page)
    page.get_by_label("Référence du document").fill("AI-22222-22222")
    page.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_role("alert")).to_contain_text("Document non authentique")


def test_download_and_verify_the_salary_attestation_in_arabic(page, a11y, person, live_server, tmp_path):
    log_in(page, person, arabic=True)
    page.get_by_role("link", name="تسجيلي").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("تسجيلي")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    a11y(page)
    page.get_by_label("الفترة").select_option(label="الأشهر الاثنا عشر الأخيرة")
    page.get_by_role("button", name="تحميل شهادة التصريح بالأجور").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("شهادة التصريح بالأجور")
    a11y(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="تحميل الشهادة (PDF)").click()
    attestation = Attestation.objects.get(insured=person)
    url = qr_url_of(info.value.path(), tmp_path)
    claims = check_offline(url, f"{live_server.url}/verifier/cles.json")
    assert (claims["reference"], claims["type"]) == (attestation.reference, "attestation_salaire")

    page.goto("/ar/verifier/")
    expect(page.get_by_role("heading", level=1)).to_have_text("التحقق من صحة الشواهد")
    page.get_by_label("مرجع الوثيقة").fill(attestation.reference)
    page.get_by_role("button", name="تحقق").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("وثيقة صحيحة")
    expect(status).to_contain_text("شهادة التصريح بالأجور")
    expect(status).to_contain_text(f"{attestation.amount:.2f}")
    a11y(page)
