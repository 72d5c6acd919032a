"""How the journeys plug into the shared private space, without the private space knowing them.

Each journey app registers, in its AppConfig.ready():
- a PortalService: a tile on the private home, shown when `is_available(person)` is true;
- a request provider: a function person -> list[RequestSummary] for «Mes demandes» (one query each),
  with the models it reads, so the cached list is dropped when one of their rows is saved or deleted.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class PortalService:
    key: str
    title: str
    description: str
    url_name: str
    is_available: Callable = field(default=lambda person: True)
    order: int = 100


@dataclass(frozen=True)
class RequestSummary:
    kind: str
    reference: str
    status_label: str
    created_at: datetime
    url: str = ""


_services: dict[str, PortalService] = {}
_request_providers: list[Callable] = []


def register_service(service: PortalService) -> None:
    _services[service.key] = service


def register_request_provider(provider: Callable, *, models=(), person_field: str = "insured_id") -> None:
    if provider not in _request_providers:
        _request_providers.append(provider)
    for model in models:
        _invalidate_on_change(model, person_field)


def services_for(person) -> list[PortalService]:
    return sorted((s for s in _services.values() if s.is_available(person)), key=lambda s: s.order)


def _collect_requests(person) -> list[RequestSummary]:
    summaries: Iterable[RequestSummary] = (item for provider in _request_providers for item in provider(person))
    return sorted(summaries, key=lambda r: r.created_at, reverse=True)


# «Mes demandes» is on the private home: cached per person and language (one cache read instead of a
# query per journey), and dropped whenever a row it shows changes.
REQUESTS_CACHE_SECONDS = 120  # short: an invalidation lost during a Redis outage heals quickly


def _cache_key(person_id, language: str) -> str:
    return f"portal:requests:{person_id}:{language}"


def requests_for(person) -> list[RequestSummary]:
    from django.core.cache import cache
    from django.utils.translation import get_language

    key = _cache_key(person.pk, get_language())
    summaries = cache.get(key)
    if summaries is None:
        summaries = _collect_requests(person)
        cache.set(key, summaries, REQUESTS_CACHE_SECONDS)
    return summaries


def requests_changed(person_id) -> None:
    from django.conf import settings

    from macnss.core.caching import drop_now_and_after_commit

    drop_now_and_after_commit([_cache_key(person_id, code) for code, _name in settings.LANGUAGES])


def _invalidate_on_change(model, person_field: str) -> None:
    from macnss.core.caching import call_on_person_change

    call_on_person_change(
        model, requests_changed, uid=f"portal-requests-{model._meta.label}", person_field=person_field
    )
