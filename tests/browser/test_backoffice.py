"""The back office walked as agents, a supervisor and an insured person would, by visible labels, in
French and in Arabic (axe clean)."""

import re

import pytest
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD, seed_agents
from backoffice.models import ContactChangeProposal
from macnss.core.models import OutboundSms
from tests.factories import PASSWORD, InsuredPersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LABELS = {
    "fr": {
        "prefix": "",
        "username": "Nom d’utilisateur",
        "password": "Mot de passe",
        "log_in": "Connexion",
        "log_out": "Déconnexion",
        "search_people": "Rechercher un assuré",
        "search": "Rechercher",
        "reason": "Motif de la consultation",
        "counter": "Visite de l'assuré au guichet",
        "open": "Ouvrir le dossier",
        "propose_link": "Proposer un changement de téléphone, RIB ou e-mail",
        "kind": "Donnée à changer",
        "phone": "Téléphone",
        "new_value": "Nouvelle valeur",
        "document_type": "Pièce d'identité présentée",
        "cnie": "Carte nationale d'identité électronique (CNIE)",
        "document_number": "Numéro de la pièce présentée",
        "checked": "J'ai vu l'original de la pièce et il correspond à l'assuré",
        "propose": "Proposer le changement",
        "proposed": "Changement proposé",
        "approvals": "Changements de téléphone/RIB à approuver",
        "approve": "Approuver le changement",
        "approved": "Changement approuvé",
        "deposited": "TAAWIDATY — déposées à instruire",
        "take": "Je prends ce dossier",
        "taken": "Ce dossier est à vous",
        "mine": "Mes dossiers",
        "home": "Ma CNSS — espace agents",
        "portal_number": "Numéro d'immatriculation",
        "portal_password": "Mot de passe",
        "portal_button": "ACCÉDER",
        "journal": "Qui a consulté mes données",
        "visit": "un agent de la CNSS a consulté votre demande TAAWIDATY",
    },
    "ar": {
        "prefix": "/ar",
        "username": "اسم المستخدم",
        "password": "كلمة المرور",
        "log_in": "ادخل",
        "log_out": "تسجيل الخروج",
        "search_people": "البحث عن مؤمَّن",
        "search": "ابحث",
        "reason": "سبب الاطلاع",
        "counter": "زيارة المؤمَّن للشباك",
        "open": "فتح الملف",
        "propose_link": "اقتراح تغيير الهاتف أو رقم الحساب البنكي أو البريد الإلكتروني",
        "kind": "المعلومة المراد تغييرها",
        "phone": "الهاتف",
        "new_value": "القيمة الجديدة",
        "document_type": "وثيقة الهوية المقدمة",
        "cnie": None,
        "document_number": "رقم الوثيقة المقدمة",
        "checked": "اطلعت على أصل الوثيقة وهو مطابق للمؤمَّن",
        "propose": "اقتراح التغيير",
        "proposed": "تم اقتراح التغيير",
        "approvals": "تغييرات الهاتف/رقم الحساب البنكي في انتظار الموافقة",
        "approve": "الموافقة على التغيير",
        "approved": "تمت الموافقة على التغيير",
        "deposited": "طلبات مودعة في انتظار الدراسة",
        "take": "أتكفل بهذا الملف",
        "taken": "هذا الملف لك",
        "mine": "ملفاتي",
        "home": "Ma CNSS — فضاء الأعوان",
        "portal_number": "رقم التسجيل",
        "portal_password": "كلمة المرور",
        "portal_button": "ولوج",
        "journal": "من اطلع على معطياتي",
        "visit": "اطلع عون من الصندوق الوطني للضمان الاجتماعي على طلب تعويضاتي TAAWIDATY",
    },
}


def staff_log_in(page, t, username):
    page.goto(f"{t['prefix']}/admin/")
    page.get_by_label(re.compile(t["username"])).fill(username)
    page.get_by_label(re.compile(t["password"])).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=t["log_in"]).click()
    expect(page.get_by_role("link", name=t["home"])).to_be_visible()


def staff_log_out(page, t):
    page.get_by_role("button", name=t["log_out"]).click()


