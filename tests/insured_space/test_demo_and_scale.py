"""The demo employee, the scale generator's declarations, and the key-rotation command."""

import io
import json

import pytest
from django.core.management import call_command

from bench import scale_data
from insured_space import demo
from insured_space.models import RegimePeriod, SalaryDeclaration
from macnss.core import document_signing

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent_and_keeps_the_totals_equal_to_the_months():
    demo.seed()
    demo.seed()
    from accounts.models import InsuredPerson

    person = InsuredPerson.objects.get(immatriculation_number=demo.DEMO_NUMBER)
    declarations = SalaryDeclaration.objects.filter(insured=person)
    assert declarations.values("employer_number").distinct().count() == 3
    assert declarations.dates("month", "year").count() >= 10
    assert person.declared_days == sum(declarations.values_list("days", flat=True))
    assert RegimePeriod.objects.filter(insured=person).count() == 3
    from macnss.core.demo_support import DEMO_PASSWORD

    assert person.account.check_password(DEMO_PASSWORD)


def test_scale_generator_adds_24_months_per_employee():
    scale_data.generate(persons=300, dues=160, claims=10, declarations=600, account_every=10, out=lambda line: None)
    assert SalaryDeclaration.objects.count() == 600
    first = SalaryDeclaration.objects.order_by("insured_id", "month").first()
    assert first.insured.regime == "salarie"
    assert SalaryDeclaration.objects.filter(insured=first.insured).count() == 24


def test_new_signing_key_prints_the_new_key_and_retires_the_current_one():
    out = io.StringIO()
    call_command("new_signing_key", "2027-a", stdout=out)
    lines = dict(line.split("=", 1) for line in out.getvalue().splitlines() if not line.startswith("#"))
    key_id, _, private = lines["DOCUMENT_SIGNING_KEY"].partition(":")
    assert key_id == "2027-a" and len(document_signing.b64decode(private)) == 32
    retired = json.loads(lines["DOCUMENT_SIGNING_RETIRED_KEYS"].strip("'"))
    assert retired[-1]["key_id"] == "dev-insecure"
    assert retired[-1]["public_key"] == document_signing.keys_document()["keys"][0]["x"]
    document_signing.check_signing_settings(
        {"key_id": key_id, "private_key": private, "valid_from": lines["DOCUMENT_SIGNING_KEY_VALID_FROM"]}, retired
    )
