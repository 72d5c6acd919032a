"""The liaison-list CSV import: good, bad and repeated files, through the service and the admin."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import InsuredPerson
from macnss.core.models import StatusChange
from tests.factories import UserFactory
from tns_enrollment import imports
from tns_enrollment.models import (
    LiaisonImport,
    LiaisonListEntry,
    LiaisonStatus,
    NonEligibilityReason,
    OnboardingAttempt,
)

pytestmark = pytest.mark.django_db

SAMPLE = Path(imports.__file__).resolve().parent / "fixtures" / "liste-liaison-exemple.csv"
HEADER = "organisme;categorie;sous_categorie;type_piece;numero_piece;date_expiration;date_naissance;nom;prenom;nom_ar;prenom_ar;adresse;telephone;email;eligible;motif_non_eligibilite"


def _csv(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


GOOD_ROW = "Ministère de la Santé;medecins;medecins-generalistes;cnie;BK452310;14/03/2032;02/11/1979;Tazi;Nadia;التازي;نادية;Rabat;0661234501;nadia@example.ma;oui;"
NOT_ELIGIBLE_ROW = "Ordre;huissiers;huissiers;cnie;L556677;12/12/2029;09/04/1966;FASSI;Amina;;;Tanger;;;non;cnops"


def _import(raw: bytes, name="liste.csv", by=None):
    return imports.apply_liaison_import(raw=raw, text=raw.decode("utf-8-sig"), file_name=name, by=by)


def test_sample_file_imports(reference_data):
    raw = SAMPLE.read_bytes()
    parsed = imports.parse_liaison_csv(raw=raw, text=raw.decode())
    assert parsed.is_valid, [(r.line, r.errors) for r in parsed.error_rows]
    batch, created = _import(raw)
    assert created and batch.rows_created == 4
    assert LiaisonListEntry.objects.filter(status=LiaisonStatus.NOT_ELIGIBLE).count() == 1


def test_good_file_creates_entries(reference_data):
    batch, created = _import(_csv(GOOD_ROW, NOT_ELIGIBLE_ROW))
    assert created
    assert (batch.rows_total, batch.rows_created, batch.rows_updated, batch.rows_unchanged) == (2, 2, 0, 0)
    nadia = LiaisonListEntry.objects.get(id_document_number="BK452310")
    assert (nadia.last_name, nadia.phone, nadia.status, nadia.import_batch) == (
        "TAZI",
        "+212661234501",
        LiaisonStatus.PENDING,
        batch,
    )
    amina = LiaisonListEntry.objects.get(id_document_number="L556677")
    assert (amina.is_eligible, amina.non_eligibility_reason) == (False, NonEligibilityReason.CNOPS)


def test_comma_separated_file_with_bom_is_read(reference_data):
    raw = "\ufeff" + HEADER.replace(";", ",") + "\n" + GOOD_ROW.replace(";", ",") + "\n"
    batch, created = _import(raw.encode())
    assert created and batch.rows_created == 1


def test_same_file_twice_changes_nothing(reference_data):
    raw = _csv(GOOD_ROW)
    first, _ = _import(raw)
    LiaisonListEntry.objects.update(address="changé par un agent")
    second, created = _import(raw, name="encore.csv")
    assert not created and second == first
    assert LiaisonImport.objects.count() == 1
    assert LiaisonListEntry.objects.get().address == "changé par un agent"


def test_same_rows_in_another_file_are_unchanged(reference_data):
    _import(_csv(GOOD_ROW))
    batch, created = _import(_csv(GOOD_ROW) + b"\n")  # another checksum, same data
    assert created and (batch.rows_created, batch.rows_updated, batch.rows_unchanged) == (0, 0, 1)


def test_changed_rows_update_and_log_eligibility_changes(reference_data):
    _import(_csv(GOOD_ROW))
    changed = GOOD_ROW.replace("Rabat", "Salé").replace(";oui;", ";non;salarie")
    batch, _ = _import(_csv(changed))
    assert batch.rows_updated == 1
    entry = LiaisonListEntry.objects.get()
    assert (entry.address, entry.status, entry.non_eligibility_reason) == (
        "Salé",
        LiaisonStatus.NOT_ELIGIBLE,
        "salarie",
    )
    change = StatusChange.objects.get(object_id=str(entry.pk))
    assert change.to_status == LiaisonStatus.NOT_ELIGIBLE


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (GOOD_ROW.replace("medecins;medecins-generalistes", "astronautes;"), "Catégorie inconnue"),
        (GOOD_ROW.replace("medecins-generalistes", "huissiers"), "n'appartient pas à la catégorie"),
        (GOOD_ROW.replace(";cnie;", ";permis;"), "Type de pièce inconnu"),
        (GOOD_ROW.replace("BK452310", "123456"), "1 ou 2 lettres suivies de chiffres"),
        (GOOD_ROW.replace("14/03/2032", "31/02/2032"), "date impossible"),
        (GOOD_ROW.replace("0661234501", "0522123456"), "Téléphone mobile marocain invalide"),
        (GOOD_ROW.replace("nadia@example.ma", "nadia@"), "Adresse e-mail invalide"),
        (GOOD_ROW.replace(";oui;", ";peut-être;"), "doit valoir oui ou non"),
        (GOOD_ROW.replace(";oui;", ";non;"), "Motif de non-éligibilité manquant"),
        (GOOD_ROW.replace(";Tazi;", ";;"), "« nom » est vide"),
    ],
)
def test_bad_rows_are_reported_and_nothing_is_saved(reference_data, row, message):
    raw = _csv(NOT_ELIGIBLE_ROW, row)
    parsed = imports.parse_liaison_csv(raw=raw, text=raw.decode())
    assert not parsed.is_valid
    [bad] = parsed.error_rows
    assert bad.line == 3
    assert any(message in error for error in bad.errors), bad.errors
    with pytest.raises(imports.ImportRejected):
        _import(raw)
    assert not LiaisonListEntry.objects.exists()  # all or nothing: the good row is not saved either
    assert not LiaisonImport.objects.exists()


def test_duplicate_document_in_one_file(reference_data):
    raw = _csv(GOOD_ROW, GOOD_ROW.replace("Nadia", "Nadia bis"))
    parsed = imports.parse_liaison_csv(raw=raw, text=raw.decode())
    assert "Même pièce d'identité qu'à la ligne 2." in parsed.error_rows[0].errors


def test_missing_columns(reference_data):
    raw = _csv("x;y", header="organisme;nom")
    parsed = imports.parse_liaison_csv(raw=raw, text=raw.decode())
    assert not parsed.is_valid
    assert "Colonnes manquantes" in parsed.file_errors[0]


def test_a_registered_person_cannot_be_made_not_eligible(reference_data):
    from tns_enrollment.services import register_from_liaison_entry

    _import(_csv(GOOD_ROW))
    register_from_liaison_entry(entry=LiaisonListEntry.objects.get())
    raw = _csv(GOOD_ROW.replace(";oui;", ";non;cnops"))
    parsed = imports.parse_liaison_csv(raw=raw, text=raw.decode())
    assert "déjà immatriculée" in parsed.error_rows[0].errors[0]


# --- Through the admin ------------------------------------------------------------------------------


@pytest.fixture
def agent_client(client, db):
    agent = UserFactory(insured=None, username="superviseur", is_staff=True, is_superuser=True)
    client.force_login(agent)
    return client


IMPORT_URL = reverse("admin:tns_enrollment_liaisonlistentry_import")


def test_admin_preview_then_confirm(agent_client, reference_data):
    upload = SimpleUploadedFile("liste.csv", _csv(GOOD_ROW, NOT_ELIGIBLE_ROW), content_type="text/csv")
    response = agent_client.post(IMPORT_URL, {"csv_file": upload})
    html = response.content.decode()
    assert "Aperçu du fichier" in html and "2 ligne(s) à créer" in html
    assert "Confirmer l’import" in html
    assert not LiaisonListEntry.objects.exists()  # nothing saved before confirmation
    checksum = response.context["parsed"].checksum
    response = agent_client.post(IMPORT_URL, {"confirm": "1", "checksum": checksum}, follow=True)
    assert "Import enregistré : 2 créées" in response.content.decode()
    assert LiaisonListEntry.objects.count() == 2
    assert LiaisonImport.objects.get().imported_by.username == "superviseur"


def test_admin_preview_shows_row_errors_and_no_confirm_button(agent_client, reference_data):
    upload = SimpleUploadedFile("liste.csv", _csv(GOOD_ROW.replace("0661234501", "0522")), content_type="text/csv")
    html = agent_client.post(IMPORT_URL, {"csv_file": upload}).content.decode()
    assert "Téléphone mobile marocain invalide" in html
    assert "Confirmer l’import" not in html
    response = agent_client.post(IMPORT_URL, {"confirm": "1", "checksum": "whatever"}, follow=True)
    assert "Aucun fichier en attente" in response.content.decode()
    assert not LiaisonListEntry.objects.exists()


def test_admin_same_file_twice_says_so(agent_client, reference_data):
    raw = _csv(GOOD_ROW)
    _import(raw)
    upload = SimpleUploadedFile("liste.csv", raw, content_type="text/csv")
    html = agent_client.post(IMPORT_URL, {"csv_file": upload}).content.decode()
    assert "Ce fichier a déjà été importé le" in html
    assert "Confirmer l’import" not in html


def test_admin_import_page_documents_the_columns_and_serves_the_sample(agent_client, reference_data):
    html = agent_client.get(IMPORT_URL).content.decode()
    for column in imports.COLUMNS:
        assert f"<code>{column}</code>" in html
    sample = agent_client.get(reverse("admin:tns_enrollment_liaisonlistentry_sample"))
    assert sample["Content-Type"].startswith("text/csv")
    assert b"numero_piece" in sample.content


def test_import_page_is_for_agents_only(client, reference_data):
    response = client.get(IMPORT_URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_admin_register_action(agent_client, make_entry):
    eligible = make_entry()
    not_eligible = make_entry(is_eligible=False, non_eligibility_reason=NonEligibilityReason.CNOPS)
    response = agent_client.post(
        reverse("admin:tns_enrollment_liaisonlistentry_changelist"),
        {"action": "register_selected", "_selected_action": [eligible.pk, not_eligible.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "Personnes immatriculées : 1." in html
    assert "Personnes ignorées (déjà immatriculées ou non éligibles) : 1." in html
    eligible.refresh_from_db()
    assert eligible.status == LiaisonStatus.REGISTERED
    assert InsuredPerson.objects.count() == 1
    change = StatusChange.objects.get(object_id=str(eligible.pk))
    assert change.changed_by.username == "superviseur"


def test_admin_pages_load(agent_client, make_entry, reference_data):
    from tns_enrollment import services

    make_entry()
    services.start_onboarding(
        document_type="cnie",
        document_number="ZZ000001",
        expiry=make_entry().id_document_expiry,
        birth_date=make_entry().birth_date,
        phone="+212612345678",
        operator="inwi",
        email="",
        ip_address="127.0.0.1",
        language="fr",
    )
    for name in ("liaisonlistentry", "onboardingattempt", "proximitypoint", "liaisonimport"):
        response = agent_client.get(reverse(f"admin:tns_enrollment_{name}_changelist"))
        assert response.status_code == 200, name
    response = agent_client.get(reverse("admin:tns_enrollment_liaisonlistentry_changelist") + "?q=LL000001")
    assert response.status_code == 200
    attempt_url = reverse("admin:tns_enrollment_onboardingattempt_change", args=[OnboardingAttempt.objects.get().pk])
    html = agent_client.get(attempt_url).content.decode()
    assert "ZZ000001" in html and 'name="phone"' not in html  # read-only


def test_admin_add_entry_by_hand(agent_client, reference_data):
    from accounts.models import ProfessionalCategory

    category = ProfessionalCategory.objects.get(code="guides-touristiques")
    data = {
        "organism": "Ministère du Tourisme",
        "category": category.pk,
        "id_document_type": "cnie",
        "id_document_number": "ee 781245",
        "id_document_expiry": "01/01/2033",
        "birth_date": "15/08/1988",
        "last_name": "OUAZZANI",
        "first_name": "Hicham",
        "is_eligible": "",
        "non_eligibility_reason": "",
    }
    url = reverse("admin:tns_enrollment_liaisonlistentry_add")
    response = agent_client.post(url, data)
    assert "Indiquez le motif de non-éligibilité." in response.content.decode()
    response = agent_client.post(url, {**data, "non_eligibility_reason": "cnops", "phone": "0522123456"})
    assert "Saisissez un numéro de téléphone mobile marocain" in response.content.decode()
    response = agent_client.post(url, {**data, "non_eligibility_reason": "cnops", "phone": "06 61 23 45 01"})
    assert response.status_code == 302
    entry = LiaisonListEntry.objects.get()
    assert (entry.id_document_number, entry.status, entry.phone) == (
        "EE781245",
        LiaisonStatus.NOT_ELIGIBLE,
        "+212661234501",
    )


def test_the_one_identity_field_list_is_the_person_identity_model():
    from accounts.models import PersonIdentity
    from tns_enrollment import imports
    from tns_enrollment.admin import LiaisonListEntryForm
    from tns_enrollment.models import IDENTITY_FIELDS, IDENTITY_KEY

    assert tuple(field.name for field in PersonIdentity._meta.get_fields()) == IDENTITY_FIELDS
    assert set(IDENTITY_FIELDS) <= set(LiaisonListEntryForm._meta.fields)
    assert set(IDENTITY_FIELDS) - set(IDENTITY_KEY) <= set(imports.DATA_FIELDS)
    assert not set(IDENTITY_KEY) & set(imports.DATA_FIELDS)
