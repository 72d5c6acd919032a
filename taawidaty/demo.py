"""Demo accounts that walk every branch of TAAWIDATY (run by `manage.py seed_demo`)."""

from datetime import timedelta

from django.utils import timezone

from accounts.demo import birth_date_for_age, ensure_account, ensure_person
from macnss.core.demo_support import DEMO_PASSWORD, DemoAccount

from .defaults import load_defaults


def seed() -> list[DemoAccount]:
    load_defaults()
    employee = ensure_person(
        "600000101",
        id_document_number="TA600101",
        birth_date=birth_date_for_age(61),
        last_name="EL IDRISSI",
        first_name="Ahmed",
        last_name_ar="الإدريسي",
        first_name_ar="أحمد",
        phone="+212661000101",
        declared_days=900,
        mining_days=0,
        receives_pension=False,
    )
    miner = ensure_person(
        "600000102",
        id_document_number="TA600102",
        birth_date=birth_date_for_age(56),
        last_name="OUHADDOU",
        first_name="Lahcen",
        last_name_ar="أوحدو",
        first_name_ar="لحسن",
        phone="+212661000102",
        address="Khouribga",
        declared_days=700,
        mining_days=6 * 312,
        receives_pension=False,
    )
    too_young = ensure_person(
        "600000103",
        id_document_number="TA600103",
        birth_date=birth_date_for_age(50),
        last_name="BERRADA",
        first_name="Nadia",
        last_name_ar="برادة",
        first_name_ar="نادية",
        phone="+212661000103",
        declared_days=400,
    )
    too_many_days = ensure_person(
        "600000104",
        id_document_number="TA600104",
        birth_date=birth_date_for_age(62),
        last_name="TAZI",
        first_name="Omar",
        last_name_ar="التازي",
        first_name_ar="عمر",
        phone="+212661000104",
        declared_days=4000,
        preferred_language="ar",
    )
    for person in (employee, miner, too_young, too_many_days):
        ensure_account(person)
    seed_work_queue()
    return [
        DemoAccount("TAAWIDATY — ex-salarié éligible (61 ans)", employee.immatriculation_number, DEMO_PASSWORD),
        DemoAccount(
            "TAAWIDATY — mineur 56 ans (contrôle physique)",
            miner.immatriculation_number,
            DEMO_PASSWORD,
            "6 ans de travail minier",
        ),
        DemoAccount("TAAWIDATY — non éligible (50 ans)", too_young.immatriculation_number, DEMO_PASSWORD),
        DemoAccount(
            "TAAWIDATY — non éligible (4000 jours)",
            too_many_days.immatriculation_number,
            DEMO_PASSWORD,
            "en arabe",
        ),
    ]


def seed_work_queue() -> None:
    """Filed claims for the agents' queues (back office): two to review, one physical control to plan."""
    from .models import ClaimStatus, RefundClaim

    now = timezone.now()
    for number, last_name, status, control, age in (
        ("600000111", "AMRANI", ClaimStatus.SUBMITTED, False, 9),
        ("600000112", "CHERKAOUI", ClaimStatus.SUBMITTED, False, 2),
        ("600000113", "FASSI", ClaimStatus.IN_REVIEW, True, 4),
    ):
        person = ensure_person(
            number,
            id_document_number=f"TA{number[-6:]}",
            birth_date=birth_date_for_age(61),
            last_name=last_name,
            first_name="Demo",
            phone=f"+212661{number[-6:]}",
            declared_days=900,
        )
        ensure_account(person)
        RefundClaim.objects.update_or_create(
            insured=person,
            reference=f"RCS-2026-DEMO{number[-4:]}",
            defaults={
                "status": status,
                "cessation_date": (now - timedelta(days=400)).date(),
                "declared_days": 900,
                "physical_control": control,
                "submitted_at": now - timedelta(days=age),
            },
        )
