"""A TNS adds a passkey from his private space and signs in with it, with Chromium's virtual
authenticator (DevTools protocol, WebAuthn domain) standing in for his phone's fingerprint reader.

Passkeys need a host name: pytest-django's live server runs on http://localhost:<port>."""

import pytest
from playwright.sync_api import expect

from accounts.models import Regime
from macnss.core.models import OutboundSms
from passkeys.models import Passkey
from tests.factories import PASSWORD, InsuredPersonFactory, UserFactory

pytestmark = pytest.mark.browser

FRENCH = {
    "login_link": "ACCÉDER AU COMPTE MACNSS",
    "number": "Numéro d'immatriculation",
    "password": "Mot de passe",
    "submit": "ACCÉDER",
    "home": "Page d'accueil",
    "my_passkeys": "Mes clés d'accès",
    "add": "Ajouter une clé d'accès",
    "create": "Créer ma clé d'accès",
    "name_heading": "Nommer votre clé d'accès",
    "name": "Nom de la clé d'accès",
    "save": "Enregistrer",
    "logout": "Se déconnecter",
    "passkey_login": "Se connecter avec une clé d'accès",
}
ARABIC = {
    "login_link": "الولوج إلى حساب Ma CNSS",
    "number": "رقم التسجيل",
    "password": "كلمة المرور",
    "submit": "ولوج",
    "home": "الصفحة الرئيسية",
    "my_passkeys": "مفاتيح المرور الخاصة بي",
    "add": "إضافة مفتاح مرور",
    "create": "إنشاء مفتاح المرور",
    "name_heading": "تسمية مفتاح المرور",
    "name": "اسم مفتاح المرور",
    "save": "تسجيل",
    "logout": "تسجيل الخروج",
    "passkey_login": "الولوج بمفتاح المرور",
}


def _virtual_authenticator(page):
    """A platform authenticator with a fingerprint reader the person always passes."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    found = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp, found["authenticatorId"]


@pytest.mark.parametrize("words", [FRENCH, ARABIC], ids=["fr", "ar"])
def test_a_tns_adds_a_passkey_and_signs_in_with_it_without_his_number(page, a11y, transactional_db, words):
    user = UserFactory(insured=InsuredPersonFactory(regime=Regime.TNS))
    cdp, authenticator_id = _virtual_authenticator(page)
    page.goto("/")
    if words is ARABIC:
        page.get_by_role("button", name="العربية").click()
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.get_by_role("link", name=words["login_link"]).first.click()
    expect(page.get_by_role("button", name=words["passkey_login"])).to_be_visible()
    a11y(page)
    page.get_by_label(words["number"]).fill(user.username)
    page.get_by_label(words["password"]).fill(PASSWORD)
    page.get_by_role("button", name=words["submit"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["home"])

    page.get_by_role("link", name=words["my_passkeys"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["my_passkeys"])
    a11y(page)
    page.get_by_role("link", name=words["add"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["add"])
    a11y(page)
    page.get_by_role("button", name=words["create"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["name_heading"])
    a11y(page)
    page.get_by_label(words["name"]).fill("Téléphone de Salma")
    page.get_by_role("button", name=words["save"], exact=True).click()
    expect(page.get_by_role("heading", level=2, name="Téléphone de Salma")).to_be_visible()
    a11y(page)
    assert len(cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]) == 1
    assert OutboundSms.objects.filter(to=user.insured.phone, purpose="passkey_change").count() == 1

    page.get_by_role("button", name=words["logout"]).click()
    page.get_by_role("link", name=words["login_link"]).first.click()
    page.get_by_role("button", name=words["passkey_login"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["home"])
    expect(page.get_by_text(user.insured.immatriculation_number)).to_be_visible()
    a11y(page)
    passkey = Passkey.objects.get(user=user)
    assert passkey.name == "Téléphone de Salma" and passkey.last_used_at is not None and passkey.sign_count >= 1


def test_a_refused_passkey_says_so_and_the_password_still_works(page, a11y, transactional_db):
    """A device whose owner fails the fingerprint check: the page says so next to the button."""
    user = UserFactory()
    cdp, authenticator_id = _virtual_authenticator(page)
    cdp.send("WebAuthn.setUserVerified", {"authenticatorId": authenticator_id, "isUserVerified": False})
    page.goto("/compte/connexion/")
    page.get_by_role("button", name=FRENCH["passkey_login"]).click()
    expect(page.get_by_role("alert")).to_contain_text("La connexion avec une clé d'accès a été annulée")
    a11y(page)
    page.get_by_label(FRENCH["number"]).fill(user.username)
    page.get_by_label(FRENCH["password"]).fill(PASSWORD)
    page.get_by_role("button", name=FRENCH["submit"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(FRENCH["home"])


def test_without_javascript_no_passkey_button_and_every_page_still_works(browser, live_server, transactional_db):
    user = UserFactory()
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url, locale="fr-FR")
    page = context.new_page()
    page.goto("/compte/connexion/")
    expect(page.get_by_role("button", name=FRENCH["passkey_login"])).to_be_hidden()
    page.get_by_label(FRENCH["number"]).fill(user.username)
    page.get_by_label(FRENCH["password"]).fill(PASSWORD)
    page.get_by_role("button", name=FRENCH["submit"], exact=True).click()
    page.get_by_role("link", name=FRENCH["my_passkeys"]).click()
    expect(page.get_by_role("link", name=FRENCH["add"])).to_be_hidden()
    expect(page.get_by_text("Pour ajouter une clé d'accès, utilisez un navigateur récent")).to_be_visible()
    context.close()


def _age_the_proof_of_identity(page):
    """As if the sign-in were more than 10 minutes old (accounts.reauth)."""
    from importlib import import_module

    from django.conf import settings

    from accounts import reauth

    key = next(c["value"] for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
    session[reauth.SESSION_KEY] = 0
    session.save()


def test_revoking_a_passkey_after_confirming_with_a_passkey(page, a11y, transactional_db):
    user = UserFactory(insured=InsuredPersonFactory(regime=Regime.TNS))
    _virtual_authenticator(page)
    page.goto("/compte/connexion/")
    page.get_by_label(FRENCH["number"]).fill(user.username)
    page.get_by_label(FRENCH["password"]).fill(PASSWORD)
    page.get_by_role("button", name=FRENCH["submit"], exact=True).click()
    page.get_by_role("link", name=FRENCH["my_passkeys"]).click()
    page.get_by_role("link", name=FRENCH["add"]).click()
    page.get_by_role("button", name=FRENCH["create"]).click()
    page.get_by_role("button", name=FRENCH["save"], exact=True).click()
    passkey = Passkey.objects.get(user=user)

    _age_the_proof_of_identity(page)
    page.get_by_role("link", name=f"Supprimer la clé « {passkey.name} »").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmez votre identité")
    a11y(page)
    page.get_by_role("button", name="Confirmer avec une clé d'accès").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Supprimer la clé d'accès « {passkey.name} » ?")
    a11y(page)
    page.get_by_role("button", name="Supprimer la clé d'accès").click()
    expect(page.get_by_text("Vous n'avez pas encore de clé d'accès.")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Vos autres sessions ont été fermées")
    a11y(page)
    assert not Passkey.objects.exists()
    bodies = list(OutboundSms.objects.filter(purpose="passkey_change").order_by("pk").values_list("body", flat=True))
    assert len(bodies) == 2 and "supprimée" in bodies[1]
