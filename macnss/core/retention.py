"""Personal data is kept no longer than needed (Law 09-08, docs/SECURITY.md «Conservation des données»).

Each app registers its rules in AppConfig.ready(), as for the portal's tiles, so this module knows no journey:
a rule names the setting that holds its period in days and gives the rows past that period. Two beat tasks
(macnss.core.tasks) run `delete_expired` hourly and `redact_outbox_bodies` every minute. Both are idempotent
(a filter on dates: a second run finds nothing more) and work in small batches, each its own short transaction;
files go through their storage once the batch is committed.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone


@dataclass(frozen=True)
class RetentionRule:
    key: str
    setting: str  # the settings name of the period, in days
    expired: Callable[[datetime], QuerySet]  # cutoff -> the rows older than the period
    file_fields: tuple[str, ...] = ()  # FileFields whose files are deleted with the rows


_rules: dict[str, RetentionRule] = {}


def register_retention_rule(rule: RetentionRule) -> None:
    _rules[rule.key] = rule


def registered_rules() -> list[RetentionRule]:
    return list(_rules.values())


def cutoff_for(rule: RetentionRule, now: datetime) -> datetime:
    return now - timedelta(days=getattr(settings, rule.setting))


def delete_expired(now: datetime | None = None) -> dict[str, int]:
    """Apply every registered rule; returns the rows deleted per rule."""
    now = now or timezone.now()
    return {
        rule.key: delete_in_batches(rule.expired(cutoff_for(rule, now)), file_fields=rule.file_fields)
        for rule in registered_rules()
    }


def delete_in_batches(queryset: QuerySet, *, file_fields: tuple[str, ...] = ()) -> int:
    model = queryset.model
    total = 0
    for _ in range(settings.RETENTION_MAX_BATCHES):
        ids = list(queryset.order_by().values_list("pk", flat=True)[: settings.RETENTION_BATCH_SIZE])
        if not ids:
            break
        with transaction.atomic():
            batch = model.objects.filter(pk__in=ids)
            files = _files_of(batch, file_fields)
            batch.delete()
            transaction.on_commit(lambda files=files: _delete_files(files))
        total += len(ids)
    return total


def _files_of(queryset: QuerySet, file_fields: tuple[str, ...]) -> list[tuple]:
    files = []
    for name in file_fields:
        storage = queryset.model._meta.get_field(name).storage
        files += [(storage, path) for path in queryset.exclude(**{name: ""}).values_list(name, flat=True) if path]
    return files


def _delete_files(files: list[tuple]) -> None:
    for storage, path in files:
        storage.delete(path)


# ---------------------------------------------------------------- the outbox (macnss.core's own data)

# A message is redacted when it reached a terminal status within this window: the status and updated_at index
# answers in one range scan. A row that escaped it (beat stopped for a week) still goes with its metadata.
REDACTION_WINDOW = timedelta(days=7)
# The development backends keep the text for the demo phone and the demo mailbox.
TEXT_KEEPING_SMS_BACKENDS = ("outbox",)


def redact_outbox_bodies(now: datetime | None = None) -> int:
    """Replace the text of every SMS and e-mail that was sent or failed for good; delete e-mail attachments."""
    from .models import OutboundEmail, OutboundSms, OutboxStatus
    from .services import REDACTED

    now = now or timezone.now()
    done = [OutboxStatus.SENT, OutboxStatus.FAILED]
    recent = {"status__in": done, "updated_at__gte": now - REDACTION_WINDOW}
    total = 0
    sms = OutboundSms.objects.filter(**recent).exclude(body=REDACTED).exclude(backend__in=TEXT_KEEPING_SMS_BACKENDS)
    total += _redact_in_batches(sms)
    if not settings.DEBUG:  # the demo mailbox (DEBUG only) shows the e-mails as sent
        total += _redact_in_batches(OutboundEmail.objects.filter(**recent).exclude(body=REDACTED), attachment=True)
    return total


def _redact_in_batches(queryset: QuerySet, *, attachment: bool = False) -> int:
    from .services import REDACTED

    model = queryset.model
    total = 0
    for _ in range(settings.RETENTION_MAX_BATCHES):
        ids = list(queryset.order_by().values_list("pk", flat=True)[: settings.RETENTION_BATCH_SIZE])
        if not ids:
            break
        with transaction.atomic():
            batch = model.objects.filter(pk__in=ids)
            changes = {"body": REDACTED}
            if attachment:
                files = _files_of(batch, ("attachment",))
                changes["attachment"] = ""
                transaction.on_commit(lambda files=files: _delete_files(files))
            batch.update(**changes)  # updated_at kept: the metadata's age counts from the last send
        total += len(ids)
    return total


def register_outbox_rules() -> None:
    from .models import OutboundEmail, OutboundSms, OutboxStatus

    every_status = {"status__in": OutboxStatus.values}  # so that the (status, updated_at) index serves

    register_retention_rule(
        RetentionRule(
            key="core.outbound_sms",
            setting="RETENTION_OUTBOX_DAYS",
            expired=lambda cutoff: OutboundSms.objects.filter(**every_status, updated_at__lt=cutoff),
        )
    )
    register_retention_rule(
        RetentionRule(
            key="core.outbound_email",
            setting="RETENTION_OUTBOX_DAYS",
            expired=lambda cutoff: OutboundEmail.objects.filter(**every_status, updated_at__lt=cutoff),
            file_fields=("attachment",),
        )
    )
