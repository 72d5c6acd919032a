"""State changes of family-member declarations: checks, filing with documents, agents' decisions,
SMS, and the reminders before a child's age limit."""

import logging
import secrets
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from macnss.core.services import apply_transition, queue_sms
from macnss.core.storage import all_or_nothing
from macnss.core.uploads import CheckedFile

from . import rules, selectors
from .models import (
    AntivirusVerdict,
    CoverageReminder,
    DocumentKind,
    FamilyMember,
    MemberDocument,
    MemberStatus,
    Relationship,
    Sex,
    identity_key,
)

logger = logging.getLogger(__name__)

REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 8


class DeclarationRefused(Exception):
    """The declaration cannot be filed; `reasons` are shown to the insured as they are."""

    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(str(r) for r in reasons))
        self.reasons = [str(r) for r in reasons]


@dataclass(frozen=True)
class MemberAnswers:
    """What the insured typed on «Ajouter un membre» (kept in the session between the two steps)."""

    relationship: str
    last_name: str
    first_name: str
    birth_date: date
    sex: str
    last_name_ar: str = ""
    first_name_ar: str = ""
    cin: str = ""
    studying: bool = False
    married: bool = False
    disabled: bool = False

    def key(self) -> str:
        return identity_key(
            relationship=self.relationship,
            last_name=self.last_name,
            first_name=self.first_name,
            birth_date=self.birth_date,
            cin=self.cin,
        )

    def to_session(self) -> dict:
        data = self.__dict__.copy()
        data["birth_date"] = self.birth_date.isoformat()
        return data

    @classmethod
    def from_session(cls, data: dict) -> "MemberAnswers":
        return cls(**{**data, "birth_date": date.fromisoformat(data["birth_date"])})


def decide(answers: MemberAnswers, *, today: date | None = None, limits: rules.AgeLimits | None = None):
    today = today or timezone.localdate()
    limits = limits or selectors.current_limits(today)
    if answers.relationship == Relationship.SPOUSE:
        return rules.spouse_decision(birth_date=answers.birth_date, today=today)
    return rules.child_decision(
        birth_date=answers.birth_date,
        today=today,
        limits=limits,
        studying=answers.studying,
        married=answers.married,
        disabled=answers.disabled,
    )


def check_declarable(*, person, answers: MemberAnswers, today: date | None = None) -> rules.Decision:
    """Every rule that does not need the documents: the age limits and «one insured only».
    Raises DeclarationRefused with the reasons; nothing is stored."""
    decision = decide(answers, today=today)
    if not decision.allowed:
        raise DeclarationRefused(decision.reasons)
    if answers.relationship == Relationship.SPOUSE and answers.cin:
        if answers.cin == person.id_document_number:
            raise DeclarationRefused([_("Ce numéro de CIN est le vôtre : saisissez celui de votre conjoint(e).")])
        if selectors.is_insured_himself(answers.cin, exclude=person):
            raise DeclarationRefused(
                [
                    _(
                        "Votre conjoint(e) est lui-même (elle-même) assuré(e) à la CNSS : il (elle) est couvert(e) "
                        "à ce titre et ne peut pas être déclaré(e) comme ayant droit."
                    )
                ]
            )
    existing = selectors.live_declaration(answers.key())
    if existing is not None:
        if existing.insured_id == person.pk:
            raise DeclarationRefused(
                [
                    _("Vous avez déjà déclaré cette personne (déclaration %(reference)s).")
                    % {"reference": existing.reference}
                ]
            )
        raise DeclarationRefused(
            [
                _(
                    "Cette personne est déjà l'ayant droit d'un autre assuré (par exemple l'autre parent). "
                    "Une personne ne peut être l'ayant droit que d'un seul assuré. Si vous pensez que c'est une "
                    "erreur, adressez-vous à votre agence CNSS."
                )
            ]
        )
    return decision


def new_reference(year: int) -> str:
    return f"AYD-{year}-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def _save_document(member: FamilyMember, kind: str, upload: CheckedFile, files: list) -> MemberDocument:
    """Store the checked scan under a random name (the user's file name never reaches the disk)."""
    if not upload.verdict.clean:  # check_upload refuses these; never store an unscanned or infected file
        raise DeclarationRefused([_("Un fichier a été refusé par l'antivirus.")])
    document = MemberDocument(member=member, kind=kind)
    name = f"{secrets.token_urlsafe(24)}.{upload.extension}"
    document.file.save(name, ContentFile(upload.data), save=False)
    files.append((document.file.storage, document.file.name))
    document.original_name = upload.original_name[:120]
    document.content_type = upload.content_type
    document.size = upload.size
    document.sha256 = upload.sha256
    document.antivirus_verdict = AntivirusVerdict.CLEAN
    document.antivirus_backend = upload.verdict.backend
    document.save()
    return document


