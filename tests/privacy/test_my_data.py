"""«Mes données»: only the logged-in person's own data, from every app, downloaded as an attachment; the
privacy notice is public and linked from the forms that collect personal data."""

import json
from datetime import date

import pytest
from django.urls import reverse

from accounts.models import BankDetails
from macnss.core.models import OutboundSms
from taawidaty.models import RefundClaim
from tests.factories import InsuredPersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    person = InsuredPersonFactory(id_document_number="OWN111111", last_name="ALAOUI")
    BankDetails.objects.create(insured=person, rib="011780000012345678901234")
    RefundClaim.objects.create(
        insured=person, reference="RCS-2026-OWNER234", status="deposee", cessation_date=date(2024, 1, 31)
    )
    OutboundSms.objects.create(to=person.phone, body="Votre demande RCS-2026-OWNER234 est déposée", purpose="x")
    return UserFactory(insured=person)


@pytest.fixture
def stranger():
    person = InsuredPersonFactory(id_document_number="OTH999999", last_name="STRANGER")
    BankDetails.objects.create(insured=person, rib="022780000099999999999999")
    RefundClaim.objects.create(
        insured=person, reference="RCS-2026-OTHER567", status="rejetee", cessation_date=date(2024, 1, 31)
    )
    OutboundSms.objects.create(to=person.phone, body="Message pour STRANGER", purpose="x")
    return UserFactory(insured=person)


def download(client, language=""):
    prefix = f"/{language}" if language else ""
    return client.get(prefix + reverse("privacy:my_data_download").removeprefix("/ar"))


def test_the_download_holds_the_owners_data_from_every_app_and_nothing_of_another(client, owner, stranger):
    client.force_login(owner)
    response = download(client)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    raw = b"".join(response.streaming_content).decode()
    document = json.loads(raw)
    assert document["numero_immatriculation"] == owner.insured.immatriculation_number
    assert "agence CNSS" in document["rectification"]
    keys = {section["cle"] for section in document["rubriques"]}
    assert {"accounts.identity", "accounts.bank_details", "taawidaty.claims", "core.messages"} <= keys
    for mine in ("OWN111111", "ALAOUI", "011780000012345678901234", "RCS-2026-OWNER234", "est déposée"):
        assert mine in raw, mine
    for theirs in ("OTH999999", "STRANGER", "022780000099999999999999", "RCS-2026-OTHER567"):
        assert theirs not in raw, theirs
    assert "pbkdf2" not in raw and "argon2" not in raw  # never a password hash


def test_the_page_lists_the_owners_data_and_how_to_correct_it(client, owner, stranger):
    client.force_login(owner)
    page = client.get(reverse("privacy:my_data")).content.decode()
    assert "OWN111111" in page and "RCS-2026-OWNER234" in page
    assert "OTH999999" not in page and "RCS-2026-OTHER567" not in page
    assert "présentez-vous à votre agence CNSS" in page
    assert reverse("privacy:my_data_download") in page


