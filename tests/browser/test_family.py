"""«Mes ayants droit» walked as an insured would, from the home page, by visible labels, in French and
Arabic; then the demo agent validates in the admin and the SMS reaches the demo phone."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from accounts.demo import birth_date_for_age, seed_agents
from family.models import FamilyMember, MemberStatus
from macnss.core.demo_support import DEMO_PASSWORD
from tests.factories import PASSWORD, InsuredPersonFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FR = {
    "login_link": "ACCÉDER AU COMPTE MACNSS",
    "number": "Numéro d'immatriculation",
    "password": "Mot de passe",
    "login": "ACCÉDER",
    "tile": "Mes ayants droit",
    "add": "Ajouter un membre",
    "relationship": "Lien de parenté",
    "child": "Enfant",
    "last_name": "Nom de famille",
    "first_name": "Prénom",
    "birth_date": "Date de naissance",
    "sex": "Sexe",
    "female": "Féminin",
    "continue": "Continuer",
    "documents": "Pièces à joindre",
    "birth_certificate": "Extrait d'acte de naissance",
    "file": "Déposer la déclaration",
    "declared": "Déclaration déposée",
    "submitted": "Déposée",
}
AR = {
    "login_link": "الولوج إلى حساب Ma CNSS",
    "number": "رقم التسجيل",
    "password": "كلمة المرور",
    "login": "ولوج",
    "tile": "ذوو حقوقي",
    "add": "إضافة فرد",
    "relationship": "صلة القرابة",
    "child": "ابن(ة)",
    "last_name": "الاسم العائلي",
    "first_name": "الاسم الشخصي",
    "birth_date": "تاريخ الازدياد",
    "sex": "الجنس",
    "female": "أنثى",
    "continue": "متابعة",
    "documents": "الوثائق الواجب إرفاقها",
    "birth_certificate": "نسخة موجزة من رسم الولادة",
    "file": "إيداع التصريح",
    "declared": "تم إيداع التصريح",
    "submitted": "مودع",
}


def exactly(label: str):
    """The label as shown, with the required-field asterisk the pack adds."""
    return re.compile("^" + re.escape(label) + r"\*?$")


def pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, "PDF")
    return buffer.getvalue()


def log_in(page, person, a11y, t, *, arabic):
    page.goto("/")
    if arabic:
        page.get_by_role("button", name="العربية").click()
    page.get_by_role("link", name=t["login_link"]).first.click()
    page.get_by_label(t["number"]).fill(person.immatriculation_number)
    page.get_by_label(t["password"]).fill(PASSWORD)
    page.get_by_role("button", name=t["login"], exact=True).click()
    page.get_by_role("link", name=t["tile"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t["tile"])
    a11y(page)


def declare_child(page, a11y, t, *, first_name):
    page.get_by_role("link", name=t["add"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t["add"])
    a11y(page)
    page.get_by_role("group", name=t["relationship"]).get_by_label(t["child"], exact=True).check()
    page.get_by_label(exactly(t["last_name"])).fill("Amrani")
    page.get_by_label(exactly(t["first_name"])).fill(first_name)
    page.get_by_label(t["birth_date"]).fill(birth_date_for_age(7).strftime("%d/%m/%Y"))
    page.get_by_role("group", name=t["sex"]).get_by_label(t["female"]).check()
    page.get_by_role("button", name=t["continue"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t["documents"])
    a11y(page)
    page.get_by_label(t["birth_certificate"]).set_input_files(
        {"name": "acte-naissance.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    page.get_by_role("button", name=t["file"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t["declared"])
    a11y(page)
    member = FamilyMember.objects.get(first_name=first_name.upper())
    expect(page.get_by_text(member.reference).first).to_be_visible()
    return member


def agent_validates(browser, base_url, member):
    seed_agents()
    context = browser.new_context(base_url=base_url, locale="fr-FR")
    admin = context.new_page()
    admin.goto("/admin/")
    admin.locator("#id_username").fill("agent")
    admin.locator("#id_password").fill(DEMO_PASSWORD)
    admin.locator("input[type=submit]").click()
    # The agent's admin home is his work list: he takes the declaration from its queue, oldest first,
    # starts the review, then decides it from the next queue.
    for queue, action in (
        ("Ayants droit — déclarations déposées à instruire", "action_start_review"),
        ("Ayants droit — déclarations en instruction, à décider", "action_validate"),
    ):
        admin.goto("/admin/")
        admin.get_by_role("link", name=queue).click()
        expect(admin.locator("tr", has_text=member.reference)).to_be_visible()
        admin.locator("tr", has_text=member.reference).locator("input[name=_selected_action]").check()
        admin.locator("select[name=action]").select_option(action)
        admin.get_by_role("button", name="Envoyer").click()
        expect(admin.locator(".messagelist")).to_contain_text("prévenu par SMS")
    context.close()
    member.refresh_from_db()
    assert member.status == MemberStatus.VALIDATED


@pytest.mark.parametrize("arabic", [False, True], ids=["fr", "ar"])
def test_declare_a_child_the_agent_validates_and_the_sms_arrives(page, a11y, live_server, settings, arabic):
    settings.DEBUG = True  # the demo phone
    t = AR if arabic else FR
    person = InsuredPersonFactory(phone="+212661000777")
    UserFactory(insured=person)
    log_in(page, person, a11y, t, arabic=arabic)
    member = declare_child(page, a11y, t, first_name="Ines")
    assert member.language == ("ar" if arabic else "fr")

    page.goto(("/ar" if arabic else "") + "/compte/ayants-droit/")
    expect(page.get_by_role("cell", name=t["submitted"], exact=True)).to_be_visible()

    agent_validates(page.context.browser, live_server.url, member)

    page.goto(("/ar" if arabic else "") + "/telephone-demo/?numero=0661000777")
    expected = "تم قبول تصريحكم" if arabic else "est validée"
    expect(page.get_by_text(re.compile(expected)).first).to_be_visible()
    expect(page.get_by_text(re.compile(member.reference)).first).to_be_visible()


@pytest.mark.parametrize("arabic", [False, True], ids=["fr", "ar"])
def test_the_calendar_fills_a_date_with_the_keyboard(page, a11y, arabic):
    t = AR if arabic else FR
    person = InsuredPersonFactory()
    UserFactory(insured=person)
    log_in(page, person, a11y, t, arabic=arabic)
    page.get_by_role("link", name=t["add"]).click()
    field = page.get_by_label(t["birth_date"])
    field.fill("10/03/2015")
    opener = page.get_by_role("button", name=re.compile("Calendrier" if not arabic else "التقويم"))
    opener.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    focused = page.locator(":focus")
    expect(focused).to_have_attribute("data-date", "2015-03-10")  # opens on the typed date
    a11y(page)
    page.keyboard.press("ArrowRight")  # the next day on screen: the day after, or before right to left
    page.keyboard.press("ArrowDown")  # a week later
    page.keyboard.press("PageDown")  # a month later
    expected = "16/04/2015" if arabic else "18/04/2015"
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(field).to_have_value(expected)
    expect(opener).to_be_focused()  # focus returns to the button
    # Western digits in the grid, and Escape closes without changing the date
    page.keyboard.press("Enter")
    expect(dialog.get_by_role("button", name=re.compile("2015")).first).to_have_text(re.compile(r"^[0-9]+$"))
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()
    expect(field).to_have_value(expected)


def test_without_javascript_the_date_is_typed(browser, live_server, transactional_db):
    person = InsuredPersonFactory()
    UserFactory(insured=person)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    page.goto("/compte/connexion/")
    page.get_by_label(FR["number"]).fill(person.immatriculation_number)
    page.get_by_label(FR["password"]).fill(PASSWORD)
    page.get_by_role("button", name=FR["login"], exact=True).click()
    page.goto("/compte/ayants-droit/ajouter/")
    expect(page.get_by_role("button", name=re.compile("Calendrier"))).to_have_count(0)
    page.get_by_role("group", name=FR["relationship"]).get_by_label(FR["child"], exact=True).check()
    page.get_by_label(exactly(FR["last_name"])).fill("Amrani")
    page.get_by_label(exactly(FR["first_name"])).fill("Sami")
    page.get_by_label(FR["birth_date"]).fill(birth_date_for_age(4).strftime("%d/%m/%Y"))
    page.get_by_role("group", name=FR["sex"]).get_by_label("Masculin").check()
    page.get_by_role("button", name=FR["continue"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(FR["documents"])
    context.close()
