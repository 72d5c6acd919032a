# ruff: noqa: T201, S603, S607, S608, S105, S108 - operator scripts: they print, run fixed local commands
"""Settings for the fault-injection runs: the development settings plus short, tunable delays.

Only the values a fault run needs to finish in minutes change here; the shared settings are untouched.
Every knob is an environment variable so one script can differ from another:

- FAULTS_REQUEUE_AFTER_SECONDS: OUTBOX_REQUEUE_AFTER (production: 120).
- FAULTS_OUTBOX_MAX_ATTEMPTS: OUTBOX_MAX_ATTEMPTS (production: 6).
- FAULTS_OUTBOX_BEAT_SECONDS: how often the beat re-queues stuck SMS/e-mails (production: 60).
- FAULTS_RECEIPTS_BEAT_SECONDS: how often TAAWIDATY and ASVI receipts are re-queued (production: 300 / 600).
- FAULTS_VISIBILITY_TIMEOUT: Redis visibility timeout of unacknowledged tasks (production: 900).
- FAULTS_MAIL_DIR: e-mails are written there, one file per connection, so a run can count them.
"""

from datetime import timedelta

from macnss.settings.base import *  # noqa: F403
from macnss.settings.base import CELERY_BEAT_SCHEDULE as _BASE_BEAT
from macnss.settings.base import env

OUTBOX_REQUEUE_AFTER = timedelta(seconds=env.int("FAULTS_REQUEUE_AFTER_SECONDS", default=20))
OUTBOX_MAX_ATTEMPTS = env.int("FAULTS_OUTBOX_MAX_ATTEMPTS", default=6)

_outbox_every = env.float("FAULTS_OUTBOX_BEAT_SECONDS", default=10.0)
_receipts_every = env.float("FAULTS_RECEIPTS_BEAT_SECONDS", default=10.0)
CELERY_BEAT_SCHEDULE = {name: dict(entry) for name, entry in _BASE_BEAT.items() if name != "asvi-generate-quarter-dues"}
CELERY_BEAT_SCHEDULE["requeue-stuck-outbox"]["schedule"] = _outbox_every
for _name in ("taawidaty-requeue-missing-receipts", "asvi-reconcile-payments"):
    if _name in CELERY_BEAT_SCHEDULE:
        CELERY_BEAT_SCHEDULE[_name]["schedule"] = _receipts_every

CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("FAULTS_VISIBILITY_TIMEOUT", default=15 * 60)}

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = env("FAULTS_MAIL_DIR", default="/tmp/macnss-faults-mail")
