"""A Celery worker whose Twilio client talks to the script's fake SMS provider instead of api.twilio.com.

Used by sms_provider_errors.py only. The real `TwilioSmsBackend` and Twilio library run unchanged; only
the HTTP client's base address is rewritten to FAULTS_PROVIDER_URL (patched before the pool forks).
Run as: python provider_worker.py -A macnss worker …
"""

import os
import sys

from twilio.http.http_client import TwilioHttpClient

PROVIDER = os.environ["FAULTS_PROVIDER_URL"].rstrip("/")
_request = TwilioHttpClient.request


def _to_fake_provider(self, method, url, *args, **kwargs):
    if url.startswith("https://api.twilio.com"):
        url = PROVIDER + url[len("https://api.twilio.com") :]
    return _request(self, method, url, *args, **kwargs)


TwilioHttpClient.request = _to_fake_provider

if __name__ == "__main__":
    from celery.__main__ import main

    sys.argv[0] = "celery"
    sys.exit(main())