def declare(*, person, answers: MemberAnswers, uploads: dict[str, CheckedFile], language: str, by=None):
    """File the declaration with its documents, in one transaction: status «déposée», logged, SMS."""
    new_files: list = []
    with all_or_nothing(new_files):  # a storage outage: StorageUnavailable, and nothing half-stored
        return _declare(person=person, answers=answers, uploads=uploads, language=language, by=by, files=new_files)


@transaction.atomic
def _declare(*, person, answers, uploads, language, by, files: list) -> FamilyMember:
    decision = check_declarable(person=person, answers=answers)
    missing = [kind for kind in decision.documents if kind not in uploads]
    if missing:
        raise DeclarationRefused(
            [_("Il manque la pièce « %(name)s ».") % {"name": DocumentKind(kind).label} for kind in missing]
        )
    certificate = uploads.get(rules.MARRIAGE_CERTIFICATE)
    if certificate is not None and certificate.sha256 in selectors.spouse_certificates_of(person):
        raise DeclarationRefused(
            [
                _(
                    "Cet acte de mariage est déjà joint à la déclaration d'un(e) autre conjoint(e). "
                    "Chaque conjoint(e) a son propre acte de mariage : joignez celui de ce mariage."
                )
            ]
        )
    year = timezone.localdate().year
    member = FamilyMember(
        insured=person,
        relationship=answers.relationship,
        last_name=answers.last_name,
        first_name=answers.first_name,
        last_name_ar=answers.last_name_ar,
        first_name_ar=answers.first_name_ar,
        birth_date=answers.birth_date,
        sex=answers.sex,
        cin=answers.cin,
        studying=answers.studying and answers.relationship == Relationship.CHILD,
        married=answers.married and answers.relationship == Relationship.CHILD,
        disabled=answers.disabled and answers.relationship == Relationship.CHILD,
        identity_key=answers.key(),
        language=language if language in dict(settings.LANGUAGES) else "fr",
        coverage_ends_on=decision.coverage_ends_on,
    )
    for _attempt in range(10):
        member.reference = new_reference(year)
        if not FamilyMember.objects.filter(reference=member.reference).exists():
            break
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:  # the same person declared at the same moment by someone else
        raise DeclarationRefused(
            [
                _(
                    "Cette personne vient d'être déclarée par ailleurs. Une personne ne peut être l'ayant droit que d'un seul assuré."
                )
            ]
        ) from exc
    for kind in decision.documents:
        _save_document(member, kind, uploads[kind], files)
    apply_transition(member, "submit", by=by, note=_("Déclaration déposée par l'assuré."))
    notify_status(member)
    return member


# --- Agents ------------------------------------------------------------------------------------------

AGENT_TRANSITIONS = ("start_review", "validate", "reject")


@transaction.atomic
def change_status(*, member: FamilyMember, transition: str, by, note: str = "", **kwargs) -> FamilyMember:
    """An agent's decision: logged (StatusChange) and told to the insured by SMS."""
    if transition not in AGENT_TRANSITIONS:
        raise ValueError(transition)
    member = FamilyMember.objects.select_for_update().select_related("insured").get(pk=member.pk)
    apply_transition(member, transition, by=by, note=note, **kwargs)
    notify_status(member)
    return member


def status_message(member: FamilyMember) -> str:
    """The SMS text for the declaration's current status, in the active language."""
    values = {
        "reference": member.reference,
        "name": member.first_name,
        "reason": member.rejection_reason,
        "phone": settings.CUSTOMER_SERVICE_NUMBER,
    }
    messages = {
        MemberStatus.SUBMITTED: _(
            "Ma CNSS : votre déclaration d'ayant droit %(reference)s (%(name)s) est déposée. "
            "Vous serez prévenu(e) par SMS de la décision."
        ),
        MemberStatus.IN_REVIEW: _(
            "Ma CNSS : votre déclaration d'ayant droit %(reference)s est en cours d'instruction."
        ),
        # Written for his or her sex: «couvert» or «couverte» (and in Arabic).
        MemberStatus.VALIDATED: _(
            "Ma CNSS : votre déclaration d'ayant droit %(reference)s est validée : %(name)s est couvert par "
            "votre assurance maladie."
        )
        if member.sex == Sex.MALE
        else _(
            "Ma CNSS : votre déclaration d'ayant droit %(reference)s est validée : %(name)s est couverte par "
            "votre assurance maladie."
        ),
        MemberStatus.REJECTED: _(
            "Ma CNSS : votre déclaration d'ayant droit %(reference)s est rejetée. Motif : %(reason)s. "
            "Service client : %(phone)s."
        ),
    }
    return messages[member.status] % values


