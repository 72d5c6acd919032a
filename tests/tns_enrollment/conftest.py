"""Fixtures of the TNS onboarding tests: liaison entries and the answers a person types."""

from datetime import date

import pytest

from accounts.models import IdentityDocumentType, ProfessionalCategory, ProfessionalSubCategory
from tns_enrollment.models import LiaisonListEntry, LiaisonStatus

EXPIRY = date(2032, 6, 30)
BIRTH = date(1980, 5, 17)


@pytest.fixture
def make_entry(reference_data):
    counter = iter(range(1, 10_000))

    def _make(**fields) -> LiaisonListEntry:
        category = ProfessionalCategory.objects.get(code=fields.pop("category", "medecins"))
        defaults = {
            "organism": "Ministère de la Santé",
            "category": category,
            "subcategory": ProfessionalSubCategory.objects.get(code="medecins-generalistes")
            if category.code == "medecins"
            else None,
            "id_document_type": IdentityDocumentType.CNIE,
            "id_document_number": f"LL{next(counter):06d}",
            "id_document_expiry": EXPIRY,
            "birth_date": BIRTH,
            "last_name": "TAZI",
            "first_name": "Nadia",
            "last_name_ar": "التازي",
            "first_name_ar": "نادية",
            "address": "18 rue Ibn Sina, Rabat",
            "phone": "+212661234501",
            "email": "nadia@example.ma",
        }
        defaults.update(fields)
        if not defaults.get("is_eligible", True):
            defaults.setdefault("status", LiaisonStatus.NOT_ELIGIBLE)
        return LiaisonListEntry.objects.create(**defaults)

    return _make


def form_data(**overrides) -> dict:
    """What a person types on «Introduction des informations personnelles» (the captcha in test mode)."""
    data = {
        "id_document_type": "cnie",
        "id_document_number": "LL000001",
        "id_document_expiry": EXPIRY.strftime("%d/%m/%Y"),
        "birth_date": BIRTH.strftime("%d/%m/%Y"),
        "phone": "0612345678",
        "phone_operator": "maroc_telecom",
        "email": "",
        "captcha_0": "test",
        "captcha_1": "PASSED",
    }
    data.update(overrides)
    return data


def typed(**overrides) -> dict:
    """The keyword arguments of services.start_onboarding."""
    data = {
        "document_type": "cnie",
        "document_number": "LL000001",
        "expiry": EXPIRY,
        "birth_date": BIRTH,
        "phone": "+212612345678",
        "operator": "maroc_telecom",
        "email": "",
        "ip_address": "203.0.113.7",
        "language": "fr",
    }
    data.update(overrides)
    return data
