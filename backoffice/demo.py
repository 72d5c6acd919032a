"""Back-office demo data: a phone change proposed by `agent`, waiting for `superviseur`."""

from accounts.demo import birth_date_for_age, ensure_account, ensure_person
from accounts.models import User
from macnss.core.demo_support import DEMO_PASSWORD, DemoAccount

from .models import ContactChangeProposal, ProposalStatus
from .services import propose_change


def seed() -> list[DemoAccount]:
    person = ensure_person(
        "600000120",
        id_document_number="BO600120",
        birth_date=birth_date_for_age(40),
        last_name="KETTANI",
        first_name="Samira",
        last_name_ar="الكتاني",
        first_name_ar="سميرة",
        phone="+212661600120",
        email="samira.kettani@example.ma",
    )
    ensure_account(person)
    if not ContactChangeProposal.objects.filter(insured=person, status=ProposalStatus.PROPOSED).exists():
        propose_change(
            person=person,
            kind="telephone",
            new_value="+212661600121",
            document_type=person.id_document_type,
            document_number=person.id_document_number,
            by=User.objects.get(username="agent"),
        )
    return [
        DemoAccount(
            "Back-office — changement de téléphone à approuver",
            person.immatriculation_number,
            DEMO_PASSWORD,
            "proposé par agent ; superviseur l'approuve ; « Qui a consulté mes données »",
        )
    ]
