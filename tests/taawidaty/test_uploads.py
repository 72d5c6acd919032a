import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from macnss.core import antivirus
from macnss.core.uploads import check_content
from taawidaty.forms import DocumentsForm

from .conftest import tiny_jpeg, tiny_pdf, tiny_png


@pytest.mark.parametrize(
    ("data", "content_type"),
    [(tiny_pdf, "application/pdf"), (tiny_png, "image/png"), (tiny_jpeg, "image/jpeg")],
)
def test_real_small_files_pass(data, content_type):
    checked = check_content(data())
    assert checked.content_type == content_type
    assert len(checked.sha256) == 64


def refused_code(data: bytes) -> str:
    with pytest.raises(ValidationError) as info:
        check_content(data)
    return info.value.code


def test_executable_is_refused():
    assert refused_code(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200) == "type"


def test_elf_is_refused():
    assert refused_code(b"\x7fELF\x02\x01\x01" + b"\x00" * 200) == "type"


def test_html_is_refused():
    assert refused_code(b"<!DOCTYPE html><html><script>alert(1)</script></html>") == "type"


def test_svg_is_refused():
    assert refused_code(b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>') == "type"


def test_pdf_with_html_inside_is_refused():
    assert refused_code(b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF") == "active"


def test_pdf_with_javascript_action_is_refused():
    data = tiny_pdf().replace(b"%%EOF", b"<< /S /JavaScript /JS (app.alert(1)) >>\n%%EOF")
    assert refused_code(data) == "active"


def test_truncated_pdf_is_refused():
    assert refused_code(tiny_pdf()[:-200]) == "damaged"


def test_png_polyglot_with_html_is_refused():
    assert refused_code(tiny_png() + b"<html><script>alert(1)</script>") == "active"


def test_damaged_png_is_refused():
    assert refused_code(tiny_png()[:30]) == "damaged"


def test_empty_is_refused():
    assert refused_code(b"") == "empty"


def test_more_than_5_mb_is_refused(settings):
    assert refused_code(b"%PDF-1.4\n" + b"0" * settings.UPLOAD_MAX_BYTES + b"\n%%EOF") == "too_big"


def test_fake_antivirus_flags_eicar():
    assert not antivirus.FakeScanner().scan(b"xx" + antivirus.EICAR).clean
    assert antivirus.FakeScanner().scan(tiny_pdf()).clean


def test_clamd_backend_is_chosen_by_setting(settings):
    settings.ANTIVIRUS_BACKEND = "clamd"
    settings.CLAMD_SOCKET = "/nonexistent/clamd.sock"
    scanner = antivirus.get_scanner()
    assert isinstance(scanner, antivirus.ClamdScanner)
    with pytest.raises(antivirus.ScannerUnavailable):
        scanner.scan(b"data")


def test_clamd_verdicts(monkeypatch):
    import clamd

    class FakeSocket:
        def __init__(self, answer):
            self.answer = answer

        def __call__(self, path, timeout=None):
            return self

        def instream(self, buff):
            return {"stream": self.answer}

    monkeypatch.setattr(clamd, "ClamdUnixSocket", FakeSocket(("FOUND", "Eicar-Signature")))
    verdict = antivirus.ClamdScanner("/x").scan(b"x")
    assert not verdict.clean and verdict.signature == "Eicar-Signature"
    monkeypatch.setattr(clamd, "ClamdUnixSocket", FakeSocket(("OK", None)))
    assert antivirus.ClamdScanner("/x").scan(b"x").clean


def _form(lists, files):
    docs = list(lists.filter(for_ordinary=True))
    return DocumentsForm({}, files, required_documents=docs, uploaded={}), docs


def test_form_refuses_eicar_and_keeps_the_good_file(lists):
    docs = list(lists.filter(for_ordinary=True))
    eicar_pdf = tiny_pdf().replace(b"%%EOF", antivirus.EICAR + b"\n%%EOF")
    files = {
        f"piece_{docs[0].pk}": SimpleUploadedFile("ok.pdf", tiny_pdf()),
        f"piece_{docs[1].pk}": SimpleUploadedFile("virus.pdf", eicar_pdf),
    }
    form = DocumentsForm({}, files, required_documents=docs, uploaded={})
    assert not form.is_valid()
    assert "virus" in form.errors[f"piece_{docs[1].pk}"][0]
    accepted = form.accepted_uploads()
    assert list(accepted) == [docs[0]]


def test_form_refuses_disguised_executable_by_content(lists):
    docs = list(lists.filter(for_ordinary=True))
    files = {f"piece_{docs[0].pk}": SimpleUploadedFile("scan.pdf", b"MZ\x90\x00" + b"\x00" * 100, "application/pdf")}
    form = DocumentsForm({}, files, required_documents=docs, uploaded={})
    assert not form.is_valid()
    assert "PDF, un JPEG ou un PNG" in form.errors[f"piece_{docs[0].pk}"][0]
    assert form.accepted_uploads() == {}


def test_form_refuses_unavailable_antivirus(lists, settings):
    settings.ANTIVIRUS_BACKEND = "clamd"
    settings.CLAMD_SOCKET = "/nonexistent/clamd.sock"
    docs = list(lists.filter(for_ordinary=True))
    files = {f"piece_{docs[0].pk}": SimpleUploadedFile("ok.pdf", tiny_pdf())}
    form = DocumentsForm({}, files, required_documents=docs, uploaded={})
    assert not form.is_valid()
    assert "antivirus" in form.errors[f"piece_{docs[0].pk}"][0]
