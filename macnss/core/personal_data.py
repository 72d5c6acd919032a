"""«Mes données»: what the portal holds about one insured person, gathered from every app.

Each app registers, in its AppConfig.ready(), a provider: person -> list of DataSection (a few queries, never
one per row), as for the portal's tiles, so this module knows no journey. The `privacy` app shows the result
and offers it as a JSON download. Secrets (password hashes, code hashes, tokens) are never listed.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class DataSection:
    key: str  # stable, e.g. "taawidaty.claims"
    title: str  # in the person's language
    records: list[dict[str, str]] = field(default_factory=list)  # label -> value, one dict per row
    purpose: str = ""  # why the portal keeps it, in a sentence


_providers: dict[Callable[[object], Iterable[DataSection]], int] = {}


def register_personal_data_provider(provider: Callable, *, order: int = 50) -> None:
    """`order` places the sections: identity first (accounts, 10), the journeys (50), messages last (90)."""
    _providers[provider] = order


def sections_for(person) -> list[DataSection]:
    providers = sorted(_providers, key=_providers.get)
    return [
        DataSection(s.key, s.title, [_capitalised(record) for record in s.records], s.purpose)
        for provider in providers
        for s in provider(person)
    ]


def _capitalised(record: dict[str, str]) -> dict[str, str]:
    return {label[:1].upper() + label[1:]: value for label, value in record.items()}


def records(rows: Iterable[models.Model], *, exclude: Iterable[str] = ()) -> list[dict[str, str]]:
    """Each row as {field label: readable value}, with every concrete field but the excluded ones.
    Foreign keys print their object: select_related() them, or exclude them."""
    rows = list(rows)
    if not rows:
        return []
    excluded = {"id", *exclude}
    fields = [
        f for f in rows[0]._meta.concrete_fields if f.name not in excluded and not isinstance(f, models.FileField)
    ]
    return [{str(f.verbose_name): _readable(row, f) for f in fields} for row in rows]


def _readable(row, model_field) -> str:
    if model_field.choices:
        return str(getattr(row, f"get_{model_field.name}_display")())
    return readable(getattr(row, model_field.name))


def readable(value) -> str:
    """A value as the person reads it: dates jj/mm/aaaa (Casablanca time), amounts with two decimals."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(_("Oui") if value else _("Non"))
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def export(person, *, language: str) -> dict:
    """The whole download, in the person's language: who, when, how to have it corrected, and every section."""
    with translation.override(language):
        return {
            "portail": "Ma CNSS",
            "genere_le": timezone.localtime().strftime("%d/%m/%Y %H:%M"),
            "numero_immatriculation": person.immatriculation_number,
            "rectification": correction_text(),
            "rubriques": [
                {"cle": s.key, "titre": s.title, "finalite": s.purpose, "enregistrements": s.records}
                for s in sections_for(person)
            ],
        }


def correction_text() -> str:
    return _(
        "Pour faire corriger une donnée inexacte, présentez-vous à votre agence CNSS avec votre pièce d'identité "
        "ou appelez le service client. Pour toute autre demande (accès, opposition), écrivez au "
        "délégué à la protection des données de la CNSS ; vous pouvez aussi saisir la CNDP (www.cndp.ma)."
    )
