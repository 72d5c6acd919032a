"""Demo data of the TNS onboarding: one person per outcome of seed 001, and proximity points.

Re-running `seed_demo` puts the outcome-b persons back without an account, so the journey can be walked again.
"""

import contextlib
from datetime import date

from django.db.models import ProtectedError

from accounts.demo import birth_date_for_age, ensure_account, ensure_person, seed_reference_data
from accounts.models import (
    IdentityDocumentType,
    InsuredPerson,
    ProfessionalCategory,
    ProfessionalSubCategory,
    Regime,
    User,
)
from macnss.core.demo_support import DEMO_PASSWORD, DemoAccount

from .models import LiaisonListEntry, LiaisonStatus, NonEligibilityReason, ProximityKind, ProximityPoint

EXPIRY = date(2032, 6, 30)

PROXIMITY_POINTS = [
    # name, name_ar, kind, city, city_ar, address, address_ar
    (
        "Agence CNSS Casablanca Anfa",
        "وكالة الصندوق الوطني للضمان الاجتماعي الدار البيضاء أنفا",
        ProximityKind.AGENCY,
        "Casablanca",
        "الدار البيضاء",
        "649, boulevard Mohammed V",
        "649، شارع محمد الخامس",
    ),
    (
        "Point de proximité Casablanca Derb Sultan",
        "نقطة القرب الدار البيضاء درب السلطان",
        ProximityKind.PROXIMITY_POINT,
        "Casablanca",
        "الدار البيضاء",
        "Boulevard El Fida, angle rue 12",
        "شارع الفداء، زاوية الزنقة 12",
    ),
    (
        "Agence CNSS Rabat Hassan",
        "وكالة الصندوق الوطني للضمان الاجتماعي الرباط حسان",
        ProximityKind.AGENCY,
        "Rabat",
        "الرباط",
        "Avenue Allal Ben Abdellah",
        "شارع علال بن عبد الله",
    ),
    (
        "Agence CNSS Marrakech Guéliz",
        "وكالة الصندوق الوطني للضمان الاجتماعي مراكش جليز",
        ProximityKind.AGENCY,
        "Marrakech",
        "مراكش",
        "Avenue Mohammed VI, Guéliz",
        "شارع محمد السادس، جليز",
    ),
    (
        "Agence CNSS Fès Atlas",
        "وكالة الصندوق الوطني للضمان الاجتماعي فاس الأطلس",
        ProximityKind.AGENCY,
        "Fès",
        "فاس",
        "Boulevard Allal El Fassi",
        "شارع علال الفاسي",
    ),
    (
        "Point de proximité Tanger Médina",
        "نقطة القرب طنجة المدينة",
        ProximityKind.PROXIMITY_POINT,
        "Tanger",
        "طنجة",
        "Place du 9 Avril 1947",
        "ساحة 9 أبريل 1947",
    ),
    (
        "Agence CNSS Agadir Talborjt",
        "وكالة الصندوق الوطني للضمان الاجتماعي أكادير تالبرجت",
        ProximityKind.AGENCY,
        "Agadir",
        "أكادير",
        "Avenue du Prince Héritier Sidi Mohammed",
        "شارع ولي العهد سيدي محمد",
    ),
]
HOURS = "Du lundi au vendredi, de 8 h 30 à 16 h 30"
HOURS_AR = "من الإثنين إلى الجمعة، من 8:30 إلى 16:30"


def _seed_proximity_points() -> None:
    for name, name_ar, kind, city, city_ar, address, address_ar in PROXIMITY_POINTS:
        ProximityPoint.objects.update_or_create(
            name=name,
            defaults={
                "name_ar": name_ar,
                "kind": kind,
                "city": city,
                "city_ar": city_ar,
                "address": address,
                "address_ar": address_ar,
                "hours": HOURS,
                "hours_ar": HOURS_AR,
                "is_active": True,
            },
        )


def _entry(number: str, **fields) -> LiaisonListEntry:
    category = ProfessionalCategory.objects.get(code=fields.pop("category"))
    subcategory = ProfessionalSubCategory.objects.filter(code=fields.pop("subcategory", "")).first()
    defaults = {
        "id_document_type": IdentityDocumentType.CNIE,
        "id_document_expiry": EXPIRY,
        "organism": category.liaison_body or "Organisme de liaison",
        "category": category,
        "subcategory": subcategory,
        **fields,
    }
    entry, _ = LiaisonListEntry.objects.update_or_create(
        id_document_type=defaults["id_document_type"], id_document_number=number, defaults=defaults
    )
    return entry


def _drop_account(person: InsuredPerson) -> None:
    User.objects.filter(insured=person).delete()


def _reset_listed_person(entry: LiaisonListEntry) -> None:
    """Outcome b (listed, not registered): undo a previous walk so the newcomer can do it again."""
    person = entry.insured
    if person is None:
        return
    _drop_account(person)
    LiaisonListEntry.objects.filter(pk=entry.pk).update(insured=None, registered_at=None, status=LiaisonStatus.PENDING)
    # If another journey already refers to him, keep him: only the link is reset.
    with contextlib.suppress(ProtectedError):
        person.delete()


def _note(doc: str, birth: date, extra: str = "") -> str:
    text = f"CNIE {doc}, né le {birth:%d/%m/%Y}, expiration {EXPIRY:%d/%m/%Y}"
    return f"{text}; {extra}" if extra else text


