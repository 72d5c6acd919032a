"""Law 09-08 as a person meets it: «Mes données» from the private home, downloaded, and the privacy notice
opened from a form, in French and in Arabic."""

import json
from datetime import date

import pytest
from playwright.sync_api import expect

from taawidaty.models import RefundClaim
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser

LABELS = {
    "fr": {
        "login_link": "ACCÉDER AU COMPTE MACNSS",
        "number": "Numéro d'immatriculation",
        "password": "Mot de passe",
        "login": "ACCÉDER",
        "home": "Page d'accueil",
        "my_data": "Mes données",
        "download": "Télécharger mes données (JSON)",
        "prepare_pdf": "Préparer aussi un PDF de mes données",
        "download_pdf": "Télécharger mes données (PDF)",
        "claims": "Demandes TAAWIDATY",
        "notice": "Protection des données personnelles",
        "rights": "Vos droits",
    },
    "ar": {
        "login_link": "الولوج إلى حساب Ma CNSS",
        "number": "رقم التسجيل",
        "password": "كلمة المرور",
        "login": "ولوج",
        "home": "الصفحة الرئيسية",
        "my_data": "معطياتي",
        "download": "تحميل معطياتي (JSON)",
        "prepare_pdf": "إعداد ملف PDF لمعطياتي أيضا",
        "download_pdf": "تحميل معطياتي (PDF)",
        "claims": "طلبات TAAWIDATY",
        "notice": "حماية المعطيات الشخصية",
        "rights": "حقوقكم",
    },
}


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_a_person_downloads_mes_donnees_and_reads_the_notice_from_a_form(page, a11y, transactional_db, language):
    text = LABELS[language]
    user = UserFactory()
    RefundClaim.objects.create(
        insured=user.insured, reference="RCS-2026-MYDATA23", status="deposee", cessation_date=date(2024, 1, 31)
    )
    page.goto("/")
    if language == "ar":
        page.get_by_role("button", name="العربية").click()
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.get_by_role("link", name=text["login_link"]).first.click()
    page.get_by_label(text["number"]).fill(user.username)
    page.get_by_label(text["password"]).fill(PASSWORD)
    page.get_by_role("button", name=text["login"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(text["home"])

    page.get_by_role("link", name=text["my_data"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(text["my_data"])
    expect(page.get_by_role("heading", name=text["claims"])).to_be_visible()
    expect(page.get_by_text("RCS-2026-MYDATA23").first).to_be_visible()
    expect(page.get_by_text(user.insured.id_document_number).first).to_be_visible()
    a11y(page)
    with page.expect_download() as info:
        page.get_by_role("link", name=text["download"]).click()
    download = info.value
    assert download.suggested_filename == f"mes-donnees-cnss-{user.insured.immatriculation_number}.json"
    with open(download.path(), encoding="utf-8") as handle:
        document = json.load(handle)
    assert document["numero_immatriculation"] == user.insured.immatriculation_number
    assert text["claims"] in {section["titre"] for section in document["rubriques"]}

    # The PDF is built by the worker (eagerly here) and then offered on the same page.
    page.get_by_role("button", name=text["prepare_pdf"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(text["my_data"])
    a11y(page)
    with page.expect_download() as info:
        page.get_by_role("link", name=text["download_pdf"]).click()
    with open(info.value.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"

    # A form that collects personal data links the notice, inside the form.
    page.goto(("/ar" if language == "ar" else "") + "/compte/mot-de-passe/")
    form = page.locator("main form")
    form.get_by_role("link", name=text["notice"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(text["notice"])
    expect(page.get_by_role("heading", name=text["rights"])).to_be_visible()
    expect(page.get_by_text("09-08").first).to_be_visible()
    a11y(page)
