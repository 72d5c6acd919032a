"""How the journeys plug into the shared private space, without the private space knowing them.

Each journey app registers, in its AppConfig.ready():
- a PortalService: a tile on the private home, shown when `is_available(person)` is true;
- a request provider: a function person -> list[RequestSummary] for «Mes demandes» (one query each).
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


def register_request_provider(provider: Callable) -> None:
    if provider not in _request_providers:
        _request_providers.append(provider)


def services_for(person) -> list[PortalService]:
    return sorted((s for s in _services.values() if s.is_available(person)), key=lambda s: s.order)


def requests_for(person) -> list[RequestSummary]:
    summaries: Iterable[RequestSummary] = (item for provider in _request_providers for item in provider(person))
    return sorted(summaries, key=lambda r: r.created_at, reverse=True)
