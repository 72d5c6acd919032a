"""State changes of «Mon immatriculation»: attestations issued, signed and built by the worker."""

import logging
import secrets
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from macnss.core import document_signing
from macnss.core.tasks_queue import enqueue_now, enqueue_on_commit

from . import selectors
from .models import Attestation, AttestationKind

logger = logging.getLogger(__name__)

REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_PREFIX = {AttestationKind.REGISTRATION: "AI", AttestationKind.SALARY: "AS"}
# «AI-7KQ4M-2XD9P»: 30^10 ≈ 5.9 × 10^14 values, not guessable on a page limited to a few tries an hour.
REFERENCE_PATTERN = r"A[IS]-[2-9A-HJKMNP-TV-Z]{5}-[2-9A-HJKMNP-TV-Z]{5}"


class NoDeclaredSalary(Exception):
    """A salary attestation was asked by a person with no employee period."""


def new_reference(kind: str) -> str:
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(10))
    return f"{REFERENCE_PREFIX[kind]}-{chars[:5]}-{chars[5:]}"


def last_twelve_months(today: date) -> tuple[date, date]:
    """The twelve complete months before `today`'s month, as (first month, last month)."""
    last = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    index = last.year * 12 + last.month - 1 - 11
    return date(index // 12, index % 12 + 1, 1), last


def year_months(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 1)


# --- Printed figures and their canonical text -----------------------------------------------------


def _identity(person) -> dict:
    return {
        "number": person.immatriculation_number,
        "name": person.full_name,
        "name_ar": f"{person.last_name_ar} {person.first_name_ar}".strip(),
        "birth_date": person.birth_date.isoformat(),
    }


def registration_figures(person) -> dict:
    periods = selectors.regime_history(person)
    return {
        **_identity(person),
        "registered_on": selectors.registration_date(periods).isoformat(),
        "regimes": [
            {"regime": p.regime, "from": p.started_on.isoformat(), "to": p.ended_on.isoformat() if p.ended_on else ""}
            for p in periods
        ],
    }


def salary_figures(person, start: date, end: date) -> dict:
    lines = selectors.salary_lines(person, start, end)
    return {
        **_identity(person),
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "lines": [
            {
                "month": f"{line.month:%Y-%m}",
                "employer": line.employer_number,
                "days": line.days,
                "salary": f"{line.salary:.2f}",
                "mining": line.mining,
            }
            for line in lines
        ],
        "total_days": sum(line.days for line in lines),
        "total_salary": f"{sum((line.salary for line in lines), Decimal('0.00')):.2f}",
    }


def canonical_pairs(*, kind: str, reference: str, issued_on: date, figures: dict) -> list[tuple[str, object]]:
    """The printed figures in the order of the canonical text (docs/ARCHITECTURE.md, «Signed documents»)."""
    pairs = [
        ("type", kind),
        ("reference", reference),
        ("date", issued_on),
        ("number", figures["number"]),
        ("name", figures["name"]),
        ("birth_date", figures["birth_date"]),
    ]
    if kind == AttestationKind.REGISTRATION:
        pairs.append(("registered_on", figures["registered_on"]))
        pairs += [("regime", f"{r['regime']}|{r['from']}|{r['to']}") for r in figures["regimes"]]
    else:
        pairs.append(("period", f"{figures['period_start'][:7]}..{figures['period_end'][:7]}"))
        pairs += [
            ("line", f"{x['month']}|{x['employer']}|{x['days']}|{x['salary']}|{int(x['mining'])}")
            for x in figures["lines"]
        ]
        pairs += [("total_days", figures["total_days"]), ("total_salary", figures["total_salary"])]
    return pairs


# --- Issuing ---------------------------------------------------------------------------------------


@transaction.atomic
def issue_attestation(*, person, kind: str, year: int | None = None, today: date | None = None) -> Attestation:
    """Snapshot the figures, sign them, and ask the worker for the PDF. The same document asked again on
    the same day (same figures) is the one already issued, not a new one."""
    today = today or timezone.localdate()
    period_start = period_end = None
    if kind == AttestationKind.REGISTRATION:
        figures = registration_figures(person)
        amount = None
    else:
        if not selectors.has_employee_period(selectors.regime_history(person)):
            raise NoDeclaredSalary
        period_start, period_end = year_months(year) if year else last_twelve_months(today)
        figures = salary_figures(person, period_start, period_end)
        amount = Decimal(figures["total_salary"])
    for existing in Attestation.objects.filter(
        insured=person, kind=kind, issued_on=today, period_start=period_start, period_end=period_end
    ):
        if existing.figures == figures:
            if not existing.is_ready:
                _queue_pdf(existing)
            return existing
    initials = document_signing.initials_of(person.last_name, person.first_name)
    for _attempt in range(5):
        reference = new_reference(kind)
        digest = document_signing.figures_digest(
            canonical_pairs(kind=kind, reference=reference, issued_on=today, figures=figures)
        )
        token = document_signing.sign(reference=reference, kind=kind, issued_on=today, initials=initials, digest=digest)
        try:
            with transaction.atomic():
                attestation = Attestation.objects.create(
                    insured=person,
                    kind=kind,
                    reference=reference,
                    issued_on=today,
                    period_start=period_start,
                    period_end=period_end,
                    figures=figures,
                    digest=digest,
                    token=token,
                    amount=amount,
                )
        except IntegrityError:  # the random reference was taken: draw again
            continue
        _queue_pdf(attestation)
        return attestation
    raise RuntimeError("Could not allocate an attestation reference")


BUILD_PDF = "insured_space.tasks.build_attestation_pdf"


def _queue_pdf(attestation: Attestation) -> None:
    enqueue_on_commit(BUILD_PDF, attestation.pk)


# --- The PDF (worker) ------------------------------------------------------------------------------


def pdf_context(attestation: Attestation) -> dict:
    from django.conf import settings

    from accounts.models import Regime

    figures = attestation.figures
    url = document_signing.verification_url(attestation.token)
    context = {
        "attestation": attestation,
        "figures": figures,
        "verification_url": url,
        "verify_page": f"{settings.PUBLIC_BASE_URL}/verifier/",
        "customer_service": settings.CUSTOMER_SERVICE_NUMBER,
    }
    if attestation.kind == AttestationKind.REGISTRATION:
        context["regimes"] = [
            {
                "regime": Regime(r["regime"]),
                "from": date.fromisoformat(r["from"]),
                "to": date.fromisoformat(r["to"]) if r["to"] else None,
            }
            for r in figures["regimes"]
        ]
        context["registered_on"] = date.fromisoformat(figures["registered_on"])
    else:
        context["lines"] = [
            {**line, "month_label": f"{line['month'][5:7]}/{line['month'][:4]}", "salary": Decimal(line["salary"])}
            for line in figures["lines"]
        ]
        context["period_start"] = date.fromisoformat(figures["period_start"])
        context["period_end"] = date.fromisoformat(figures["period_end"])
        context["total_salary"] = Decimal(figures["total_salary"])
    context["birth_date"] = date.fromisoformat(figures["birth_date"])
    return context


def render_attestation_pdf(attestation: Attestation) -> bytes:
    from macnss.core.pdf import qr_code_data_uri, render_pdf

    context = pdf_context(attestation)
    context["qr_code"] = qr_code_data_uri(context["verification_url"])
    return render_pdf("insured_space/attestation_pdf.html", context, stylesheet="pdf/attestation.css", language="fr")


def build_attestation_pdf(attestation_id: int) -> bool:
    """Render and store the PDF once; False when it was already there (a redelivered task)."""
    with transaction.atomic():
        attestation = Attestation.objects.select_for_update().filter(pk=attestation_id).first()
        if attestation is None:
            return False
        if attestation.is_ready and attestation.pdf.storage.exists(attestation.pdf.name):
            return False
        content = render_attestation_pdf(attestation)
        attestation.pdf.save(f"{attestation.reference}.pdf", ContentFile(content), save=False)
        attestation.pdf_built_at = timezone.now()
        attestation.save(update_fields=["pdf", "pdf_built_at"])
    return True


def requeue_missing_pdfs(*, older_than: timedelta = timedelta(minutes=2)) -> int:
    count = 0
    for pk in selectors.attestations_missing_pdf(older_than).values_list("pk", flat=True)[:200]:
        try:
            enqueue_now(BUILD_PDF, pk)
        except Exception:  # broker still down: the next run tries again
            logger.warning("Broker unavailable; attestation %s stays pending.", pk)
            break
        count += 1
    return count


# --- Public verification ---------------------------------------------------------------------------


def verified_document(reference: str):
    """The lookup registered with macnss.core.document_signing (apps.py): one indexed query."""
    attestation = (
        Attestation.objects.filter(reference=reference)
        .select_related("insured")
        .only("reference", "kind", "issued_on", "digest", "amount", "insured__last_name", "insured__first_name")
        .first()
    )
    if attestation is None:
        return None
    return document_signing.VerifiedDocument(
        reference=attestation.reference,
        kind=attestation.kind,
        issued_on=attestation.issued_on,
        initials=document_signing.initials_of(attestation.insured.last_name, attestation.insured.first_name),
        digest=attestation.digest,
        amount=attestation.amount,
    )
