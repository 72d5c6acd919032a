from datetime import date
from types import SimpleNamespace

import pytest

from taawidaty import eligibility

TODAY = date(2026, 6, 15)


def person(birth_date, declared=500, mining=0, pension=False):
    return SimpleNamespace(birth_date=birth_date, declared_days=declared, mining_days=mining, receives_pension=pension)


def test_sixty_on_the_birthday_is_eligible():
    assert eligibility.check(person(date(1966, 6, 15)), today=TODAY).eligible


def test_the_day_before_sixty_is_refused_with_the_date():
    result = eligibility.check(person(date(1966, 6, 16)), today=TODAY)
    assert not result.eligible
    assert "60 ans" in result.reasons[0]
    assert "16/06/2026" in result.reasons[0]


def test_miner_with_five_years_is_eligible_at_55_only_as_miner():
    result = eligibility.check(person(date(1971, 6, 15), mining=1560), today=TODAY)
    assert result.eligible
    assert result.legal_age == 55
    assert result.only_as_miner


def test_miner_one_day_short_of_five_years_waits_for_60():
    result = eligibility.check(person(date(1971, 6, 15), mining=1559), today=TODAY)
    assert not result.eligible
    assert "1560" in result.reasons[0] and "1559" in result.reasons[0]


def test_miner_day_before_55_is_refused():
    result = eligibility.check(person(date(1971, 6, 16), mining=2000), today=TODAY)
    assert not result.eligible
    assert "55 ans" in result.reasons[0]


def test_miner_over_60_is_not_limited_to_a_mining_claim():
    result = eligibility.check(person(date(1960, 1, 1), mining=2000), today=TODAY)
    assert result.eligible and not result.only_as_miner


def test_five_years_of_mining_is_1560_days():
    assert eligibility.MINER_MIN_MINING_DAYS == 1560


@pytest.mark.parametrize(
    ("birth", "declared", "eligible"),
    [
        (date(1962, 12, 31), 3239, True),  # 60 on 31/12/2022: old threshold 3 240
        (date(1962, 12, 31), 3240, False),
        (date(1963, 1, 1), 1319, True),  # 60 on 01/01/2023: new threshold 1 320
        (date(1963, 1, 1), 1320, False),
        (date(1963, 1, 1), 2000, False),
    ],
)
def test_pension_threshold_depends_on_when_the_age_was_reached(birth, declared, eligible):
    result = eligibility.check(person(birth, declared=declared), today=TODAY)
    assert result.eligible is eligible
    if not eligible:
        assert "pension de vieillesse" in result.reasons[0]


def test_miner_threshold_uses_the_age_of_55():
    # 55 on 01/06/2020 (before 2023): 3 239 days is still below the old threshold.
    result = eligibility.check(person(date(1965, 6, 1), declared=3239, mining=1600), today=TODAY)
    assert result.threshold == 3240
    assert result.eligible


def test_pension_already_paid_is_refused():
    result = eligibility.check(person(date(1960, 1, 1), pension=True), today=TODAY)
    assert not result.eligible
    assert any("pension" in reason for reason in result.reasons)


def test_open_claim_is_refused():
    result = eligibility.check(person(date(1960, 1, 1)), today=TODAY, has_open_claim=True)
    assert not result.eligible
    assert "en cours" in result.reasons[0]


def test_already_refunded_is_refused():
    result = eligibility.check(person(date(1960, 1, 1)), today=TODAY, has_paid_claim=True)
    assert "définitif" in result.reasons[0]


def test_every_reason_is_listed():
    result = eligibility.check(person(date(1980, 1, 1), declared=5000, pension=True), today=TODAY)
    assert len(result.reasons) == 3


def test_born_on_29_february():
    result = eligibility.check(person(date(1964, 2, 29)), today=date(2024, 2, 29))
    assert result.eligible


def test_too_many_days_before_the_age_is_explained_for_later():
    result = eligibility.check(person(date(1980, 1, 1), declared=2500), today=TODAY)
    assert len(result.reasons) == 2
    assert "à l'âge de la retraite" in result.reasons[1] and "2500" in result.reasons[1]
