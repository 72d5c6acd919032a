"""Attestations: issued with a random reference and signed figures, built by the worker, shown to their
owner only, and checked by anyone on /verifier/."""

import re
import subprocess
from datetime import date
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from insured_space import services
from insured_space.models import Attestation, AttestationKind
from macnss.core import document_signing
from tests.factories import InsuredPersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_last_twelve_months_are_the_complete_months_before_this_one():
    assert services.last_twelve_months(date(2026, 12, 4)) == (date(2025, 12, 1), date(2026, 11, 1))
    assert services.last_twelve_months(date(2026, 1, 31)) == (date(2025, 1, 1), date(2025, 12, 1))


def test_a_salary_attestation_signs_the_printed_figures(employee):
    attestation = services.issue_attestation(
        person=employee, kind=AttestationKind.SALARY, year=2025, today=date(2026, 3, 2)
    )
    assert re.fullmatch(services.REFERENCE_PATTERN, attestation.reference)
    assert attestation.amount == Decimal("50406.00")
    assert attestation.figures["total_days"] == 240
    assert len(attestation.figures["lines"]) == 12
    text = document_signing.canonical_text(
        services.canonical_pairs(
            kind=attestation.kind,
            reference=attestation.reference,
            issued_on=attestation.issued_on,
            figures=attestation.figures,
        )
    )
    assert text.splitlines()[:3] == [
        "type=attestation_salaire",
        f"reference={attestation.reference}",
        "date=2026-03-02",
    ]
    assert "line=2025-02|7654321|20|4200.50|1" in text.splitlines()
    assert text.splitlines()[-2:] == ["total_days=240", "total_salary=50406.00"]
    claims = document_signing.verify(attestation.token)
    assert (
        claims.digest
        == attestation.digest
        == document_signing.figures_digest(
            services.canonical_pairs(
                kind=attestation.kind,
                reference=attestation.reference,
                issued_on=attestation.issued_on,
                figures=attestation.figures,
            )
        )
    )
    assert claims.initials == "A. S."


def test_the_same_attestation_asked_twice_on_a_day_is_issued_once(employee):
    first = services.issue_attestation(person=employee, kind=AttestationKind.REGISTRATION)
    again = services.issue_attestation(person=employee, kind=AttestationKind.REGISTRATION)
    assert first.pk == again.pk
    assert Attestation.objects.count() == 1


def test_no_salary_attestation_without_an_employee_period(db):
    from accounts.models import Regime

    tns = InsuredPersonFactory(regime=Regime.TNS)
    with pytest.raises(services.NoDeclaredSalary):
        services.issue_attestation(person=tns, kind=AttestationKind.SALARY)


def test_the_pdf_task_is_idempotent(employee, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        attestation = services.issue_attestation(person=employee, kind=AttestationKind.REGISTRATION)
    attestation.refresh_from_db()
    assert attestation.is_ready  # the eager worker ran after the commit
    name = attestation.pdf.name
    assert services.build_attestation_pdf(attestation.pk) is False
    attestation.refresh_from_db()
    assert attestation.pdf.name == name


def test_registration_page_shows_number_regimes_and_declarations(employee_client, employee):
    response = employee_client.get(reverse("insured_space:registration"))
    html = unescape(response.content.decode())
    assert employee.immatriculation_number in html
    assert "01/03/2015" in html  # registration date = first regime period
    assert "Assurance volontaire (ASVI)" in html and "31/12/2023" in html
    assert "1234567" in html and "7654321" in html
    assert "60000.00" in html and "50406.00" in html  # 2024 and 2025 salaries
    assert "Télécharger mon attestation d'immatriculation" in html
    assert "Année 2025" in html  # the salary attestation is offered, year by year


def test_the_salary_attestation_is_not_offered_without_an_employee_period(client):
    from accounts.models import Regime

    person = InsuredPersonFactory(regime=Regime.TNS)
    client.force_login(UserFactory(insured=person))
    html = unescape(client.get(reverse("insured_space:registration")).content.decode())
    assert "Attestation de déclaration de salaire" not in html
    assert client.post(reverse("insured_space:request_salary"), {"period": "12"}).status_code == 404


def test_download_flow_shows_en_preparation_until_the_worker_is_done(
    employee_client, employee, monkeypatch, django_capture_on_commit_callbacks
):
    from insured_space import tasks

    queued = []
    monkeypatch.setattr(tasks.build_attestation_pdf, "apply_async", lambda args, kwargs: queued.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        response = employee_client.post(reverse("insured_space:request_registration"))
    assert response.status_code == 303
    attestation = Attestation.objects.get()
    assert queued == [(attestation.pk,)]
    page = employee_client.get(response["Location"])
    assert "L'attestation PDF est en préparation." in unescape(page.content.decode())
    pdf_url = reverse("insured_space:attestation_pdf", kwargs={"public_id": attestation.public_id})
    assert employee_client.get(pdf_url)["Location"] == response["Location"]
    services.build_attestation_pdf(attestation.pk)  # the worker
    page = employee_client.get(response["Location"])
    assert "Télécharger l'attestation (PDF)" in unescape(page.content.decode())
    download = employee_client.get(pdf_url)
    assert download["Content-Type"] == "application/pdf"
    assert download["Cache-Control"] == "private, no-store"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_salary_attestation_with_a_bad_period_says_so_next_to_the_field(employee_client):
    response = employee_client.post(reverse("insured_space:request_salary"), {"period": "1999"})
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert html.count("Choisissez une période de la liste.") == 2  # summary + field
    assert not Attestation.objects.exists()


def test_another_persons_attestation_is_a_404(employee, client):
    attestation = services.issue_attestation(person=employee, kind=AttestationKind.REGISTRATION)
    client.force_login(UserFactory(insured=InsuredPersonFactory()))
    for name in ("insured_space:attestation", "insured_space:attestation_pdf"):
        assert client.get(reverse(name, kwargs={"public_id": attestation.public_id})).status_code == 404


def test_the_pages_need_a_login(client, employee):
    attestation = services.issue_attestation(person=employee, kind=AttestationKind.REGISTRATION)
    for url in (
        reverse("insured_space:registration"),
        reverse("insured_space:attestation", kwargs={"public_id": attestation.public_id}),
    ):
        assert client.get(url)["Location"].startswith(reverse("accounts:login"))


def test_the_pdf_prints_the_figures_and_the_signed_url(employee, tmp_path):
    attestation = services.issue_attestation(
        person=employee, kind=AttestationKind.SALARY, year=2024, today=date(2026, 3, 2)
    )
    path = tmp_path / "a.pdf"
    path.write_bytes(services.render_attestation_pdf(attestation))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert attestation.reference in text
    assert "60000.00" in text and "1234567" in text
    assert "شهادة" in text or "الأجور" in text  # the Arabic half
    printed = "".join(text.split())
    assert attestation.token in printed


def test_the_registration_page_query_count_is_constant(employee_client, employee, count_queries):
    url = reverse("insured_space:registration")
    employee_client.get(url)  # the first request also refreshes the session
    before = count_queries(employee_client, url)
    assert before <= 5  # session, account, regimes, declarations by year and employer, attestations
    for _ in range(3):
        services.issue_attestation(person=employee, kind=AttestationKind.SALARY, year=2024)
    from insured_space.models import SalaryDeclaration

    SalaryDeclaration.objects.create(
        insured=employee, employer_number="9999999", month=date(2023, 5, 1), days=3, salary=1
    )
    assert count_queries(employee_client, url) == before
