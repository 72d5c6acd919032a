from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from accounts.models import InsuredPerson, ProfessionalSubCategory
from pension import rules
from pension.models import AgeBand

DAY = date(2026, 6, 15)


@pytest.mark.parametrize(
    ("code", "minimum"),
    [
        ("medecins-generalistes", "1131.48"),  # 4 × 2828.71 = 11314.84 → 1131.484 → 1131.48
        ("medecins-specialistes", "1555.79"),  # 5.5 × → 15557.90 → 1555.79
        ("dentistes-debut-fin", "848.61"),  # 3 × → 8486.13 → 848.613 → 848.61
        ("huissiers", "537.45"),  # 1.9 × → 5374.549 → 5374.54 → 537.454 → 537.45
        ("cpu-rns", "282.87"),
        ("copistes-centres", "339.44"),
        ("traducteurs-agrees", "495.02"),
    ],
)
def test_minimum_contribution_matches_domain_table(reference_data, code, minimum):
    result = rules.contribution(ProfessionalSubCategory.objects.get(code=code), day=DAY)
    assert result.minimum == Decimal(minimum)
    assert result.monthly_amount == Decimal(minimum)
    assert result.smig == Decimal("2828.71")


@pytest.mark.parametrize(
    ("code", "k", "amount"),
    [
        ("medecins-generalistes", 2, "2262.96"),
        ("medecins-specialistes", 3, "4667.37"),
        ("huissiers", 10, "5374.50"),
        ("dentistes-debut-fin", 7, "5940.27"),
    ],
)
def test_multiplier_multiplies_the_truncated_minimum(reference_data, code, k, amount):
    result = rules.contribution(ProfessionalSubCategory.objects.get(code=code), day=DAY, multiplier=k)
    assert result.monthly_amount == Decimal(amount)
    assert result.multiplier == k


@pytest.mark.parametrize("k", [0, 11, -1])
def test_multiplier_out_of_range_is_refused(reference_data, k):
    with pytest.raises(ValueError, match="out of range"):
        rules.contribution(ProfessionalSubCategory.objects.get(code="huissiers"), day=DAY, multiplier=k)


def test_truncation_not_rounding():
    assert rules.amount_for(Decimal("1131.48"), 1) == Decimal("1131.48")
    assert rules.amount_for(Decimal("0.339"), 3) == Decimal("1.01")  # 1.017 → 1.01, not 1.02


def born(years: int, months: int, *, day: date = DAY) -> InsuredPerson:
    total = day.year * 12 + day.month - 1 - (years * 12 + months)
    return InsuredPerson(birth_date=date(total // 12, total % 12 + 1, day.day))


@pytest.mark.parametrize(
    ("years", "months", "band"),
    [
        (45, 0, AgeBand.UNDER_63),
        (62, 11, AgeBand.UNDER_63),
        (63, 0, AgeBand.AJOURNEMENT),
        (63, 6, AgeBand.AJOURNEMENT),
        (64, 8, AgeBand.AJOURNEMENT),
        (64, 9, AgeBand.DROIT_SUPPLEMENTAIRE),
        (64, 11, AgeBand.DROIT_SUPPLEMENTAIRE),
        (65, 0, AgeBand.TOO_OLD),
        (70, 3, AgeBand.TOO_OLD),
    ],
)
def test_age_bands_at_their_boundaries(years, months, band):
    person = born(years, months)
    assert person.age_on(DAY) == (years, months)
    assert rules.person_age_band(person, DAY) == band


def test_the_day_before_the_63rd_birthday_is_still_under_63():
    person = InsuredPerson(birth_date=date(1963, 6, 16))
    assert person.age_on(DAY) == (62, 11)
    assert rules.person_age_band(person, DAY) == AgeBand.UNDER_63
    assert rules.person_age_band(person, date(2026, 6, 16)) == AgeBand.AJOURNEMENT


def test_request_date_is_the_day_in_casablanca_not_utc():
    # 23:30 UTC on 9 June is already 00:30 on 10 June in Casablanca (UTC+1 outside Ramadan).
    late_evening_utc = datetime(2026, 6, 9, 23, 30, tzinfo=UTC)
    assert rules.request_date(late_evening_utc) == date(2026, 6, 10)
    # So someone born on 10 June 1961 is 65 on that request, refused, although it is still the 9th in UTC.
    person = InsuredPerson(birth_date=date(1961, 6, 10))
    assert rules.person_age_band(person, rules.request_date(late_evening_utc)) == AgeBand.TOO_OLD
    assert rules.person_age_band(person, late_evening_utc.date()) == AgeBand.DROIT_SUPPLEMENTAIRE


@pytest.mark.parametrize(
    ("day", "start"),
    [
        (date(2026, 6, 15), date(2026, 7, 1)),
        (date(2026, 6, 1), date(2026, 7, 1)),
        (date(2026, 12, 31), date(2027, 1, 1)),
        (date(2028, 2, 29), date(2028, 3, 1)),
    ],
)
def test_debit_starts_on_the_first_day_of_the_next_month(day, start):
    assert rules.debit_start_date(day) == start


def test_eligibility_needs_a_tns_who_pays_directly(reference_data):
    sub = ProfessionalSubCategory.objects.get(code="huissiers")
    assert rules.is_eligible(InsuredPerson(regime="tns", pays_contributions_directly=True, tns_subcategory=sub))
    assert not rules.is_eligible(InsuredPerson(regime="tns", pays_contributions_directly=False, tns_subcategory=sub))
    assert not rules.is_eligible(InsuredPerson(regime="salarie", pays_contributions_directly=True, tns_subcategory=sub))
    assert not rules.is_eligible(InsuredPerson(regime="tns", pays_contributions_directly=True))
    assert not rules.is_eligible(None)
