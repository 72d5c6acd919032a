"""«Pension facultative» walked as a TNS would: from the home page, by visible labels, in French and Arabic."""

import re

import pytest
from playwright.sync_api import expect

from accounts.demo import birth_date_for_age
from accounts.models import ProfessionalSubCategory, Regime
from accounts.services import set_bank_details
from macnss.core.validators import rib_key
from pension.models import PensionRequest
from pension.services import submit_pension_request
from tests.factories import PASSWORD, InsuredPersonFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def a_rib(seed: int) -> str:
    first_22 = "011780" + f"{seed:016d}"
    return first_22 + rib_key(first_22)


@pytest.fixture
def tns(transactional_db):
    from accounts.demo import seed_reference_data

    seed_reference_data()

    def _make(age=(45, 0), sub="medecins-generalistes", with_rib=True, **fields):
        person = InsuredPersonFactory(
            regime=Regime.TNS,
            pays_contributions_directly=True,
            tns_subcategory=ProfessionalSubCategory.objects.get(code=sub),
            birth_date=birth_date_for_age(*age),
            **fields,
        )
        UserFactory(insured=person)
        if with_rib:
            set_bank_details(person=person, rib=a_rib(person.pk), ip_address=None)
        return person

    return _make


def log_in(page, person, *, arabic=False):
    page.goto("/ar/" if arabic else "/")
    page.get_by_role("link", name="الولوج إلى حساب Ma CNSS" if arabic else "ACCÉDER AU COMPTE MACNSS").first.click()
    page.get_by_label("رقم التسجيل" if arabic else "Numéro d'immatriculation").fill(person.immatriculation_number)
    page.get_by_label("كلمة المرور" if arabic else "Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="ولوج" if arabic else "ACCÉDER", exact=True).click()


def open_new_request(page, a11y):
    page.get_by_role("link", name="Pension facultative").first.click()
    expect(page.get_by_role("heading", level=1, name="Pension facultative")).to_be_visible()
    a11y(page)
    page.get_by_role("link", name="Nouvelle demande").click()
    expect(page.get_by_role("heading", level=1, name="Nouvelle demande")).to_be_visible()


def accept_rib_and_notices(page, a11y):
    expect(page.get_by_role("heading", level=1, name="RIB et autorisation de prélèvement")).to_be_visible()
    page.get_by_label("j'autorise le prélèvement automatique bancaire des cotisations cnss").check()
    page.get_by_label("J'ai lu et j'accepte les mentions légales").check()
    page.get_by_role("button", name="Continuer").click()


def validate_and_confirm(page, a11y, person, amount):
    expect(page.get_by_role("heading", level=1, name="Vérifiez votre demande")).to_be_visible()
    a11y(page)
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("heading", level=1, name="Demande enregistrée")).to_be_visible()
    request = PensionRequest.objects.get(insured=person)
    expect(page.get_by_text(request.reference)).to_be_visible()
    expect(page.get_by_text(f"{amount} DH").first).to_be_visible()
    expect(page.get_by_text(request.debit_start_date.strftime("%d/%m/%Y"))).to_be_visible()
    a11y(page)
    return request


def test_under_63_with_rib(page, a11y, tns, sms_inbox):
    person = tns(sub="huissiers")
    log_in(page, person)
    open_new_request(page, a11y)
    table = page.get_by_role("table")
    expect(table).to_contain_text("Huissiers de justice")
    expect(table).to_contain_text("537.45 DH")
    a11y(page)
    page.get_by_role("link", name="Continuer").click()
    # No age question under 63: straight to the RIB, which is shown.
    expect(page.get_by_text("RIB enregistré")).to_be_visible()
    page.get_by_role("button", name="Continuer").click()  # nothing ticked
    expect(page.get_by_role("heading", name="Il y a un problème")).to_be_visible()
    expect(page.get_by_role("link", name="Cochez la case pour accepter les mentions légales.")).to_be_visible()
    a11y(page)
    accept_rib_and_notices(page, a11y)
    request = validate_and_confirm(page, a11y, person, "537.45")
    assert request.multiplier == 1
    sms = sms_inbox(person.phone)[0]
    assert request.reference in sms.body and "537.45" in sms.body
    page.get_by_role("link", name="Retour à Pension facultative").click()
    expect(page.get_by_role("table")).to_contain_text("Reçue")


def test_multiplier_change_and_back(page, a11y, tns):
    person = tns(sub="medecins-specialistes")
    log_in(page, person)
    open_new_request(page, a11y)
    expect(page.get_by_role("table")).to_contain_text("1555.79 DH")
    page.get_by_role("link", name="Augmenter le montant de la cotisation").click()
    expect(page.get_by_role("heading", level=1, name="Augmenter le montant de la cotisation")).to_be_visible()
    a11y(page)
    page.get_by_label("Multiplicateur").select_option(label="× 3 — 4667.37 DH par mois")
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_text("Le montant de votre cotisation a été mis à jour.")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("4667.37 DH")
    page.get_by_role("button", name="Revenir à la cotisation minimale").click()
    expect(page.get_by_role("table")).to_contain_text("× 1")
    page.get_by_role("link", name="Augmenter le montant de la cotisation").click()
    page.get_by_label("Multiplicateur").select_option("2")
    page.get_by_role("button", name="Valider").click()
    page.get_by_role("link", name="Continuer").click()
    accept_rib_and_notices(page, a11y)
    # «Modifier» from the check page, then back to it.
    page.get_by_role("link", name=re.compile("Modifier.*cotisation mensuelle")).click()
    page.get_by_label("Multiplicateur").select_option("4")
    page.get_by_role("button", name="Valider").click()
    request = validate_and_confirm(page, a11y, person, "6223.16")
    assert request.multiplier == 4


