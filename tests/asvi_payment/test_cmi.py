"""The ver3 HASH of CMI.md §3, with its worked vector, and the request-field builder."""

from decimal import Decimal

import pytest

from asvi_payment import cmi

VECTOR_FIELDS = {
    "clientid": "600000000",
    "storetype": "3D_PAY_HOSTING",
    "TranType": "PreAuth",
    "amount": "1467.06",
    "currency": "504",
    "oid": "ASVI-2020T1-000123",
    "okUrl": "https://portail.example/paiement/cmi/ok/",
    "failUrl": "https://portail.example/paiement/cmi/fail/",
    "callbackUrl": "https://portail.example/paiement/cmi/callback/",
    "shopurl": "https://portail.example/paiement/",
    "lang": "fr",
    "rnd": "1588715451",
    "hashAlgorithm": "ver3",
    "encoding": "UTF-8",
    "BillToName": "Test Assure",
    "email": "assure@example.ma",
    "tel": "0600000000",
}
VECTOR_PLAIN = (
    "1467.06|Test Assure|https://portail.example/paiement/cmi/callback/|600000000|504|assure@example.ma|"
    "https://portail.example/paiement/cmi/fail/|ver3|fr|ASVI-2020T1-000123|https://portail.example/paiement/cmi/ok/|"
    "1588715451|https://portail.example/paiement/|3D_PAY_HOSTING|0600000000|PreAuth|TEST1234"
)
VECTOR_HASH = "kn++9A5ZioQWHr0nB6DNZV8kxfIarANNQeoVcm6H4mWkZGVEzcgu+1nk/0iRl8xTq51CYwCoPpwdYYdh3p1CNA=="


def test_worked_vector_plaintext_and_hash():
    assert cmi.ver3_plaintext(VECTOR_FIELDS, "TEST1234") == VECTOR_PLAIN
    assert cmi.ver3_hash(VECTOR_FIELDS, "TEST1234") == VECTOR_HASH


def test_escaping_backslash_then_pipe():
    fields = {**VECTOR_FIELDS, "BillToName": "A|B\\C"}
    assert "|A\\|B\\\\C|" in cmi.ver3_plaintext(fields, "TEST1234")
    assert cmi.ver3_hash(fields, "TEST1234") != VECTOR_HASH


def test_store_key_is_escaped_too():
    assert cmi.ver3_plaintext({"a": "1"}, "K|E\\Y") == "1|K\\|E\\\\Y"


def test_hash_and_encoding_are_left_out_and_names_fold_to_upper_case():
    with_hash = {**VECTOR_FIELDS, "HASH": "whatever", "hash": "x"}
    assert cmi.ver3_hash(with_hash, "TEST1234") == VECTOR_HASH
    # "_" sits between "Z" and "a": upper-case folding puts A_B after AB, lower-case folding would not.
    assert cmi.ver3_plaintext({"a_b": "1", "ab": "2"}, "K") == "2|1|K"


def test_verify_accepts_the_vector_and_refuses_any_change():
    signed = {**VECTOR_FIELDS, "HASH": VECTOR_HASH}
    assert cmi.verify(signed, "TEST1234")
    assert not cmi.verify({**signed, "amount": "1.00"}, "TEST1234")
    assert not cmi.verify(signed, "OTHERKEY")
    assert not cmi.verify(VECTOR_FIELDS, "TEST1234")  # no HASH at all


def test_build_request_fields_is_signed_and_complete(settings):
    fields = cmi.build_request_fields(
        oid="ASVI-1",
        amount=Decimal("1467.06"),
        ok_url="https://x/ok/",
        fail_url="https://x/fail/",
        callback_url="https://x/cb/",
        shop_url="https://x/",
        lang="ar",
        name="  Bennâni Salma-Zineb ",
        email="s@example.ma",
        tel="0661000000",
    )
    assert fields["storetype"] == "3D_PAY_HOSTING"
    assert fields["TranType"] == "PreAuth"
    assert fields["hashAlgorithm"] == "ver3"
    assert fields["currency"] == "504"
    assert fields["amount"] == "1467.06"
    assert fields["clientid"] == settings.CMI_CLIENT_ID
    assert fields["BillToName"] == "Bennani SalmaZineb"
    assert fields["lang"] == "ar"
    assert cmi.verify(fields, settings.CMI_STORE_KEY)
    other = cmi.build_request_fields(
        oid="ASVI-1", amount=Decimal("1"), ok_url="a", fail_url="b", callback_url="c", shop_url="d", lang="fr",
        name="n", email="e",
    )  # fmt: skip
    assert other["rnd"] != fields["rnd"]


@pytest.mark.parametrize(("value", "expected"), [(Decimal("1451.1"), "1451.10"), (Decimal("15.96"), "15.96")])
def test_amount_has_two_decimals(value, expected):
    assert cmi.format_amount(value) == expected


def test_confirmation_mode(settings):
    settings.CMI_CONFIRMATION_MODE = "POSTAUTH"
    assert cmi.confirmation_reply() == "ACTION=POSTAUTH"
    settings.CMI_CONFIRMATION_MODE = "APPROVED"
    assert cmi.confirmation_reply() == "APPROVED"