@pytest.fixture
def staff(transactional_db):
    seed_agents()


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_a_supervisor_approves_a_phone_change_an_agent_proposed(page, a11y, staff, language):
    t = LABELS[language]
    person = InsuredPersonFactory(phone="+212661000001", last_name="KETTANI")
    staff_log_in(page, t, "agent")
    a11y(page)
    page.get_by_role("link", name=t["search_people"]).click()
    page.locator("#searchbar").fill(person.immatriculation_number)
    page.get_by_role("button", name=t["search"]).click()
    page.get_by_role("link", name=person.immatriculation_number).click()
    # outside the agent's queues: a reason first
    expect(page.get_by_label(t["reason"])).to_be_visible()
    a11y(page)
    page.get_by_label(t["reason"]).select_option(label=t["counter"])
    page.get_by_role("button", name=t["open"]).click()
    expect(page.locator("input[name=phone]")).to_have_count(0)  # read-only
    a11y(page)
    page.get_by_role("link", name=t["propose_link"]).click()
    page.get_by_label(t["kind"]).select_option(label=t["phone"])
    page.get_by_label(t["new_value"]).fill("0661000002")
    page.get_by_label(t["document_number"]).fill(person.id_document_number)
    page.get_by_label(t["checked"]).check()
    a11y(page)
    page.get_by_role("button", name=t["propose"]).click()
    expect(page.get_by_text(t["proposed"])).to_be_visible()
    staff_log_out(page, t)

    staff_log_in(page, t, "superviseur")
    page.get_by_role("link", name=t["approvals"]).click()
    a11y(page)
    page.get_by_role("link", name=re.compile(person.immatriculation_number)).first.click()
    a11y(page)
    page.get_by_role("button", name=t["approve"]).click()
    expect(page.get_by_text(t["approved"])).to_be_visible()
    person.refresh_from_db()
    assert person.phone == "+212661000002"
    assert ContactChangeProposal.objects.get().decided_by.username == "superviseur"
    phones = set(OutboundSms.objects.filter(purpose="phone_changed").values_list("to", flat=True))
    assert phones == {"+212661000001", "+212661000002"}


def filed_claim():
    from taawidaty.demo import seed_work_queue
    from taawidaty.models import RefundClaim

    seed_work_queue()
    return RefundClaim.objects.filter(status="deposee").order_by("submitted_at").first()


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_an_agent_works_a_queue(page, a11y, staff, language):
    t = LABELS[language]
    oldest = filed_claim()
    staff_log_in(page, t, "agent")
    a11y(page)
    page.get_by_role("link", name=t["deposited"]).click()
    a11y(page)
    rows = page.locator("#result_list tbody tr")
    expect(rows.first).to_contain_text(oldest.reference)  # oldest first
    page.get_by_role("link", name=oldest.reference).click()
    a11y(page)
    page.get_by_role("button", name=t["take"]).click()
    expect(page.get_by_text(t["taken"])).to_be_visible()
    page.get_by_role("link", name=t["home"]).click()
    expect(page.get_by_role("heading", name=t["mine"])).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(str(oldest.pk)))).to_be_visible()
    a11y(page)


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_insured_sees_the_agents_visit(page, a11y, staff, language):
    t = LABELS[language]
    claim = filed_claim()
    claim.insured.account.set_password(PASSWORD)
    claim.insured.account.save()
    staff_log_in(page, t, "agent")
    page.get_by_role("link", name=t["deposited"]).click()
    page.get_by_role("link", name=claim.reference).click()
    staff_log_out(page, t)

    page.goto(f"{t['prefix']}/compte/connexion/")
    page.get_by_label(t["portal_number"]).fill(claim.insured.immatriculation_number)
    page.get_by_label(t["portal_password"]).fill(PASSWORD)
    page.get_by_role("button", name=t["portal_button"], exact=True).click()
    page.get_by_role("link", name=t["journal"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t["journal"])
    expect(page.get_by_text(re.compile(t["visit"] + ".*" + claim.reference))).to_be_visible()
    a11y(page)
