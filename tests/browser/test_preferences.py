"""«Mes préférences», from the private home, in French and Arabic."""

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, InsuredPersonFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("arabic", [False, True], ids=["fr", "ar"])
def test_choose_the_language_of_messages(page, a11y, arabic):
    person = InsuredPersonFactory(preferred_language="ar" if not arabic else "fr")
    UserFactory(insured=person)
    page.goto("/")
    if arabic:
        page.get_by_role("button", name="العربية").click()
    page.get_by_role("link", name="الولوج إلى حساب Ma CNSS" if arabic else "ACCÉDER AU COMPTE MACNSS").first.click()
    page.get_by_label("رقم التسجيل" if arabic else "Numéro d'immatriculation").fill(person.immatriculation_number)
    page.get_by_label("كلمة المرور" if arabic else "Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="ولوج" if arabic else "ACCÉDER", exact=True).click()
    title = "تفضيلاتي" if arabic else "Mes préférences"
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    a11y(page)
    choice = "العربية" if arabic else "Français"
    page.get_by_role("group", name="لغة الرسائل" if arabic else "Langue des SMS").get_by_label(choice).check()
    page.get_by_role("button", name="تسجيل" if arabic else "Enregistrer", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(
        "تم حفظ تفضيلاتكم" if arabic else "Vos préférences sont enregistrées"
    )
    person.refresh_from_db()
    assert person.preferred_language == ("ar" if arabic else "fr")
