"""django-simple-captcha's rows (`captcha.models.CaptchaStore`), written and checked with one SQL
statement each.

The library's image and audio views read these rows unchanged. Through the ORM, building the INSERT of
a new captcha and the SELECT of a submitted one cost more than running them, on the busiest public
forms (docs/PERFORMANCE.md). The check is also a single `DELETE … RETURNING`: a captcha is spent at its
first attempt, right or wrong, even when two submissions of the same page race each other.

A captcha is checked once the rest of its form is valid (macnss.core.forms.PortalCaptchaField): a form
refused for another answer comes back with the same captcha, unchecked, as long as its key says it
has a few minutes left (`still_answerable`: the key starts with its expiry time, so no query is
needed). A form checked and shown again needs a new captcha: `take_and_issue` spends the submitted
one and writes the next in the same round trip on PostgreSQL. After a valid submission the next one
is never shown, and the beat task purges it with the other expired ones.
"""

import secrets
import time
from datetime import timedelta

from captcha.conf import settings as captcha_settings
from captcha.models import CaptchaStore
from django.db import connection
from django.utils import timezone

TABLE = CaptchaStore._meta.db_table


_INSERT = f"INSERT INTO {TABLE} (challenge, response, hashkey, expiration) VALUES (%s, %s, %s, %s)"  # noqa: S608 (the model's table)
_DELETE = f"DELETE FROM {TABLE} WHERE hashkey = %s RETURNING response, expiration > %s"  # noqa: S608 (the model's table)


# A captcha shown again must leave the person time to correct the form and answer.
TIME_TO_ANSWER = timedelta(minutes=3)


def _new_row(generator=None) -> tuple[str, list]:
    """A new captcha's key and its INSERT parameters. The key has 40 hexadecimal characters, as the
    library's: its expiry time (8), then 128 random bits (32)."""
    challenge, response = captcha_settings.get_challenge(generator)()
    expiration = timezone.now() + timedelta(minutes=int(captcha_settings.CAPTCHA_TIMEOUT))
    hashkey = f"{int(expiration.timestamp()):08x}{secrets.token_hex(16)}"
    return hashkey, [challenge, response.lower(), hashkey, connection.ops.adapt_datetimefield_value(expiration)]


def still_answerable(hashkey: str) -> bool:
    """Whether a submitted key, written by this module, expires late enough to be shown again.

    Read from the key alone: a forged or spent key passes, but shown again it only draws no image, and
    it is refused when checked (the row decides)."""
    try:
        expires = int(hashkey[:8], 16) if len(hashkey) == 40 else 0
    except ValueError:
        return False
    now = time.time()
    latest = now + timedelta(minutes=int(captcha_settings.CAPTCHA_TIMEOUT)).total_seconds() + 5
    return now + TIME_TO_ANSWER.total_seconds() <= expires <= latest


def new_key(generator=None) -> str:
    """A new captcha; its key goes into the form."""
    hashkey, params = _new_row(generator)
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, params)
    return hashkey


def _answer(row) -> str | None:
    return row[0] if row is not None and row[1] else None


def take(hashkey: str) -> str | None:
    """Spend a captcha: delete it and return its expected answer, or None if it is unknown or expired."""
    if not hashkey:
        return None
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_DELETE, [hashkey, now])
        return _answer(cursor.fetchone())


def take_and_issue(hashkey: str, generator=None) -> tuple[str | None, str]:
    """take(hashkey), and the key of a new captcha for the form shown again: one statement on
    PostgreSQL (a data-modifying WITH runs whether or not the query reads it), two elsewhere."""
    next_key, params = _new_row(generator)
    if connection.vendor != "postgresql":
        answer = take(hashkey)
        with connection.cursor() as cursor:
            cursor.execute(_INSERT, params)
        return answer, next_key
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        statement = f"WITH spent AS ({_DELETE}), issued AS ({_INSERT}) SELECT * FROM spent"  # noqa: S608 (as above)
        cursor.execute(statement, [hashkey, now, *params])
        return _answer(cursor.fetchone()), next_key
