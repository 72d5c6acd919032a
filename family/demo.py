"""Demo data: an insured person ready to declare a spouse and a child, one with a validated child
near his age limit, and the age limits (run by `manage.py seed_demo`)."""

from datetime import date, timedelta

from django.utils import timezone

from accounts.demo import birth_date_for_age, ensure_account, ensure_person
from macnss.core.demo_support import DEMO_PASSWORD, DemoAccount

from . import rules
from .models import CoverageRule, FamilyMember, MemberStatus, identity_key


def seed() -> list[DemoAccount]:
    CoverageRule.objects.get_or_create(
        valid_from=date(2005, 9, 1),
        defaults={"source": "Loi 65-00 portant code de la couverture médicale de base, article 5"},
    )
    parent = ensure_person(
        "600000201",
        id_document_number="FA600201",
        birth_date=birth_date_for_age(38),
        last_name="AMRANI",
        first_name="Youssef",
        last_name_ar="العمراني",
        first_name_ar="يوسف",
        phone="+212661000201",
    )
    ensure_account(parent)
    # A second family whose validated son turns 21 in three weeks: the reminder SMS and the agents' flag.
    other = ensure_person(
        "600000202",
        id_document_number="FA600202",
        birth_date=birth_date_for_age(52),
        last_name="FASSI",
        first_name="Samira",
        last_name_ar="الفاسي",
        first_name_ar="سميرة",
        phone="+212661000202",
    )
    ensure_account(other)
    birth = rules.add_years(timezone.localdate() + timedelta(days=21), -21)
    FamilyMember.objects.update_or_create(
        reference="AYD-2025-DEMO2021",
        defaults={
            "insured": other,
            "relationship": rules.CHILD,
            "last_name": "FASSI",
            "first_name": "Mehdi",
            "birth_date": birth,
            "sex": "M",
            "identity_key": identity_key(
                relationship=rules.CHILD, last_name="FASSI", first_name="Mehdi", birth_date=birth
            ),
            "status": MemberStatus.VALIDATED,
            "coverage_ends_on": rules.add_years(birth, 21),
            "submitted_at": timezone.now() - timedelta(days=400),
            "decided_at": timezone.now() - timedelta(days=390),
        },
    )
    return [
        DemoAccount(
            "Ayants droit — déclarer un conjoint et un enfant",
            parent.immatriculation_number,
            DEMO_PASSWORD,
            "conjointe : CIN BK200201 ; l'agent « agent » valide dans /admin/",
        ),
        DemoAccount(
            "Ayants droit — enfant validé proche de 21 ans",
            other.immatriculation_number,
            DEMO_PASSWORD,
            "rappel SMS : tâche family.tasks.send_age_limit_reminders",
        ),
    ]