def test_63_and_a_half_chooses_ajournement(page, a11y, tns):
    person = tns(age=(63, 6), sub="dentistes-debut-fin")
    log_in(page, person)
    open_new_request(page, a11y)
    page.get_by_role("link", name="Continuer").click()
    expect(page.get_by_role("heading", level=1, name="Ajournement de la liquidation de votre pension")).to_be_visible()
    expect(page.get_by_text("liquidée à l'âge de 65 ans").first).to_be_visible()
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_role("heading", name="Il y a un problème")).to_be_visible()
    a11y(page)
    page.get_by_label("Oui").check()
    page.get_by_role("button", name="Continuer").click()
    accept_rib_and_notices(page, a11y)
    expect(page.get_by_text("Ajournement de la liquidation de la pension")).to_be_visible()
    request = validate_and_confirm(page, a11y, person, "848.61")
    assert request.ajournement is True


def test_64_years_10_months_asks_droit_supplementaire(page, a11y, tns):
    person = tns(age=(64, 10), sub="huissiers")
    log_in(page, person)
    open_new_request(page, a11y)
    page.get_by_role("link", name="Continuer").click()
    expect(page.get_by_role("heading", level=1, name="Constitution d'un droit supplémentaire")).to_be_visible()
    expect(page.get_by_text("votre pension sera liquidée à l'âge de 65 ans")).to_be_visible()
    a11y(page)
    page.get_by_label("Je demande la constitution d'un droit supplémentaire").check()
    page.get_by_role("button", name="Continuer").click()
    accept_rib_and_notices(page, a11y)
    request = validate_and_confirm(page, a11y, person, "537.45")
    assert request.droit_supplementaire is True


def test_aged_65_is_refused(page, a11y, tns):
    person = tns(age=(65, 0))
    log_in(page, person)
    open_new_request(page, a11y)
    expect(
        page.get_by_role("heading", name="Vous ne pouvez pas adhérer au régime facultatif des pensions")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Continuer")).to_have_count(0)
    a11y(page)
    assert not PensionRequest.objects.exists()


def test_missing_rib_path(page, a11y, tns):
    person = tns(with_rib=False)
    log_in(page, person)
    # The portal asks for the RIB first (seed 000).
    expect(page.get_by_role("textbox", name="RIB")).to_be_visible()
    a11y(page)
    page.get_by_role("textbox", name="RIB").fill(a_rib(4242))
    page.get_by_label("j'autorise le prélèvement automatique bancaire des cotisations cnss").check()
    page.get_by_role("button", name="Ajouter").click()
    expect(page.get_by_role("heading", level=1, name="Page d'accueil")).to_be_visible()
    open_new_request(page, a11y)
    page.get_by_role("link", name="Continuer").click()
    expect(page.get_by_text("RIB enregistré")).to_be_visible()
    accept_rib_and_notices(page, a11y)
    request = validate_and_confirm(page, a11y, person, "1131.48")
    assert request.rib == a_rib(4242)


def test_second_request_shows_the_error(page, a11y, tns):
    person = tns()
    existing = submit_pension_request(
        person=person,
        multiplier=1,
        ajournement=None,
        droit_supplementaire=None,
        rib=a_rib(person.pk),
        direct_debit_consent=True,
        legal_notice_accepted=True,
    )
    log_in(page, person)
    open_new_request(page, a11y)
    expect(page.get_by_text("Vous n'avez le droit d'introduire qu'une seule demande.")).to_be_visible()
    a11y(page)
    page.get_by_role("link", name="Voir ma demande").click()
    expect(page.get_by_role("heading", level=1, name="Ma demande de pension facultative")).to_be_visible()
    expect(page.get_by_text(existing.reference)).to_be_visible()
    a11y(page)
    assert PensionRequest.objects.filter(insured=person).count() == 1


def test_arabic_journey(page, a11y, tns, sms_inbox):
    person = tns(age=(63, 6), preferred_language="ar")
    log_in(page, person, arabic=True)
    page.get_by_role("link", name="المعاش الاختياري").first.click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    a11y(page)
    page.get_by_role("link", name="طلب جديد").click()
    expect(page.get_by_role("table")).to_contain_text("1131.48 DH")
    a11y(page)
    page.get_by_role("link", name="متابعة").click()
    page.get_by_label("لا").check()
    page.get_by_role("button", name="متابعة").click()
    page.get_by_label("قرأت الإشعارات القانونية وأقبلها").check()
    page.locator("input[name=direct_debit_consent]").check()
    a11y(page)
    page.get_by_role("button", name="متابعة").click()
    expect(page.get_by_role("heading", level=1, name="تحققوا من طلبكم")).to_be_visible()
    a11y(page)
    page.get_by_role("button", name="تأكيد").click()
    expect(page.get_by_role("heading", level=1, name="تم تسجيل الطلب")).to_be_visible()
    a11y(page)
    request = PensionRequest.objects.get(insured=person)
    assert request.ajournement is False
    assert "تم تسجيل طلبكم" in sms_inbox(person.phone)[0].body