def seed() -> list[DemoAccount]:
    seed_reference_data()
    _seed_proximity_points()

    # a. registered TNS with an account.
    birth_a = birth_date_for_age(41, 3)
    person_a = ensure_person(
        "100400001",
        id_document_number="BH400001",
        id_document_expiry=EXPIRY,
        birth_date=birth_a,
        last_name="BENJELLOUN",
        first_name="Omar",
        last_name_ar="بنجلون",
        first_name_ar="عمر",
        address="22 rue Oued Ziz, Agdal, Rabat",
        phone="+212661400001",
        email="omar.benjelloun@example.ma",
        regime=Regime.TNS,
        tns_subcategory=ProfessionalSubCategory.objects.get(code="pharmaciens"),
        pays_contributions_directly=False,
    )
    ensure_account(person_a)

    # b1. registered TNS without an account.
    birth_b1 = birth_date_for_age(36, 7)
    person_b1 = ensure_person(
        "100400002",
        id_document_number="BH400002",
        id_document_expiry=EXPIRY,
        birth_date=birth_b1,
        last_name="CHRAIBI",
        first_name="Leila",
        last_name_ar="الشرايبي",
        first_name_ar="ليلى",
        address="8 avenue Moulay Youssef, Casablanca",
        phone="+212661400002",
        email="leila.chraibi@example.ma",
        regime=Regime.TNS,
        tns_subcategory=ProfessionalSubCategory.objects.get(code="architectes-moins-13"),
        pays_contributions_directly=True,
    )
    _drop_account(person_b1)

    # b2. on a liaison list, eligible, not yet registered: registered at the end of the journey.
    birth_b2 = birth_date_for_age(52, 1)
    entry_b2 = _entry(
        "BH400003",
        category="huissiers",
        subcategory="huissiers",
        birth_date=birth_b2,
        last_name="IDRISSI",
        first_name="Mehdi",
        last_name_ar="الإدريسي",
        first_name_ar="مهدي",
        address="14 rue de Fès, Tanger",
        phone="+212661400003",
        email="mehdi.idrissi@example.ma",
        is_eligible=True,
        non_eligibility_reason="",
    )
    _reset_listed_person(entry_b2)

    # b3. on a liaison list with no phone and no record yet: issue 16 §2's one exception, the typed phone
    # gets the code, becomes his phone on file, and his first RIB waits for an agent.
    birth_b3 = birth_date_for_age(39, 4)
    entry_b3 = _entry(
        "BH400006",
        category="guides-touristiques",
        subcategory="guides",
        birth_date=birth_b3,
        last_name="NACIRI",
        first_name="Hicham",
        last_name_ar="الناصري",
        first_name_ar="هشام",
        address="5 derb Sidi Bouloukat, Marrakech",
        phone="",
        email="",
        is_eligible=True,
        non_eligibility_reason="",
    )
    _reset_listed_person(entry_b3)

    # d1. a salaried worker (already covered by the employees' AMO).
    birth_d1 = birth_date_for_age(29, 5)
    ensure_person(
        "100400004",
        id_document_number="BH400004",
        id_document_expiry=EXPIRY,
        birth_date=birth_d1,
        last_name="HAJJI",
        first_name="Sara",
        last_name_ar="الحجي",
        first_name_ar="سارة",
        phone="+212661400004",
        regime=Regime.EMPLOYEE,
    )

    # d2. on a liaison list but not eligible (covered by the CNOPS).
    birth_d2 = birth_date_for_age(47, 9)
    _entry(
        "BH400005",
        category="medecins",
        subcategory="medecins-specialistes",
        birth_date=birth_d2,
        last_name="SQALLI",
        first_name="Rachid",
        last_name_ar="السقلي",
        first_name_ar="رشيد",
        address="3 place Florence, Fès",
        phone="+212661400005",
        is_eligible=False,
        non_eligibility_reason=NonEligibilityReason.CNOPS,
        status=LiaisonStatus.NOT_ELIGIBLE,
    )

    journey = "TNS en ligne"
    return [
        DemoAccount(
            f"{journey} a : a déjà un compte",
            person_a.immatriculation_number,
            DEMO_PASSWORD,
            _note("BH400001", birth_a, "numéro par SMS +212661400001"),
        ),
        DemoAccount(
            f"{journey} b : immatriculé sans compte",
            person_b1.immatriculation_number,
            "—",
            _note("BH400002", birth_b1, "code au téléphone du dossier +212661400002, sur /telephone-demo/"),
        ),
        DemoAccount(
            f"{journey} b : liste, à immatriculer",
            "—",
            "—",
            _note("BH400003", birth_b2, "code au téléphone de la liste +212661400003, sur /telephone-demo/"),
        ),
        DemoAccount(
            f"{journey} b : liste sans téléphone",
            "—",
            "—",
            _note("BH400006", birth_b3, "tout mobile 06/07 reçoit le code; RIB « à vérifier » ensuite"),
        ),
        DemoAccount(
            f"{journey} c : non immatriculé",
            "—",
            "—",
            _note("BH499999", birth_date_for_age(33), "toute pièce inconnue ou une date différente"),
        ),
        DemoAccount(
            f"{journey} d : salarié, non éligible", "—", "—", _note("BH400004", birth_d1, "motif par SMS +212661400004")
        ),
        DemoAccount(
            f"{journey} d : CNOPS, non éligible", "—", "—", _note("BH400005", birth_d2, "motif par SMS +212661400005")
        ),
    ]
