"""SMS gateways behind one small interface, chosen by settings.SMS_BACKEND.

- `console`: prints the message (development without a database inbox).
- `outbox`: keeps the message in the database; the demo-phone page shows it (development, tests).
- `twilio`: the real Twilio client. Production refuses to start on anything else.
"""

import logging
from dataclasses import dataclass

from django.conf import settings

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """A send that failed."""


class TransientSmsError(SmsError):
    """Worth retrying later (network, provider 5xx, rate limiting)."""


class PermanentSmsError(SmsError):
    """Retrying will not help (invalid number, rejected message)."""


@dataclass(frozen=True)
class SentSms:
    provider_message_id: str
    keeps_text: bool  # True where the text stays readable on our side (demo phone)


class ConsoleSmsBackend:
    name = "console"

    def send(self, *, to: str, body: str, reference: str) -> SentSms:
        logger.info("SMS to %s: %s", to, body)
        print(f"[SMS → {to}] {body}", flush=True)  # noqa: T201 - the console backend's job
        return SentSms(provider_message_id=f"console-{reference}", keeps_text=False)


class OutboxSmsBackend:
    """Delivery is the database row itself; the demo-phone page reads it."""

    name = "outbox"

    def send(self, *, to: str, body: str, reference: str) -> SentSms:
        return SentSms(provider_message_id=f"outbox-{reference}", keeps_text=True)


class TwilioSmsBackend:
    name = "twilio"

    def __init__(self, client=None):
        if client is None:
            from twilio.http.http_client import TwilioHttpClient
            from twilio.rest import Client

            client = Client(
                settings.TWILIO_ACCOUNT_SID,
                settings.TWILIO_AUTH_TOKEN,
                http_client=TwilioHttpClient(timeout=10),
            )
        self.client = client

    def send(self, *, to: str, body: str, reference: str) -> SentSms:
        from twilio.base.exceptions import TwilioException, TwilioRestException

        try:
            message = self.client.messages.create(to=to, from_=settings.TWILIO_FROM_NUMBER, body=body)
        except TwilioRestException as exc:
            if exc.status == 429 or exc.status >= 500:
                raise TransientSmsError(f"Twilio {exc.status}: {exc.msg}") from exc
            raise PermanentSmsError(f"Twilio {exc.status} ({exc.code}): {exc.msg}") from exc
        except (TwilioException, OSError) as exc:
            raise TransientSmsError(str(exc)) from exc
        return SentSms(provider_message_id=message.sid, keeps_text=False)


BACKENDS = {"console": ConsoleSmsBackend, "outbox": OutboxSmsBackend, "twilio": TwilioSmsBackend}
FAKE_BACKENDS = {"console", "outbox"}


def get_sms_backend():
    try:
        return BACKENDS[settings.SMS_BACKEND]()
    except KeyError as exc:
        raise SmsError(f"Unknown SMS_BACKEND {settings.SMS_BACKEND!r}") from exc
