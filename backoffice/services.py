"""State changes of the back office: contact-change proposals (four-eyes), insured and staff accounts,
the access journal, queue assignments."""

import logging

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts.models import BankDetails, InsuredPerson, User
from macnss.core.services import apply_transition, queue_sms

from .models import AccessRecord, Assignment, ChangeKind, ContactChangeProposal, ProposalStatus
from .roles import role_label

logger = logging.getLogger(__name__)


class FourEyesViolation(PermissionDenied):
    """The proposer of a change cannot decide it."""


class StaleProposal(Exception):
    """The value on file changed after the proposal: it must be proposed again."""


def current_value(person: InsuredPerson, kind: str) -> str:
    if kind == ChangeKind.PHONE:
        return person.phone
    if kind == ChangeKind.EMAIL:
        return person.email
    details = BankDetails.objects.filter(insured=person).first()
    return details.rib if details else ""


@transaction.atomic
def propose_change(
    *, person: InsuredPerson, kind: str, new_value: str, document_type: str, document_number: str, by: User
) -> ContactChangeProposal:
    """An agent's proposal, made with the person's identity document in hand (recorded)."""
    proposal = ContactChangeProposal.objects.create(
        insured=person,
        kind=kind,
        old_value=current_value(person, kind),
        new_value=new_value,
        document_type=document_type,
        document_number=document_number,
        proposed_by=by,
    )
    apply_transition(
        proposal, "submit", by=by, note=f"Pièce vue : {proposal.get_document_type_display()} {document_number}"
    )
    return proposal


@transaction.atomic
def decide_change(*, proposal: ContactChangeProposal, approve: bool, by: User, note: str = "") -> ContactChangeProposal:
    """A supervisor other than the proposer approves (the change goes through the same services as
    online: a mandate for a RIB, SMS to the old and the new phone) or refuses."""
    proposal = ContactChangeProposal.objects.select_for_update().select_related("insured").get(pk=proposal.pk)
    if proposal.proposed_by_id == by.pk:
        raise FourEyesViolation(_("Un changement ne peut pas être décidé par l'agent qui l'a proposé."))
    if not by.has_perm("backoffice.decide_contactchangeproposal"):
        raise PermissionDenied
    if not approve:
        return apply_transition(proposal, "refuse", by=by, note=note, decided_by=by, decision_note=note)
    person = InsuredPerson.objects.select_for_update().get(pk=proposal.insured_id)
    if current_value(person, proposal.kind) != proposal.old_value:
        raise StaleProposal
    apply_transition(proposal, "approve", by=by, note=note, decided_by=by, decision_note=note)
    if proposal.kind == ChangeKind.PHONE:
        account_services.change_phone(person=person, new_phone=proposal.new_value)
    elif proposal.kind == ChangeKind.EMAIL:
        account_services.change_email_on_file(person=person, new_email=proposal.new_value)
    else:
        # The person signed the direct-debit mandate at the counter: the mandate records no IP address.
        account_services.set_bank_details(person=person, rib=proposal.new_value, ip_address=None)
    return proposal


def pending_proposals():
    return ContactChangeProposal.objects.filter(status=ProposalStatus.PROPOSED)


# --- Accounts ----------------------------------------------------------------------------------------


@transaction.atomic
def disable_accounts(*, users, by: User) -> int:
    """Leaving staff and closed insured accounts are disabled, never deleted (the logs keep their name).
    The account's sessions stop at the next request (the backend refuses inactive users)."""
    count = 0
    for user in users:
        if user.pk == by.pk or not user.is_active:
            continue
        user.is_active = False
        user.save(update_fields=["is_active"])
        logger.info("Account %s disabled by %s", user.pk, by.username)
        count += 1
    return count


def send_password_recovery_sms(*, user: User) -> bool:
    """An SMS to the phone on file pointing to «Mot de passe oublié». It carries no secret: the person
    proves himself on the portal, with a code sent to the same phone."""
    person = user.insured
    if person is None or not person.phone or not user.is_active:
        return False
    with translation.override(person.preferred_language):
        body = _(
            "Ma CNSS : pour choisir un nouveau mot de passe, ouvrez la page de connexion et choisissez "
            "« Mot de passe oublié ». Vous n'avez rien à communiquer à personne."
        )
    queue_sms(to=person.phone, body=body, purpose="password_recovery_hint", language=person.preferred_language)
    return True


@transaction.atomic
def reset_staff_totp(*, staff: User, by: User) -> int:
    """Remove a staff member's TOTP devices (lost phone): he enrols a new one. Logged."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if staff.insured_id is not None or not staff.is_staff:
        raise PermissionDenied
    deleted, _detail = TOTPDevice.objects.filter(user=staff).delete()
    logger.warning("TOTP devices of staff %s reset by %s (%s removed)", staff.username, by.username, deleted)
    return deleted


# --- Access journal ----------------------------------------------------------------------------------


def record_access(
    *, staff: User, insured_id, obj, action: str, reason: str = "", outside_queues: bool = False, reference: str = ""
) -> AccessRecord | None:
    if insured_id is None:
        return None
    return AccessRecord.objects.create(
        staff=staff,
        staff_username=staff.get_username(),
        role=role_label(staff),
        insured_id=insured_id,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_reference=reference[:100],
        action=action,
        reason=reason[:300],
        outside_queues=outside_queues,
    )


def record_bulk_access(*, staff: User, model, rows, action: str, reason: str) -> int:
    """One row per object of an export or an action: rows are (pk, insured_id, reference)."""
    content_type = ContentType.objects.get_for_model(model)
    role = role_label(staff)
    records = [
        AccessRecord(
            staff=staff,
            staff_username=staff.get_username(),
            role=role,
            insured_id=insured_id,
            content_type=content_type,
            object_id=str(pk),
            object_reference=str(reference)[:100],
            action=action,
            reason=reason[:300],
        )
        for pk, insured_id, reference in rows
        if insured_id is not None
    ]
    AccessRecord.objects.bulk_create(records)
    return len(records)


# --- Queue assignments -------------------------------------------------------------------------------


@transaction.atomic
def take_item(*, obj, by: User) -> Assignment:
    """«Je prends ce dossier»: the item is now the agent's (it was perhaps someone else's)."""
    assignment, _created = Assignment.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        defaults={"assigned_to": by, "assigned_at": timezone.now()},
    )
    return assignment


@transaction.atomic
def release_item(*, obj, by: User) -> None:
    Assignment.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk), assigned_to=by
    ).delete()


def unusual_reads_threshold() -> int:
    return settings.BACKOFFICE_UNUSUAL_READS_PER_HOUR
