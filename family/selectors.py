"""Reads for family members. Private objects are always reached through their owner."""

from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import InsuredPerson

from . import rules
from .models import ACTIVE_STATUSES, CoverageRule, DocumentKind, FamilyMember, MemberDocument, MemberStatus


def current_limits(today: date | None = None) -> rules.AgeLimits:
    """The agents' age limits in force today (the law's 21 / 26 / none if no row is in force yet)."""
    today = today or timezone.localdate()
    rule = CoverageRule.objects.filter(valid_from__lte=today).order_by("-valid_from").first()
    return rule.as_limits() if rule else rules.AgeLimits()


def current_rule(today: date | None = None) -> CoverageRule | None:
    today = today or timezone.localdate()
    return CoverageRule.objects.filter(valid_from__lte=today).order_by("-valid_from").first()


def members_for(person):
    return FamilyMember.objects.filter(insured=person).exclude(status=MemberStatus.NEW).order_by("-created_at")


def member_for_owner(person, public_id) -> FamilyMember:
    return get_object_or_404(FamilyMember.objects.exclude(status=MemberStatus.NEW), public_id=public_id, insured=person)


def document_for_owner(person, public_id, document_id) -> MemberDocument:
    return get_object_or_404(
        MemberDocument.objects.select_related("member"),
        pk=document_id,
        member__public_id=public_id,
        member__insured=person,
    )


def documents_of(member: FamilyMember):
    return member.documents.order_by("kind", "-uploaded_at")


def live_declaration(key: str):
    """The declaration (by anyone) that already covers this person, if any."""
    return FamilyMember.objects.filter(identity_key=key, status__in=ACTIVE_STATUSES).first()


def is_insured_himself(cin: str, *, exclude: InsuredPerson) -> bool:
    return InsuredPerson.objects.filter(id_document_number=cin).exclude(pk=exclude.pk).exists()


def spouse_certificates_of(person) -> set[str]:
    """SHA-256 of the marriage certificates filed for the person's other live spouse declarations."""
    return set(
        MemberDocument.objects.filter(
            member__insured=person,
            member__status__in=ACTIVE_STATUSES,
            kind=DocumentKind.MARRIAGE_CERTIFICATE,
        ).values_list("sha256", flat=True)
    )


def children_reaching_limit(*, today: date | None = None, within_days: int = 0):
    """Validated children whose coverage ends on or before today + `within_days` (0: already reached).
    The flag agents see in the admin, and the beat task's list of reminders."""
    today = today or timezone.localdate()
    return FamilyMember.objects.filter(
        relationship=rules.CHILD,
        status=MemberStatus.VALIDATED,
        coverage_ends_on__isnull=False,
        coverage_ends_on__lte=today + timedelta(days=within_days),
    )


def reminders_due(*, today: date | None = None, days_before: int):
    """Validated children whose limit falls in the coming `days_before` days and who were not reminded
    of that threshold yet (one SMS per child per threshold)."""
    from .models import CoverageReminder

    today = today or timezone.localdate()
    reminded = CoverageReminder.objects.filter(member=OuterRef("pk"), limit_date=OuterRef("coverage_ends_on"))
    return (
        FamilyMember.objects.filter(
            relationship=rules.CHILD,
            status=MemberStatus.VALIDATED,
            coverage_ends_on__gt=today,
            coverage_ends_on__lte=today + timedelta(days=days_before),
        )
        .filter(~Q(Exists(reminded)))
        .select_related("insured")
        .order_by("coverage_ends_on", "pk")
    )
