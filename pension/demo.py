"""Demo TNS accounts for «Pension facultative»: one per branch of the journey (seed 000).

The foundation's 100000001 (under 63, no RIB yet) walks the missing-RIB path.
"""

from accounts.demo import birth_date_for_age, ensure_account, ensure_person
from accounts.models import BankDetails, ProfessionalSubCategory, Regime
from accounts.services import set_bank_details
from macnss.core.demo_support import DEMO_PASSWORD, DemoAccount
from macnss.core.validators import rib_key

from .models import PensionRequest
from .services import submit_pension_request

# number, id number, (years, months), last name, first name, names in Arabic, sub-category, journey
PEOPLE = [
    ("100500001", "BK500001", (45, 0), "BERRADA", "Youssef", "برادة", "يوسف", "medecins-specialistes",
     "Pension : moins de 63 ans, avec RIB"),
    ("100500002", "BK500002", (63, 6), "CHRAIBI", "Nadia", "الشرايبي", "نادية", "dentistes-debut-fin",
     "Pension : 63 ans ½ (ajournement)"),
    ("100500003", "BK500003", (64, 10), "FASSI", "Omar", "الفاسي", "عمر", "huissiers",
     "Pension : 64 ans 10 mois (droit suppl.)"),
    ("100500004", "BK500004", (66, 0), "IDRISSI", "Fatima", "الإدريسي", "فاطمة", "pharmaciens",
     "Pension : 66 ans (demande refusée)"),
    ("100500005", "BK500005", (50, 0), "LAHLOU", "Mehdi", "لحلو", "مهدي", "medecins-generalistes",
     "Pension : demande déjà introduite"),
]  # fmt: skip


def demo_rib(number: str) -> str:
    first_22 = "011780" + number.rjust(16, "0")
    return first_22 + rib_key(first_22)


def seed() -> list[DemoAccount]:
    accounts = []
    for index, (number, id_number, (years, months), last, first, last_ar, first_ar, sub, journey) in enumerate(
        PEOPLE, start=1
    ):
        person = ensure_person(
            number,
            id_document_number=id_number,
            birth_date=birth_date_for_age(years, months),
            last_name=last,
            first_name=first,
            last_name_ar=last_ar,
            first_name_ar=first_ar,
            phone=f"+21266150000{index}",
            email=f"{first.lower()}.{last.lower()}@example.ma",
            regime=Regime.TNS,
            tns_subcategory=ProfessionalSubCategory.objects.get(code=sub),
            pays_contributions_directly=True,
        )
        ensure_account(person)
        if not BankDetails.objects.filter(insured=person).exists():
            set_bank_details(person=person, rib=demo_rib(number), ip_address=None)
        if number == "100500005" and not PensionRequest.objects.filter(insured=person).exists():
            submit_pension_request(
                person=person,
                multiplier=2,
                ajournement=None,
                droit_supplementaire=None,
                rib=demo_rib(number),
                direct_debit_consent=True,
                legal_notice_accepted=True,
            )
        accounts.append(DemoAccount(journey, number, DEMO_PASSWORD))
    return accounts
