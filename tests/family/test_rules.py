"""The age rules of DOMAIN §7 as pure functions: 21; 26 while studying and unmarried; none when disabled."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from family import rules

LIMITS = rules.AgeLimits()
TODAY = date(2026, 12, 4)


def decide(age_days_before_birthday=None, *, birth, studying=False, married=False, disabled=False, limits=LIMITS):
    return rules.child_decision(
        birth_date=birth, today=TODAY, limits=limits, studying=studying, married=married, disabled=disabled
    )


def test_child_under_21_needs_only_the_birth_certificate_and_is_covered_until_21():
    decision = decide(birth=date(2010, 3, 1))
    assert decision.allowed
    assert decision.documents == (rules.BIRTH_CERTIFICATE,)
    assert decision.coverage_ends_on == date(2031, 3, 1)


def test_the_day_before_the_21st_birthday_is_still_under_the_limit():
    assert decide(birth=date(2005, 12, 5)).allowed
    refused = decide(birth=date(2005, 12, 4))
    assert not refused.allowed
    assert "études" in str(refused.reasons[0])


def test_student_from_21_needs_the_school_certificate_and_is_covered_until_26():
    decision = decide(birth=date(2003, 1, 10), studying=True)
    assert decision.allowed
    assert decision.documents == (rules.BIRTH_CERTIFICATE, rules.SCHOOL_CERTIFICATE)
    assert decision.coverage_ends_on == date(2029, 1, 10)


def test_married_student_over_21_is_refused_with_the_reason():
    decision = decide(birth=date(2003, 1, 10), studying=True, married=True)
    assert not decision.allowed
    assert "marié" in str(decision.reasons[0])


def test_student_of_26_is_refused_unless_disabled():
    assert not decide(birth=date(2000, 1, 1), studying=True).allowed
    disabled = decide(birth=date(1980, 1, 1), disabled=True)
    assert disabled.allowed
    assert disabled.documents == (rules.BIRTH_CERTIFICATE, rules.DISABILITY_PROOF)
    assert disabled.coverage_ends_on is None


def test_the_limits_are_data():
    limits = rules.AgeLimits(child=18, student=25, disabled_without_limit=False)
    assert not decide(birth=date(2007, 1, 1), limits=limits).allowed  # 19 years old
    assert decide(birth=date(2007, 1, 1), studying=True, limits=limits).allowed
    assert not decide(birth=date(1990, 1, 1), disabled=True, limits=limits).allowed


def test_a_29_february_birthday_ends_on_1_march_in_a_common_year():
    assert rules.add_years(date(2008, 2, 29), 21) == date(2029, 3, 1)


def test_a_future_birth_date_is_refused():
    assert not decide(birth=date(2027, 1, 1)).allowed
    assert not rules.spouse_decision(birth_date=date(2027, 1, 1), today=TODAY).allowed


def test_a_spouse_needs_the_marriage_certificate():
    decision = rules.spouse_decision(birth_date=date(1990, 1, 1), today=TODAY)
    assert decision.allowed and decision.documents == (rules.MARRIAGE_CERTIFICATE,)


@given(
    birth=st.dates(min_value=date(1920, 1, 1), max_value=TODAY),
    studying=st.booleans(),
    married=st.booleans(),
    disabled=st.booleans(),
    child_limit=st.integers(min_value=15, max_value=25),
    extra=st.integers(min_value=0, max_value=10),
)
def test_properties_of_the_age_rules(birth, studying, married, disabled, child_limit, extra):
    limits = rules.AgeLimits(child=child_limit, student=child_limit + extra)
    decision = decide(birth=birth, studying=studying, married=married, disabled=disabled, limits=limits)
    age = rules.age_on(birth, TODAY)
    # Allowed exactly in the three cases of the law.
    expected = age < limits.child or disabled or (age < limits.student and studying and not married)
    assert decision.allowed == expected
    if decision.allowed:
        assert rules.BIRTH_CERTIFICATE in decision.documents
        # Each proof is asked exactly when its case is the one that opens the right.
        assert (rules.DISABILITY_PROOF in decision.documents) == (age >= limits.child and disabled)
        assert (rules.SCHOOL_CERTIFICATE in decision.documents) == (age >= limits.child and not disabled)
        if decision.coverage_ends_on is not None:
            assert decision.coverage_ends_on > TODAY
    else:
        assert decision.reasons and not decision.documents


@given(birth=st.dates(min_value=date(1950, 1, 1), max_value=date(2030, 12, 31)), years=st.integers(0, 80))
def test_age_on_the_nth_birthday_is_n(birth, years):
    day = rules.add_years(birth, years)
    assert rules.age_on(birth, day) == years
