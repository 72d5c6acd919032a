"""Probes of the public document check (/verifier/): it says authentic or not with the type, the date,
the amount and the initials, and nothing else; its limit holds, and refuses when it cannot count."""

from html import unescape

import pytest
from django.core.cache import caches
from django.db import DatabaseError

from insured_space import services
from insured_space.models import AttestationKind
from macnss.core import throttle

pytestmark = pytest.mark.django_db

URL = "/verifier/"


@pytest.fixture(autouse=True)
def clear_counts():
    caches["throttle"].clear()
    yield
    caches["throttle"].clear()


@pytest.fixture
def attestations(employee):
    return [
        services.issue_attestation(person=employee, kind=AttestationKind.REGISTRATION),
        services.issue_attestation(person=employee, kind=AttestationKind.SALARY, year=2025),
    ]


def test_the_answer_shows_nothing_but_type_date_amount_and_initials(client, employee, attestations):
    for attestation in attestations:
        for data in ({"reference": attestation.reference}, {"code": attestation.token}):
            html = unescape(client.post(URL, data).content.decode())
            assert "Document authentique" in html
            for secret in (
                employee.immatriculation_number,
                employee.last_name,
                employee.first_name,
                employee.last_name_ar,
                employee.birth_date.strftime("%d/%m/%Y"),
                employee.id_document_number,
                employee.phone[-6:],
                "1234567",  # an employer
                "7654321",
                "Assurance volontaire",  # a regime of his history
                attestation.digest,
            ):
                assert secret not in html, secret


@pytest.fixture
def employee(db):
    from datetime import date
    from decimal import Decimal

    from insured_space.models import RegimePeriod, SalaryDeclaration
    from tests.factories import InsuredPersonFactory

    person = InsuredPersonFactory(last_name="AMRANI", first_name="Salma")
    RegimePeriod.objects.create(insured=person, regime="asvi", started_on=date(2010, 1, 1), ended_on=date(2014, 1, 1))
    RegimePeriod.objects.create(insured=person, regime="salarie", started_on=date(2014, 1, 2))
    for employer, year in (("1234567", 2024), ("7654321", 2025)):
        SalaryDeclaration.objects.create(
            insured=person, employer_number=employer, month=date(year, 3, 1), days=26, salary=Decimal("5000.00")
        )
    return person


def test_the_check_is_limited_per_client(client, attestations):
    for _ in range(30):
        assert client.post(URL, {"reference": "AS-22222-22222"}).status_code == 200
    response = client.post(URL, {"reference": attestations[0].reference})
    assert response.status_code == 429
    html = unescape(response.content.decode())
    assert "Trop de vérifications" in html
    assert "Document authentique" not in html


def test_the_check_is_refused_when_the_limit_cannot_be_counted(client, settings, monkeypatch, attestations):
    settings.CACHES = {**settings.CACHES, "down": {"BACKEND": "tests.core.test_throttle.RefusingCache"}}
    settings.THROTTLE_CACHE = "down"

    def database_down(*args, **kwargs):
        raise DatabaseError("server closed the connection unexpectedly")

    reference = attestations[0].reference
    monkeypatch.setattr(throttle.connection, "cursor", database_down)
    response = client.post(URL, {"reference": reference})
    monkeypatch.undo()
    assert response.status_code == 429
    assert "Document authentique" not in unescape(response.content.decode())


def test_a_photo_is_not_decoded_once_the_limit_is_reached(client, monkeypatch):
    import io

    from PIL import Image

    from insured_space import qr_photo

    for _ in range(30):
        client.post(URL, {"reference": "AS-22222-22222"})
    decoded = []
    monkeypatch.setattr(qr_photo, "read_qr_code", lambda *args, **kwargs: decoded.append(1) or "")
    buffer = io.BytesIO()
    Image.new("RGB", (50, 50), "white").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "qr.png"
    assert client.post(URL, {"photo": buffer}).status_code == 429
    assert decoded == []
