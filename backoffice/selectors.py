"""Reads of the back office: queue counts, whether an item is in an agent's queues, the journal."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Min, Q
from django.db.models.functions import TruncHour
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AccessRecord, Assignment, QueueSetting
from .queues import WorkQueue, queues_for


@dataclass(frozen=True)
class QueueRow:
    queue: WorkQueue
    count: int
    late: int
    oldest: datetime | None
    service_days: int

    @property
    def oldest_days(self) -> int | None:
        if self.oldest is None:
            return None
        return (timezone.now() - self.oldest).days


def service_days(queues) -> dict[str, int]:
    """Each queue's service time: the supervisors' setting, else the queue's default (one query)."""
    stored = dict(QueueSetting.objects.filter(key__in=[q.key for q in queues]).values_list("key", "service_days"))
    return {q.key: stored.get(q.key, q.service_days) for q in queues}


def queue_rows(user) -> list[QueueRow]:
    """Count, late count and oldest item of each of the user's queues: one query per queue, one for the
    service times, whatever the number of items."""
    queues = queues_for(user)
    days = service_days(queues)
    now = timezone.now()
    rows = []
    for queue in queues:
        cutoff = now - timedelta(days=days[queue.key])
        figures = queue.items().aggregate(
            count=Count("pk"),
            oldest=Min(queue.age_field),
            late=Count("pk", filter=Q(**{f"{queue.age_field}__lt": cutoff})),
        )
        rows.append(QueueRow(queue, figures["count"], figures["late"], figures["oldest"], days[queue.key]))
    return rows


def my_assignments(user) -> list[Assignment]:
    return list(Assignment.objects.filter(assigned_to=user).select_related("content_type").order_by("assigned_at")[:50])


def assignment_of(obj) -> Assignment | None:
    return (
        Assignment.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))
        .select_related("assigned_to")
        .first()
    )


def queue_reason(user, obj, insured_id) -> str | None:
    """Why the user may open this record without giving a reason: he took it, or it is in one of his
    queues, or (for a person's record) the person has an item there. None: outside his queues."""
    content_type = ContentType.objects.get_for_model(obj)
    if Assignment.objects.filter(content_type=content_type, object_id=str(obj.pk), assigned_to=user).exists():
        return str(_("Mes dossiers"))
    queues = queues_for(user)
    label = obj._meta.label
    for queue in queues:
        if queue.model == label and queue.items().filter(pk=obj.pk).exists():
            return f"{queue.journey} — {queue.label}"
    if insured_id is None:
        return None
    for queue in queues:
        path = f"{queue.insured_field}_id" if queue.insured_field else "pk"
        if queue.items().filter(**{path: insured_id}).exists():
            return f"{queue.journey} — {queue.label}"
    return None


def journal_for(person, limit: int = 200):
    """What the insured sees in «Qui a consulté mes données» (never the agent's name)."""
    return list(AccessRecord.objects.filter(insured=person).select_related("content_type").order_by("-at")[:limit])


@dataclass(frozen=True)
class BusyHour:
    staff_username: str
    role: str
    hour: datetime
    count: int


def unusual_reading(days: int = 7):
    """Supervisors' list: agents who opened more than N records in an hour, and openings outside the
    agent's queues, over the last `days` days."""
    since = timezone.now() - timedelta(days=days)
    threshold = settings.BACKOFFICE_UNUSUAL_READS_PER_HOUR
    busy = (
        AccessRecord.objects.filter(at__gte=since)
        .annotate(hour=TruncHour("at"))
        .values("staff_username", "role", "hour")
        .annotate(count=Count("pk"))
        .filter(count__gt=threshold)
        .order_by("-hour")
    )
    outside = AccessRecord.objects.filter(at__gte=since, outside_queues=True).select_related("content_type", "insured")
    return [BusyHour(**row) for row in busy], list(outside.order_by("-at")[:500]), threshold
