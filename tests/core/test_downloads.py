import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.http import Http404

from macnss.core.downloads import attachment_response
from macnss.core.models import OutboundEmail


def _field_file(tmp_path, name):
    storage = FileSystemStorage(location=tmp_path)
    field = OutboundEmail._meta.get_field("attachment")
    file = FieldFile(None, field, name)
    file.storage = storage
    return file, storage


def test_private_files_leave_as_uncached_sandboxed_downloads(tmp_path):
    file, storage = _field_file(tmp_path, "recu.pdf")
    storage.save("recu.pdf", ContentFile(b"%PDF-1.7"))
    response = attachment_response(file, filename="recu-RA1.pdf", content_type="application/pdf")
    assert response["Content-Disposition"] == 'attachment; filename="recu-RA1.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == b"%PDF-1.7"


def test_a_missing_file_is_a_404_not_a_500(tmp_path):
    file, _ = _field_file(tmp_path, "gone.pdf")
    with pytest.raises(Http404):
        attachment_response(file, filename="x.pdf", content_type="application/pdf")