def notify_status(member: FamilyMember) -> None:
    person = member.insured
    if not person.phone:
        return
    # A message about a request speaks the language of the pages on which it was made.
    with translation.override(member.language):
        body = status_message(member)
    queue_sms(to=person.phone, body=body, purpose=f"family_{member.status}", language=member.language)


# --- Age limits --------------------------------------------------------------------------------------


def reminder_message(member: FamilyMember, limits: rules.AgeLimits) -> str:
    threshold = rules.age_on(member.birth_date, member.coverage_ends_on)
    values = {"name": member.first_name, "age": threshold, "date": member.coverage_ends_on.strftime("%d/%m/%Y")}
    male = member.sex == Sex.MALE
    if threshold < limits.student and male:
        text = _(
            "Ma CNSS : %(name)s aura %(age)d ans le %(date)s et ne sera plus couvert par votre assurance "
            "maladie. S'il poursuit des études, déposez son certificat de scolarité dans « Mes ayants droit » "
            "avant cette date."
        )
    elif threshold < limits.student:
        text = _(
            "Ma CNSS : %(name)s aura %(age)d ans le %(date)s et ne sera plus couverte par votre assurance "
            "maladie. Si elle poursuit des études, déposez son certificat de scolarité dans « Mes ayants droit » "
            "avant cette date."
        )
    else:
        text = _(
            "Ma CNSS : %(name)s aura %(age)d ans le %(date)s : sa couverture par votre assurance maladie prend fin "
            "ce jour-là, sauf en cas de handicap (déposez alors un justificatif dans « Mes ayants droit »)."
        )
    return text % values


def send_age_limit_reminders(*, today: date | None = None) -> int:
    """Daily (beat): one SMS per child per threshold, a month (the agents' setting) before the limit.
    Idempotent: the CoverageReminder row is written with the SMS, under a unique constraint."""
    today = today or timezone.localdate()
    rule = selectors.current_rule(today)
    limits = rule.as_limits() if rule else rules.AgeLimits()
    days_before = rule.reminder_days if rule else 30
    sent = 0
    for member in selectors.reminders_due(today=today, days_before=days_before)[:1000]:
        threshold = rules.age_on(member.birth_date, member.coverage_ends_on)
        try:
            with transaction.atomic():
                CoverageReminder.objects.create(
                    member=member, threshold_age=threshold, limit_date=member.coverage_ends_on
                )
                person = member.insured
                if person.phone:
                    # Not about a request the person is making: his own preference.
                    language = person.preferred_language or "fr"
                    with translation.override(language):
                        body = reminder_message(member, limits)
                    queue_sms(to=person.phone, body=body, purpose="family_age_limit", language=language)
        except IntegrityError:  # another run sent it
            continue
        sent += 1
    return sent


@transaction.atomic
def add_school_certificate(*, member: FamilyMember, upload: CheckedFile) -> MemberDocument:
    """A validated child approaching (or past) the limit: the new school certificate moves his coverage
    to the student limit, while he stays unmarried; agents see the new document on the declaration."""
    member = FamilyMember.objects.select_for_update().get(pk=member.pk)
    limits = selectors.current_limits()
    if member.status != MemberStatus.VALIDATED or not member.is_child or member.married:
        raise DeclarationRefused(
            [_("Un certificat de scolarité ne peut être ajouté qu'à un enfant couvert, non marié.")]
        )
    if rules.age_on(member.birth_date, timezone.localdate()) >= limits.student and not member.disabled:
        raise DeclarationRefused(
            [
                _(
                    "Cet enfant a atteint l'âge limite des études : un certificat de scolarité ne prolonge plus sa couverture."
                )
            ]
        )
    files: list = []
    with all_or_nothing(files):
        document = _save_document(member, DocumentKind.SCHOOL_CERTIFICATE, upload, files)
    member.studying = True
    member.coverage_ends_on = rules.coverage_end(
        birth_date=member.birth_date, limits=limits, studying=True, disabled=member.disabled
    )
    member.save(update_fields=["studying", "coverage_ends_on", "updated_at"])
    return document
