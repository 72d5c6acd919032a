"""django-simple-captcha's rows (`captcha.models.CaptchaStore`), written and checked with one SQL
statement each.

The library's image and audio views read these rows unchanged. Through the ORM, building the INSERT of
a new captcha and the SELECT of a submitted one cost more than running them, on the busiest public
forms (docs/PERFORMANCE.md). The check is also a single `DELETE … RETURNING`: a captcha is spent at its
first attempt, right or wrong, even when two submissions of the same page race each other.
"""

import secrets
from datetime import timedelta

from captcha.conf import settings as captcha_settings
from captcha.models import CaptchaStore
from django.db import connection
from django.utils import timezone

TABLE = CaptchaStore._meta.db_table


def new_key(generator=None) -> str:
    """A new captcha; its key (40 hexadecimal characters, as the library's) goes into the form."""
    challenge, response = captcha_settings.get_challenge(generator)()
    hashkey = secrets.token_hex(20)
    expiration = timezone.now() + timedelta(minutes=int(captcha_settings.CAPTCHA_TIMEOUT))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (challenge, response, hashkey, expiration) VALUES (%s, %s, %s, %s)",  # noqa: S608 (the model's table)
            [challenge, response.lower(), hashkey, connection.ops.adapt_datetimefield_value(expiration)],
        )
    return hashkey


def take(hashkey: str) -> str | None:
    """Spend a captcha: delete it and return its expected answer, or None if it is unknown or expired."""
    if not hashkey:
        return None
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {TABLE} WHERE hashkey = %s RETURNING response, expiration > %s",  # noqa: S608 (the model's table)
            [hashkey, now],
        )
        row = cursor.fetchone()
    if row is None or not row[1]:
        return None
    return row[0]
