import pytest
from django.core.exceptions import ValidationError

from macnss.core.validators import (
    format_rib,
    mask_phone,
    parse_moroccan_mobile,
    rib_key,
    rib_key_is_valid,
    rib_to_iban,
    validate_identity_number,
    validate_rib,
)

WORKED_EXAMPLE = "011519000001205000534921"  # DOMAIN.md §5


def test_rib_worked_example_from_domain():
    assert rib_key("0115190000012050005349") == "21"
    assert rib_key_is_valid(WORKED_EXAMPLE)
    validate_rib(WORKED_EXAMPLE)


def test_rib_with_a_wrong_key_is_refused():
    assert not rib_key_is_valid(WORKED_EXAMPLE[:-2] + "22")
    with pytest.raises(ValidationError) as exc:
        validate_rib(WORKED_EXAMPLE[:-2] + "22")
    assert exc.value.code == "rib_key"


def test_rib_key_00_is_refused_even_though_congruent():
    # Find 22 digits whose key would be 97 → "00"-style congruence: key 00 is never valid.
    assert not rib_key_is_valid("0" * 24)


@pytest.mark.parametrize(
    "value", ["12345", "01151900000120500053492", "0115190000012050005349211", "01151900000120500053492A"]
)
def test_rib_length_and_digits(value):
    with pytest.raises(ValidationError) as exc:
        validate_rib(value)
    assert exc.value.code in ("rib_length", "rib_key")


def test_rib_accepts_spaces_and_is_grouped_3_3_16_2():
    validate_rib("011 519 0000012050005349 21")
    assert format_rib(WORKED_EXAMPLE) == "011 519 0000012050005349 21"


def test_rib_to_iban_matches_the_public_example():
    assert rib_to_iban(WORKED_EXAMPLE) == "MA64" + WORKED_EXAMPLE


@pytest.mark.parametrize("number", ["0612345678", "0712345678", "+212 6 12 34 56 78", "06-12-34-56-78"])
def test_moroccan_mobiles_are_accepted_in_e164(number):
    assert parse_moroccan_mobile(number).startswith("+2126") or parse_moroccan_mobile(number).startswith("+2127")


@pytest.mark.parametrize("number", ["0522123456", "0812345678", "12345", "", "+33612345678"])
def test_fixed_lines_and_foreign_or_invalid_numbers_are_refused(number):
    with pytest.raises(ValidationError):
        parse_moroccan_mobile(number)


def test_phone_mask_shows_only_the_ends():
    assert mask_phone("+212612345678") == "06 ** ** ** 78"


@pytest.mark.parametrize("value", ["A123456", "BE123456", "be 123456", "AB123"])
def test_cin_lenient_format(value):
    validate_identity_number("cnie", value)


@pytest.mark.parametrize("value", ["123456", "ABC123456", "A12", "A1234567", "A-12?"])
def test_malformed_cin_is_refused(value):
    with pytest.raises(ValidationError):
        validate_identity_number("cnie", value)


def test_passport_checks_only_length_and_characters():
    validate_identity_number("passeport", "ZX1234567")
    with pytest.raises(ValidationError):
        validate_identity_number("passeport", "AB")
