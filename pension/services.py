"""State changes of the voluntary pension: submitting the one request of a person, and the agents' decisions."""

import secrets
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import BankDetails, DirectDebitMandate, InsuredPerson
from accounts.services import set_bank_details
from macnss.core.languages import page_language
from macnss.core.services import apply_transition, queue_sms
from macnss.core.validators import normalize_digits, rib_key_is_valid

from . import rules
from .models import AgeBand, PensionRequest

_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class PensionRequestError(Exception):
    """The request cannot be recorded as it stands; `code` tells the view which step to send the person back to."""

    def __init__(self, code: str, message: str = ""):
        super().__init__(message or code)
        self.code = code


class AlreadyRequested(PensionRequestError):  # noqa: N818 - a business outcome, not a crash
    def __init__(self, existing: PensionRequest):
        super().__init__("already_requested")
        self.existing = existing


def new_reference(day) -> str:
    """PF-2026-7KQ4M2XA: readable over the phone, 32^8 possibilities so it cannot be guessed."""
    return f"PF-{day:%Y}-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))


def _mandate_for(person: InsuredPerson, rib: str, ip_address: str | None) -> DirectDebitMandate:
    """Reuse the active mandate on the same RIB; a new or changed RIB records a new mandate (and its SMS)."""
    current = BankDetails.objects.filter(insured=person).values_list("rib", flat=True).first()
    if current == rib:
        mandate = DirectDebitMandate.objects.filter(insured=person, rib=rib, revoked_at__isnull=True).first()
        if mandate is not None:
            return mandate
    return set_bank_details(person=person, rib=rib, ip_address=ip_address)


@transaction.atomic
def submit_pension_request(
    *,
    person: InsuredPerson,
    multiplier: int,
    ajournement: bool | None,
    droit_supplementaire: bool | None,
    rib: str,
    direct_debit_consent: bool,
    legal_notice_accepted: bool,
    ip_address: str | None = None,
    now: datetime | None = None,
    language: str | None = None,
) -> PensionRequest:
    """Record the person's only pension request; amounts and age come from the database, never from the form.

    Two simultaneous submissions (two tabs, a double click) give one request: the person's row is locked
    first, and the unique constraint on `insured` is the last guard. The loser gets `AlreadyRequested`.
    """
    person = InsuredPerson.objects.select_for_update(of=("self",)).select_related("tns_subcategory").get(pk=person.pk)
    existing = PensionRequest.objects.filter(insured=person).first()
    if existing is not None:
        raise AlreadyRequested(existing)
    if not rules.is_eligible(person):
        raise PensionRequestError("not_eligible")
    now = now or timezone.now()
    day = rules.request_date(now)
    years, months = person.age_on(day)
    band = rules.age_band(years, months)
    if band == AgeBand.TOO_OLD:
        raise PensionRequestError("too_old")
    if band == AgeBand.AJOURNEMENT and ajournement is None:
        raise PensionRequestError("age_answer")
    if band != AgeBand.AJOURNEMENT:
        ajournement = None
    droit_supplementaire = bool(droit_supplementaire) if band == AgeBand.DROIT_SUPPLEMENTAIRE else None
    if multiplier not in rules.MULTIPLIERS:
        raise PensionRequestError("multiplier")
    rib = normalize_digits(rib)
    if not rib_key_is_valid(rib):
        raise PensionRequestError("rib")
    if not (direct_debit_consent and legal_notice_accepted):
        raise PensionRequestError("consent")

    amounts = rules.contribution(person.tns_subcategory, day=day, multiplier=multiplier)
    mandate = _mandate_for(person, rib, ip_address)
    fields = {
        "insured": person,
        "subcategory": amounts.subcategory,
        "smig": amounts.smig,
        "base_smig_multiple": amounts.subcategory.base_smig_multiple,
        "base": amounts.base,
        "minimum_contribution": amounts.minimum,
        "multiplier": multiplier,
        "monthly_amount": amounts.monthly_amount,
        "request_date": day,
        "age_years": years,
        "age_months": months,
        "age_band": band,
        "ajournement": ajournement,
        "droit_supplementaire": droit_supplementaire,
        "rib": rib,
        "mandate": mandate,
        "legal_notice_version": rules.LEGAL_NOTICE_VERSION,
        "legal_notice_accepted_at": now,
        "debit_start_date": rules.debit_start_date(day),
        "ip_address": ip_address,
        "language": language or page_language(),
    }
    for _attempt in range(5):
        try:
            with transaction.atomic():
                pension_request = PensionRequest.objects.create(reference=new_reference(day), **fields)
            break
        except IntegrityError:
            existing = PensionRequest.objects.filter(insured=person).first()
            if existing is not None:
                raise AlreadyRequested(existing) from None
            # otherwise a reference collision (1 in 10^12): draw another one
    else:  # pragma: no cover - would need five collisions in a row
        raise RuntimeError("Could not allocate a pension request reference")
    _notify(
        pension_request,
        person,
        gettext_noop(
            "Ma CNSS : votre demande de pension facultative %(reference)s est enregistrée. Cotisation mensuelle : "
            "%(amount)s DH, prélevée à partir du %(start)s."
        ),
    )
    return pension_request


def _notify(pension_request: PensionRequest, person: InsuredPerson, template: str, **extra) -> None:
    """`template` is a gettext message id; it is translated here, in the language of the request."""
    if not person.phone:
        return
    with translation.override(pension_request.language):
        body = _(template) % {
            "reference": pension_request.reference,
            "amount": f"{pension_request.monthly_amount:.2f}",
            "start": f"{pension_request.debit_start_date:%d/%m/%Y}",
            **extra,
        }
    queue_sms(to=person.phone, body=body, purpose="pension_request", language=pension_request.language)


def _locked(pension_request: PensionRequest) -> PensionRequest:
    return PensionRequest.objects.select_for_update().select_related("insured").get(pk=pension_request.pk)


@transaction.atomic
def validate_request(*, pension_request: PensionRequest, by=None) -> PensionRequest:
    pension_request = apply_transition(_locked(pension_request), "validate", by=by)
    _notify(
        pension_request,
        pension_request.insured,
        gettext_noop(
            "Ma CNSS : votre demande de pension facultative %(reference)s a été validée. Le prélèvement de "
            "%(amount)s DH commencera le %(start)s."
        ),
    )
    return pension_request


@transaction.atomic
def activate_request(*, pension_request: PensionRequest, by=None) -> PensionRequest:
    pension_request = apply_transition(_locked(pension_request), "activate", by=by)
    _notify(
        pension_request,
        pension_request.insured,
        gettext_noop(
            "Ma CNSS : votre adhésion au régime facultatif des pensions (%(reference)s) est active. Cotisation "
            "mensuelle : %(amount)s DH."
        ),
    )
    return pension_request


@transaction.atomic
def reject_request(*, pension_request: PensionRequest, reason: str, by=None) -> PensionRequest:
    reason = reason.strip()
    if not reason:
        raise ValueError("A rejection needs a reason")
    pension_request = apply_transition(_locked(pension_request), "reject", by=by, note=reason, reason=reason)
    _notify(
        pension_request,
        pension_request.insured,
        gettext_noop(
            "Ma CNSS : votre demande de pension facultative %(reference)s a été rejetée. Motif : %(reason)s. "
            "Service client : %(phone)s."
        ),
        reason=reason,
        phone=settings.CUSTOMER_SERVICE_NUMBER,
    )
    return pension_request
