"""Settings of the production-like instance the wapiti scan attacks (scripts/security/wapiti_scan.py).

Everything comes from `macnss.settings.production`, including its refusal to start on unsafe values;
only two things differ, both read from the scan's own environment:

- STATIC_ROOT points into the scan's temporary folder, so `collectstatic` never touches the shared
  `staticfiles/` of the working tree;
- the per-IP limits of the public forms (django-ratelimit) are off unless WAPITI_RATE_LIMITS=on. With
  them on, every public form answers «trop de tentatives» after 10 to 30 posts and the scanner's
  payloads never reach form validation. The limits themselves are tested in tests/security/.
"""

from pathlib import Path

from macnss.settings.production import *  # noqa: F403
from macnss.settings.production import env

STATIC_ROOT = Path(env("WAPITI_STATIC_ROOT"))
RATELIMIT_ENABLE = env.bool("WAPITI_RATE_LIMITS", default=False)
