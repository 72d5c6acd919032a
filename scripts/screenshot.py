"""Take full-page screenshots of portal pages with Debian's chromium (for looking at what we build).

    .venv/bin/python scripts/screenshot.py http://127.0.0.1:8000/ out.png [--post-empty]
--post-empty submits the page's main form empty, to look at the error state.
"""

import sys

from playwright.sync_api import sync_playwright


def main(url: str, out: str, *flags: str) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        page = browser.new_page(viewport={"width": 1100, "height": 800})
        page.goto(url)
        if "--post-empty" in flags:
            page.locator("main form[method=post] button.button-primary").first.click()
        page.screenshot(path=out, full_page=True)
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
