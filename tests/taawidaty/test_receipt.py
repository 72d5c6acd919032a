import re
import subprocess
from pathlib import Path

import pytest

from taawidaty import services, tasks
from taawidaty.models import PhysicalControlRule, RefundClaim
from tests.factories import InsuredPersonFactory

from .conftest import years_ago
from .helpers import draft_with_documents, submitted_claim

pytestmark = pytest.mark.django_db


def stored_copy(field_file, tmp_path: Path) -> Path:
    """A local copy of a stored file (the storage may be a bucket), for the poppler tools."""
    with field_file.open("rb") as stored:
        data = stored.read()
    path = tmp_path / Path(field_file.name).name
    path.write_bytes(data)
    return path


def pdf_text(path: Path) -> str:
    """The PDF's text with bidi marks removed and all white space folded to single spaces."""
    raw = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    return " ".join(re.sub("[\u200e\u200f\u202a-\u202e]", "", raw).split())


def test_receipt_is_built_after_commit(lists, eligible_person, django_capture_on_commit_callbacks, tmp_path):
    with django_capture_on_commit_callbacks(execute=True):
        claim = submitted_claim(eligible_person)
    claim.refresh_from_db()
    assert claim.receipt_ready
    path = stored_copy(claim.receipt, tmp_path)
    assert path.read_bytes().startswith(b"%PDF-")
    text = pdf_text(path)
    assert claim.reference in text
    assert eligible_person.last_name in text and eligible_person.first_name in text
    assert eligible_person.immatriculation_number in text
    assert "Accusé de dépôt de demande" in text
    assert "وصل إيداع الطلب" in text
    assert "080 20 20 109" in text
    assert "Remboursement des cotisations" in text
    pages = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+1$", pages, re.MULTILINE)


def test_physical_control_note_in_the_pdf(lists, eligible_person, tmp_path):
    PhysicalControlRule.objects.create(name="tous", rate_percent=100)
    claim = submitted_claim(eligible_person)
    services.build_receipt(claim.pk)
    claim.refresh_from_db()
    text = pdf_text(stored_copy(claim.receipt, tmp_path))
    assert "contrôle physique" in text


def test_task_run_twice_makes_one_file(lists, eligible_person):
    claim = submitted_claim(eligible_person)
    assert tasks.build_receipt.apply(args=[claim.pk]).get() is True
    claim.refresh_from_db()
    first_built = claim.receipt_built_at
    assert tasks.build_receipt.apply(args=[claim.pk]).get() is False
    claim.refresh_from_db()
    assert claim.receipt_built_at == first_built
    _, files = claim.receipt.storage.listdir("taawidaty/accuses")
    # Names are random: only this claim's receipt (or a copy of it) can start with its public id.
    assert [name for name in files if name.startswith(str(claim.public_id))] == [f"{claim.public_id}.pdf"]


def test_lost_file_is_rebuilt_at_the_same_path(lists, eligible_person):
    claim = submitted_claim(eligible_person)
    services.build_receipt(claim.pk)
    claim.refresh_from_db()
    storage, name = claim.receipt.storage, claim.receipt.name
    storage.delete(name)
    assert not storage.exists(name)
    assert services.build_receipt(claim.pk) is True
    claim.refresh_from_db()
    assert claim.receipt.name == name and storage.exists(name)


def test_draft_gets_no_receipt(lists, eligible_person):
    claim = draft_with_documents(eligible_person)
    assert services.build_receipt(claim.pk) is False


def test_requeue_picks_claims_without_receipt(lists, eligible_person, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    claim = submitted_claim(eligible_person)
    RefundClaim.objects.filter(pk=claim.pk).update(submitted_at=timezone.now() - timedelta(minutes=10))
    sent = []
    monkeypatch.setattr(tasks.build_receipt, "delay", lambda pk: sent.append(pk))
    assert services.requeue_missing_receipts() == 1
    assert sent == [claim.pk]


def test_command_builds_missing_receipts(lists, eligible_person):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    claim = submitted_claim(eligible_person)
    RefundClaim.objects.filter(pk=claim.pk).update(submitted_at=timezone.now() - timedelta(minutes=10))
    call_command("taawidaty_requeue_receipts", "--now")
    claim.refresh_from_db()
    assert claim.receipt_ready


def test_verification_url_points_to_the_public_page(lists):
    person = InsuredPersonFactory(birth_date=years_ago(62), declared_days=10)
    claim = submitted_claim(person)
    assert services.verification_url(claim).endswith(f"/taawidaty/verifier-un-accuse/?reference={claim.reference}")