def test_in_arabic_the_download_is_in_arabic(client, owner):
    client.force_login(owner)
    document = json.loads(b"".join(download(client, "ar").streaming_content))
    titles = {section["cle"]: section["titre"] for section in document["rubriques"]}
    assert titles["taawidaty.claims"] == "طلبات TAAWIDATY"
    assert "وكالة" in document["rectification"]


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    for name in ("privacy:my_data", "privacy:my_data_download"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_an_agent_without_an_insured_record_gets_a_404(client):
    agent = UserFactory(insured=None, username="agent1", is_staff=True)
    client.force_login(agent)
    assert client.get(reverse("privacy:my_data_download")).status_code == 404


def test_the_download_runs_a_constant_number_of_queries(client, owner, count_queries):
    client.force_login(owner)
    url = reverse("privacy:my_data_download")
    count_queries(client, url)  # the first request also loads the account into the cache
    first = count_queries(client, url)
    for number in range(3):
        OutboundSms.objects.create(to=owner.insured.phone, body=f"message {number}", purpose="x")
    assert count_queries(client, url) == first


def test_the_private_home_offers_mes_donnees(client, owner):
    client.force_login(owner)
    page = client.get(reverse("accounts:dashboard")).content.decode()
    assert reverse("privacy:my_data") in page and "Mes données" in page


@pytest.mark.parametrize(("language", "expected"), [("", "Protection des données personnelles"), ("ar", "حماية")])
def test_the_privacy_notice_is_public_and_gives_the_periods(client, language, expected, settings):
    settings.RETENTION_OTP_DAYS = 30
    prefix = f"/{language}" if language else ""
    page = client.get(prefix + reverse("privacy:notice")).content.decode()
    assert expected in page
    assert "09-08" in page and "CNDP" in page and "www.cndp.ma" in page
    if not language:
        for period in ("1 an", "30 jours", "5 ans", "180 jours après la décision"):
            assert period in page, period


def test_forms_that_collect_personal_data_link_the_notice(client, owner):
    notice = reverse("privacy:notice")
    assert notice in client.get(reverse("accounts:login")).content.decode()
    assert notice in client.get(reverse("accounts:recover_number")).content.decode()
    client.force_login(owner)
    assert notice in client.get(reverse("accounts:bank_details")).content.decode()


def pdf_text(data: bytes, tmp_path) -> str:
    import subprocess

    path = tmp_path / "mes-donnees.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_pdf_is_built_by_the_worker_and_holds_only_the_owners_data(
    client, owner, stranger, tmp_path, language, django_capture_on_commit_callbacks
):
    from privacy.models import DataExport

    client.force_login(owner)
    prefix = "/ar" if language == "ar" else ""
    with django_capture_on_commit_callbacks(execute=True):  # the task runs eagerly after commit
        response = client.post(prefix + reverse("privacy:my_data_pdf").removeprefix("/ar"))
    assert response.status_code == 302
    export = DataExport.objects.get(insured=owner.insured)
    assert export.built_at and export.language == language
    page = client.get(prefix + reverse("privacy:my_data").removeprefix("/ar")).content.decode()
    url = reverse("privacy:my_data_pdf_download", args=[export.pk]).removeprefix("/ar")
    assert url in page
    download = client.get(url)
    assert download["Content-Disposition"].startswith("attachment")
    data = b"".join(download.streaming_content)
    assert data.startswith(b"%PDF-")
    text = pdf_text(data, tmp_path)
    assert owner.insured.immatriculation_number in text and "RCS-2026-OWNER234" in text
    assert "RCS-2026-OTHER567" not in text and "OTH999999" not in text
    if language == "ar":
        assert "طلبات" in text


def test_another_persons_pdf_is_a_404_and_a_new_request_replaces_the_old(
    client, owner, stranger, django_capture_on_commit_callbacks
):
    from privacy.models import DataExport

    client.force_login(stranger)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("privacy:my_data_pdf"))
    theirs = DataExport.objects.get(insured=stranger.insured)
    client.force_login(owner)
    assert client.get(reverse("privacy:my_data_pdf_download", args=[theirs.pk])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("privacy:my_data_pdf"))
    first = DataExport.objects.get(insured=owner.insured)
    storage, name = first.pdf.storage, first.pdf.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("privacy:my_data_pdf"))
    assert DataExport.objects.filter(insured=owner.insured).count() == 1
    assert not storage.exists(name)  # the earlier file is gone


def test_exports_are_deleted_after_a_day_with_their_file(owner, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from macnss.core.retention import delete_expired
    from privacy import services
    from privacy.models import DataExport

    with django_capture_on_commit_callbacks(execute=True):
        services.request_pdf(person=owner.insured, language="fr")
    export = DataExport.objects.get()
    storage, name = export.pdf.storage, export.pdf.name
    assert storage.exists(name)
    DataExport.objects.update(requested_at=timezone.now() - timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert delete_expired()["privacy.data_exports"] == 1
    assert not storage.exists(name)


def test_a_waiting_export_is_built_once_even_if_queued_twice(owner):
    from privacy import services
    from privacy.models import DataExport

    export = DataExport.objects.create(insured=owner.insured, language="fr")
    assert services.build_pdf(export.pk) is True
    assert services.build_pdf(export.pk) is False
