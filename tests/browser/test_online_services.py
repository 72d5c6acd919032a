"""«Services en ligne» (seed 003, steps 1–2), from the home page, in French and Arabic."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("arabic", [False, True], ids=["fr", "ar"])
def test_from_the_home_page_to_the_online_services(page, a11y, arabic):
    title = "الخدمات عبر الإنترنت" if arabic else "Services en ligne"
    page.goto("/")
    if arabic:
        page.get_by_role("button", name="العربية").click()
    page.get_by_role("main").get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    a11y(page)
    payment = "الأداء عبر الإنترنت" if arabic else "Paiement en ligne"
    external = page.get_by_role("link", name="DAMANCOM")
    expect(external).to_have_attribute("rel", "external noopener noreferrer")
    expect(external).to_contain_text("موقع خارجي" if arabic else "site externe")
    expect(page.get_by_role("contentinfo").get_by_role("link", name=title)).to_be_visible()
    page.get_by_role("link", name=payment).click()
    assert "/paiement/" in page.url
