import pytest

from accounts.demo import birth_date_for_age
from accounts.models import ProfessionalSubCategory, Regime
from accounts.services import set_bank_details
from macnss.core.validators import rib_key
from tests.factories import InsuredPersonFactory, UserFactory


def make_rib(seed: int) -> str:
    first_22 = "011780" + f"{seed:016d}"
    return first_22 + rib_key(first_22)


@pytest.fixture
def make_tns(reference_data):
    """A TNS paying directly, aged (years, months) today, with a portal account and (by default) a RIB."""

    def _make(age=(45, 0), sub="medecins-generalistes", with_rib=True, birth_date=None, **fields):
        fields = {
            "regime": Regime.TNS,
            "pays_contributions_directly": True,
            "tns_subcategory": ProfessionalSubCategory.objects.get(code=sub),
            "birth_date": birth_date or birth_date_for_age(*age),
            **fields,
        }
        person = InsuredPersonFactory(**fields)
        UserFactory(insured=person)
        if with_rib:
            set_bank_details(person=person, rib=make_rib(person.pk), ip_address=None)
        return person

    return _make


@pytest.fixture
def submit_kwargs():
    def _kwargs(person, **overrides):
        return {
            "person": person,
            "multiplier": 1,
            "ajournement": None,
            "droit_supplementaire": None,
            "rib": make_rib(person.pk),
            "direct_debit_consent": True,
            "legal_notice_accepted": True,
            "ip_address": "127.0.0.1",
            **overrides,
        }

    return _kwargs
