"""Monthly declarations imported from a CSV by a supervisor: preview, row errors, all or nothing, and the
persons' totals moved by what the rows changed."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from insured_space import imports
from insured_space.models import DeclarationImport, SalaryDeclaration
from tests.factories import InsuredPersonFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = "numero_immatriculation;numero_affiliation;mois;jours;salaire;minier\n"
TODAY = date(2026, 12, 4)


def _csv(*lines) -> tuple[bytes, str]:
    text = HEADER + "".join(f"{line}\n" for line in lines)
    return text.encode(), text


@pytest.fixture
def person(db):
    return InsuredPersonFactory(immatriculation_number="600000999", declared_days=1000, mining_days=50)


def test_preview_says_what_each_row_would_do_and_writes_nothing(person):
    SalaryDeclaration.objects.create(
        insured=person, employer_number="1234567", month=date(2026, 1, 1), days=26, salary=Decimal("5000.00")
    )
    SalaryDeclaration.objects.create(
        insured=person, employer_number="1234567", month=date(2026, 2, 1), days=26, salary=Decimal("5000.00")
    )
    raw, text = _csv(
        "600000999;1234567;01/2026;26;5000.00;non",  # unchanged
        "600000999;1234567;02/2026;20;3846,15;non",  # update
        "600000999;7654321;2026-03;26;5200;oui",  # create
    )
    parsed = imports.parse_declarations_csv(raw=raw, text=text, today=TODAY)
    assert parsed.is_valid
    assert [row.action for row in parsed.rows] == ["unchanged", "update", "create"]
    assert (parsed.count_create, parsed.count_update, parsed.count_unchanged) == (1, 1, 1)
    assert SalaryDeclaration.objects.count() == 2
    assert not DeclarationImport.objects.exists()


def test_row_errors_are_named_with_their_line(person):
    raw, text = _csv(
        "999999999;1234567;01/2026;26;5000;non",
        "600000999;12;13/2026;27;-5;peut-être",
        "600000999;1234567;01/2030;26;5000;non",
        "600000999;1234567;02/2026;26;5000;non",
        "600000999;1234567;02/2026;10;5000;non",
    )
    parsed = imports.parse_declarations_csv(raw=raw, text=text, today=TODAY)
    assert not parsed.is_valid
    errors = {row.line: row.errors for row in parsed.rows}
    assert errors[2] == ["Aucun assuré ne porte le numéro « 999999999 »."]
    assert len(errors[3]) == 5  # employer, month, days, salary, mining
    assert errors[4] == ["« mois » : 01/2030 est un mois à venir."]
    assert errors[5] == []
    assert errors[6] == ["Même assuré, employeur et mois qu'à la ligne 5."]


def test_missing_columns_are_a_file_error():
    parsed = imports.parse_declarations_csv(raw=b"a;b\n1;2\n", text="a;b\n1;2\n", today=TODAY)
    assert parsed.file_errors == [
        "Colonnes manquantes : jours, mois, numero_affiliation, numero_immatriculation, salaire."
    ]


def test_import_saves_all_rows_and_moves_the_totals(person):
    SalaryDeclaration.objects.create(
        insured=person,
        employer_number="1234567",
        month=date(2026, 2, 1),
        days=26,
        salary=Decimal("5000.00"),
        mining=True,
    )
    other = InsuredPersonFactory(immatriculation_number="600000998", declared_days=0, mining_days=0)
    raw, text = _csv(
        "600000999;1234567;02/2026;20;3846.15;non",  # 26 mining days become 20 ordinary days
        "600000999;7654321;03/2026;26;5200;oui",
        "600000998;7654321;03/2026;10;1000;non",
    )
    batch, created = imports.apply_declarations_import(raw=raw, text=text, file_name="mars.csv")
    assert created
    assert (batch.rows_total, batch.rows_created, batch.rows_updated, batch.rows_unchanged) == (3, 2, 1, 0)
    person.refresh_from_db()
    other.refresh_from_db()
    assert (person.declared_days, person.mining_days) == (1000 - 26 + 20 + 26, 50 - 26 + 26)
    assert (other.declared_days, other.mining_days) == (10, 0)
    february = SalaryDeclaration.objects.get(insured=person, month=date(2026, 2, 1))
    assert (february.days, february.salary, february.mining, february.import_batch) == (
        20,
        Decimal("3846.15"),
        False,
        batch,
    )
    # the same file again changes nothing
    again, created = imports.apply_declarations_import(raw=raw, text=text, file_name="mars.csv")
    assert (again.pk, created) == (batch.pk, False)
    person.refresh_from_db()
    assert person.declared_days == 1020


def test_an_invalid_file_saves_nothing(person):
    raw, text = _csv("600000999;1234567;02/2026;20;3846.15;non", "600000999;1234567;03/2026;99;1;non")
    with pytest.raises(imports.ImportRejected):
        imports.apply_declarations_import(raw=raw, text=text, file_name="bad.csv")
    assert not SalaryDeclaration.objects.exists()
    assert not DeclarationImport.objects.exists()
    person.refresh_from_db()
    assert person.declared_days == 1000


def test_the_parse_costs_the_same_few_queries_for_many_rows(person, django_assert_num_queries):
    people = [InsuredPersonFactory() for _ in range(20)]
    lines = [f"{p.immatriculation_number};1234567;{m:02d}/2026;26;5000;non" for p in people for m in range(1, 11)]
    raw, text = _csv(*lines)
    with django_assert_num_queries(3):  # already imported?, the persons, their existing months
        parsed = imports.parse_declarations_csv(raw=raw, text=text, today=TODAY)
    assert parsed.count_create == 200


def test_a_supervisor_previews_then_confirms_in_the_admin(client, person):
    supervisor = UserFactory(insured=None, username="superviseur", is_staff=True, is_superuser=True)
    client.force_login(supervisor)
    url = reverse("admin:insured_space_salarydeclaration_import")
    raw, _text = _csv("600000999;1234567;02/2026;20;3846.15;non")
    from django.core.files.uploadedfile import SimpleUploadedFile

    preview = client.post(url, {"csv_file": SimpleUploadedFile("fevrier.csv", raw, "text/csv")})
    assert preview.status_code == 200
    assert "1 ligne(s) à créer" in preview.content.decode()
    assert not SalaryDeclaration.objects.exists()
    checksum = imports.checksum_of(raw)
    done = client.post(url, {"confirm": "1", "checksum": checksum})
    assert done.status_code == 302
    assert SalaryDeclaration.objects.get().days == 20
    assert DeclarationImport.objects.get().imported_by == supervisor
    person.refresh_from_db()
    assert person.declared_days == 1020


def test_an_agent_without_the_permission_cannot_import(client):
    agent = UserFactory(insured=None, username="agent", is_staff=True)
    client.force_login(agent)
    assert client.get(reverse("admin:insured_space_salarydeclaration_import")).status_code == 403
