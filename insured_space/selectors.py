"""Reads of «Mon immatriculation»: each a single query, whatever the length of the person's career."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Regime

from .models import Attestation, RegimePeriod, SalaryDeclaration


@dataclass(frozen=True)
class Period:
    regime: str
    started_on: date
    ended_on: date | None

    def regime_label(self) -> str:
        return Regime(self.regime).label


def regime_history(person) -> list[Period]:
    """The stored periods; a person with none (records older than the history) has today's regime since
    his record was created."""
    periods = [
        Period(p.regime, p.started_on, p.ended_on)
        for p in RegimePeriod.objects.filter(insured=person).order_by("started_on")
    ]
    if periods:
        return periods
    return [Period(person.regime, timezone.localdate(person.created_at), None)]


def registration_date(periods: list[Period]) -> date:
    return min(period.started_on for period in periods)


def has_employee_period(periods: list[Period]) -> bool:
    return any(period.regime == Regime.EMPLOYEE for period in periods)


@dataclass
class YearSummary:
    year: int
    employers: list = field(default_factory=list)  # dicts: employer_number, days, salary, months
    days: int = 0
    salary: Decimal = Decimal("0.00")


def declared_by_year_and_employer(person) -> list[YearSummary]:
    """Days and salaries declared per year and per employer, latest year first (one grouped query)."""
    rows = (
        SalaryDeclaration.objects.filter(insured=person)
        .annotate(year=ExtractYear("month"))
        .values("year", "employer_number")
        .annotate(days=Sum("days"), salary=Sum("salary"), months=Count("id"))
        .order_by("-year", "employer_number")
    )
    years: dict[int, YearSummary] = {}
    for row in rows:
        summary = years.setdefault(row["year"], YearSummary(row["year"]))
        summary.employers.append(row)
        summary.days += row["days"]
        summary.salary += row["salary"]
    return list(years.values())


def salary_lines(person, start: date, end: date) -> list[SalaryDeclaration]:
    return list(
        SalaryDeclaration.objects.filter(insured=person, month__gte=start, month__lte=end).order_by(
            "month", "employer_number"
        )
    )


def recent_attestations(person, limit: int = 10) -> list[Attestation]:
    return list(
        Attestation.objects.filter(insured=person)
        .only("public_id", "kind", "reference", "issued_on", "period_start", "period_end", "pdf", "pdf_built_at")
        .order_by("-created_at")[:limit]
    )


def attestation_of(person, public_id) -> Attestation:
    """The person's own attestation; anyone else's is a 404."""
    return get_object_or_404(Attestation, public_id=public_id, insured=person)


def attestations_missing_pdf(older_than):
    return Attestation.objects.filter(pdf_built_at__isnull=True, created_at__lt=timezone.now() - older_than)
