"""A sign-in's device in a few words («Firefox sur Android»), from its user agent, for «Mes connexions».

A summary, not an identification: user agents are written by the browser and can say anything."""

from django.utils.translation import gettext as _

# First match wins: the more specific names come before the engines they embed.
_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
)


def _first(user_agent: str, table) -> str:
    return next((name for marker, name in table if marker in user_agent), "")


def summary(user_agent: str) -> str:
    browser, system = _first(user_agent or "", _BROWSERS), _first(user_agent or "", _SYSTEMS)
    if browser and system:
        return _("%(browser)s sur %(system)s") % {"browser": browser, "system": system}
    return browser or system or _("Appareil inconnu")
