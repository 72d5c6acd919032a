"""Full-page screenshots of portal pages with Debian's chromium, to look at what we build.

    .venv/bin/python scripts/screenshot.py URL out.png [--post-empty] [--login NUMBER PASSWORD]

--login logs in through the login page of the same host first (French labels);
--post-empty submits the page's main form empty, to look at the error state.
"""

import sys
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright


def main(url: str, out: str, *flags: str) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        page = browser.new_page(viewport={"width": 1100, "height": 800})
        if "--login" in flags:
            number, password = flags[flags.index("--login") + 1 : flags.index("--login") + 3]
            origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
            page.goto(f"{origin}/compte/connexion/")
            page.get_by_label("Numéro d'immatriculation").fill(number)
            page.get_by_label("Mot de passe").fill(password)
            page.get_by_role("button", name="ACCÉDER", exact=True).click()
        page.goto(url)
        if "--post-empty" in flags:
            page.locator("main form[method=post] button.button-primary").first.click()
        page.screenshot(path=out, full_page=True)
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
