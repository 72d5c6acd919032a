"""Work queues: each journey app registers its own in AppConfig.ready(); the back office knows none.

    from backoffice.queues import WorkQueue, register_queue
    register_queue(WorkQueue(key="taawidaty-deposees", journey=_("TAAWIDATY"), label=_("déposées à instruire"),
                             model="taawidaty.RefundClaim", filters={"status__exact": "deposee"},
                             age_field="submitted_at", groups=("Agents",)))

A queue is a filter on one model. Its link opens the model's admin list with `?file=<key>`: the list is
filtered by the queue and sorted oldest first (backoffice.audit.PersonalDataAdminMixin).
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.urls import reverse

QUEUE_PARAM = "file"


@dataclass(frozen=True)
class WorkQueue:
    key: str
    journey: str
    label: str
    model: str  # "app_label.ModelName"
    filters: dict
    age_field: str
    groups: tuple = ("Agents",)
    insured_field: str = "insured"  # path from an item to its InsuredPerson ("" for the person itself)
    service_days: int = 5  # default service time; supervisors change it in the admin (QueueSetting)
    order: int = 100
    extra: dict = field(default_factory=dict)

    @property
    def model_class(self):
        return apps.get_model(self.model)

    def items(self):
        return self.model_class.objects.filter(**self.filters)

    def url(self) -> str:
        opts = self.model_class._meta
        return f"{reverse(f'admin:{opts.app_label}_{opts.model_name}_changelist')}?{QUEUE_PARAM}={self.key}"


_queues: dict[str, WorkQueue] = {}


def register_queue(queue: WorkQueue) -> None:
    _queues[queue.key] = queue


def get_queue(key: str) -> WorkQueue | None:
    return _queues.get(key)


def all_queues() -> list[WorkQueue]:
    return sorted(_queues.values(), key=lambda q: (q.order, q.key))


def queues_for(user) -> list[WorkQueue]:
    """The queues of the user's groups (every queue for a superuser)."""
    if user.is_superuser:
        return all_queues()
    from .roles import group_names

    names = group_names(user)
    return [q for q in all_queues() if names.intersection(q.groups)]


def queues_for_model(user, model) -> list[WorkQueue]:
    label = model._meta.label
    return [q for q in queues_for(user) if q.model == label]
