"""Uploads probed through the real TAAWIDATY documents page: disguised and active files are refused by content
(PDFs parsed, however their names are escaped or compressed), an oversize body is refused while it arrives,
images are re-encoded, help texts are escaped, EICAR inside a valid PDF is found by a real clamd (marker
`clamav`), stored names are random, downloads are attachments that the browser will not sniff."""

import io
import os
import re
from html import unescape

import pikepdf
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image

from macnss.core.antivirus import EICAR, ClamdScanner
from macnss.core.uploads import BoundedMemoryUploadHandler, RefusedUpload, check_content
from taawidaty import selectors, services
from taawidaty.defaults import load_defaults
from taawidaty.models import ClaimDocument
from tests.factories import InsuredPersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
    return buffer.getvalue()


def _pdf() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, "PDF")
    return buffer.getvalue()


DISGUISED = {
    "windows executable": (b"MZ\x90\x00\x03" + b"\x00" * 200, "scan.pdf", "application/pdf"),
    "linux executable": (b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "scan.pdf", "application/pdf"),
    "html page": (
        b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>",
        "scan.pdf",
        "application/pdf",
    ),
    "svg image": (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>', "scan.png", "image/png"),
    "pdf with javascript": (
        _pdf().replace(b"%%EOF", b"/JavaScript (app.alert(1))\n%%EOF"),
        "scan.pdf",
        "application/pdf",
    ),
    "png/html polyglot": (_png() + b"<html><script>alert(1)</script></html>", "scan.png", "image/png"),
    "pdf/html polyglot": (b"%PDF-1.4\n<html><body onload=alert(1)>\n%%EOF", "scan.pdf", "application/pdf"),
}


@pytest.fixture
def draft(client):
    load_defaults()
    from accounts.demo import birth_date_for_age

    person = InsuredPersonFactory(birth_date=birth_date_for_age(61), declared_days=900)
    user = UserFactory(insured=person)
    client.force_login(user)
    from datetime import date

    claim = services.save_draft(person=person, mining=False, cessation_date=date(2024, 1, 31))
    return claim


def _field_names(claim):
    return [f"piece_{doc.pk}" for doc in selectors.required_documents(mining=claim.mining)]


@pytest.mark.parametrize("kind", sorted(DISGUISED))
def test_disguised_files_are_refused_by_content(client, draft, kind):
    data, name, browser_type = DISGUISED[kind]
    field = _field_names(draft)[0]
    page = client.post(
        reverse("taawidaty:documents", kwargs={"public_id": draft.public_id}),
        {field: SimpleUploadedFile(name, data, browser_type)},
    ).content.decode()
    assert "Il y a un problème" in page, kind
    assert not ClaimDocument.objects.filter(claim=draft).exists(), kind


def test_stored_names_are_random_and_downloads_are_attachments(client, draft):
    fields = _field_names(draft)
    url = reverse("taawidaty:documents", kwargs={"public_id": draft.public_id})
    client.post(url, {fields[0]: SimpleUploadedFile("../../etc/passwd <script>.pdf", _pdf(), "application/pdf")})
    client.post(url, {fields[0]: SimpleUploadedFile("../../etc/passwd <script>.pdf", _pdf(), "application/pdf")})
    document = ClaimDocument.objects.get(claim=draft)
    stored = document.file.name.rsplit("/", 1)[-1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{32,}\.pdf", stored), stored  # secrets.token_urlsafe
    assert "passwd" not in document.file.name
    response = client.get(
        reverse("taawidaty:document", kwargs={"public_id": draft.public_id, "document_id": document.pk})
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert "<script>" not in response["Content-Disposition"]


def test_private_files_are_not_under_the_static_or_a_public_url(settings):
    assert not str(settings.MEDIA_URL).startswith("/static/")
    from django.test import Client

    assert Client().get(settings.MEDIA_URL + "taawidaty/pieces/x.pdf").status_code == 404


# ---------------------------------------------------------------- active PDFs (M4), built with pikepdf


def _saved(pdf: pikepdf.Pdf, *, object_streams: bool = True) -> bytes:
    """Object streams compress every dictionary: no name is left readable in the raw bytes."""
    buffer = io.BytesIO()
    mode = pikepdf.ObjectStreamMode.generate if object_streams else pikepdf.ObjectStreamMode.disable
    pdf.save(buffer, object_stream_mode=mode, compress_streams=object_streams)
    return buffer.getvalue()


def _blank() -> pikepdf.Pdf:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    return pdf


def escaped_javascript_pdf() -> bytes:
    # Placeholders as long as the escaped names, so that the cross-reference offsets stay right.
    pdf = _blank()
    pdf.Root.OpenAction = pikepdf.Dictionary(
        {"/S": pikepdf.Name("/Jxxxxxxxxxxx"), "/Jyyy": pikepdf.String("app.alert(1)")}
    )
    data = _saved(pdf, object_streams=False)
    data = data.replace(b"/Jxxxxxxxxxxx", b"/J#61vaScript").replace(b"/Jyyy", b"/J#53")
    assert b"/JavaScript" not in data and b"/JS" not in data
    return data


def compressed_javascript_pdf() -> bytes:
    pdf = _blank()
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    return _saved(pdf)


def _link(pdf: pikepdf.Pdf, action: pikepdf.Dictionary) -> bytes:
    annotation = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 595, 842], A=action)
    pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(annotation)]))
    return _saved(pdf)


def uri_pdf() -> bytes:
    return _link(_blank(), pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://evil.example/")))


def gotor_pdf() -> bytes:
    action = pikepdf.Dictionary(S=pikepdf.Name.GoToR, F=pikepdf.String("\\\\evil.example\\share\\x.pdf"), D=[0])
    return _link(_blank(), action)


def submit_form_pdf() -> bytes:
    pdf = _blank()
    action = pikepdf.Dictionary(
        S=pikepdf.Name.SubmitForm,
        F=pikepdf.Dictionary(FS=pikepdf.Name.URL, F=pikepdf.String("https://evil.example/collect")),
    )
    button = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Widget,
            FT=pikepdf.Name.Btn,
            T=pikepdf.String("envoyer"),
            Rect=[10, 10, 100, 40],
            A=action,
        )
    )
    pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([button]))
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([button]))
    return _saved(pdf)


def launch_pdf() -> bytes:
    pdf = _blank()
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe"))
    return _saved(pdf)


def embedded_file_pdf() -> bytes:
    """A file attached to the page (no /Type on the file's stream, no name tree): only /EF tells."""
    pdf = _blank()
    payload = pdf.make_stream(b"MZ payload")
    filespec = pikepdf.Dictionary(
        Type=pikepdf.Name.Filespec, F=pikepdf.String("facture.exe"), EF=pikepdf.Dictionary(F=payload)
    )
    annotation = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.FileAttachment, Rect=[10, 10, 30, 30], FS=filespec
    )
    pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(annotation)]))
    return _saved(pdf)


def embedded_files_name_tree_pdf() -> bytes:
    pdf = _blank()
    pdf.attachments["facture.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ payload")
    return _saved(pdf)


def xfa_pdf() -> bytes:
    pdf = _blank()
    xfa = pdf.make_stream(b'<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"></xdp:xdp>')
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array(), XFA=xfa)
    return _saved(pdf)


ACTIVE_PDFS = {
    "escaped /J#61vaScript": escaped_javascript_pdf,
    "JavaScript in a compressed object stream": compressed_javascript_pdf,
    "URI action": uri_pdf,
    "GoToR action": gotor_pdf,
    "SubmitForm action": submit_form_pdf,
    "Launch action": launch_pdf,
    "EmbeddedFile attached to a page": embedded_file_pdf,
    "EmbeddedFiles name tree": embedded_files_name_tree_pdf,
    "XFA form": xfa_pdf,
}


@pytest.mark.parametrize("kind", sorted(ACTIVE_PDFS))
def test_active_pdfs_are_refused_however_written(client, draft, kind):
    data = ACTIVE_PDFS[kind]()
    pikepdf.open(io.BytesIO(data)).close()  # a well-formed PDF: refused for what it does, not for damage
    with pytest.raises(ValidationError) as refusal:
        check_content(data)
    assert refusal.value.code == "active", kind
    field = _field_names(draft)[0]
    page = client.post(
        reverse("taawidaty:documents", kwargs={"public_id": draft.public_id}),
        {field: SimpleUploadedFile("scan.pdf", data, "application/pdf")},
    ).content.decode()
    assert "contient du contenu actif" in unescape(page), kind
    assert not ClaimDocument.objects.filter(claim=draft).exists(), kind


def test_a_plain_pdf_with_compressed_object_streams_is_accepted():
    checked = check_content(_saved(_blank()))
    assert checked.content_type == "application/pdf"


def test_a_pdf_that_does_not_parse_is_refused():
    with pytest.raises(ValidationError) as refusal:
        check_content(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R\n%%EOF")
    assert refusal.value.code == "damaged"


# ---------------------------------------------------------------- a body over the limit (L6)


@pytest.fixture
def spooled(monkeypatch):
    """Every file Django's own handlers would have started to keep (in memory or in a temporary file)."""
    started = []
    for handler in (TemporaryFileUploadHandler, MemoryFileUploadHandler):
        original = handler.new_file

        def record(self, *args, _original=original, **kwargs):
            started.append(type(self).__name__)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(handler, "new_file", record)
    return started


def test_oversize_file_is_refused_while_it_arrives_never_spooled(client, draft, settings, spooled):
    field = _field_names(draft)[0]
    big = b"%PDF-1.4\n" + b"0" * settings.UPLOAD_MAX_BYTES + b"\n%%EOF"
    response = client.post(
        reverse("taawidaty:documents", kwargs={"public_id": draft.public_id}),
        {field: SimpleUploadedFile("gros.pdf", big, "application/pdf")},
    )
    page = unescape(response.content.decode())
    assert "Le fichier dépasse 5 Mo" in page
    assert f'id="error_1_id_{field}"' in page  # next to the field
    assert spooled == []  # neither a temporary file nor Django's in-memory copy was started
    assert not ClaimDocument.objects.filter(claim=draft).exists()


def test_a_body_announced_over_the_request_limit_is_not_kept(client, draft, settings, spooled):
    settings.UPLOAD_MAX_REQUEST_BYTES = 100_000
    field = _field_names(draft)[0]
    response = client.post(
        reverse("taawidaty:documents", kwargs={"public_id": draft.public_id}),
        {field: SimpleUploadedFile("scan.png", _png() + b"\0" * 150_000, "image/png")},
    )
    assert "Mo au total et n'a pas été reçu" in unescape(response.content.decode())
    assert spooled == []
    assert not ClaimDocument.objects.filter(claim=draft).exists()


def test_the_handler_lets_go_of_an_oversize_file_at_the_limit(settings):
    settings.UPLOAD_MAX_BYTES = 1000
    handler = BoundedMemoryUploadHandler()
    handler.handle_raw_input(None, {}, 5000, b"x")
    handler.new_file("piece_1", "scan.pdf", "application/pdf", None)
    chunks = [b"a" * 600, b"b" * 600, b"c" * 600]
    for start, chunk in zip(range(0, 1800, 600), chunks, strict=True):
        assert handler.receive_data_chunk(chunk, start) is None  # never passed on to another handler
        assert handler.buffer.tell() <= 1000
    refused = handler.file_complete(1800)
    assert isinstance(refused, RefusedUpload) and refused.reason == "too_big"
    assert refused.read() == b""


def test_upload_views_parse_with_the_bounded_handler_and_keep_csrf(draft):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(draft.insured.account)
    response = client.post(
        reverse("taawidaty:documents", kwargs={"public_id": draft.public_id}),
        {_field_names(draft)[0]: SimpleUploadedFile("scan.pdf", _pdf(), "application/pdf")},
    )
    assert response.status_code == 403  # the CSRF check moved inside the view, still made


# ---------------------------------------------------------------- help texts (L4)


def test_an_agent_written_hint_is_shown_as_text_not_markup(client, draft):
    first = selectors.required_documents(mining=draft.mining)[0]
    first.hint = '<a href="https://evil.example/">Cliquez ici</a><script>alert(1)</script>'
    first.save()
    page = client.get(reverse("taawidaty:documents", kwargs={"public_id": draft.public_id})).content.decode()
    assert '<a href="https://evil.example/">' not in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;a href=&#34;https://evil.example/&#34;&gt;Cliquez ici&lt;/a&gt;" in page.replace("&quot;", "&#34;")


def test_the_projects_own_safe_help_text_stays_markup():
    from django import forms
    from django.template import engines
    from django.utils.html import format_html

    from macnss.core.forms import PortalForm

    class Form(PortalForm):
        ours = forms.CharField(help_text=format_html('<a href="{}">{}</a>', "/mentions/", "Mentions"))
        theirs = forms.CharField(help_text="<b>gras</b>")

    html = engines["jinja2"].from_string("{{ crispy(form) }}").render({"form": Form()})
    assert '<a href="/mentions/">Mentions</a>' in html
    assert "&lt;b&gt;gras&lt;/b&gt;" in html


# ---------------------------------------------------------------- images re-encoded


def test_image_metadata_and_trailing_payload_are_dropped(client, draft):
    exif = Image.Exif()
    exif[0x010F] = "TraceableCamera"  # Make
    exif[0x0131] = "secret-software"  # Software
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, "JPEG", exif=exif.tobytes(), comment=b"hidden comment")
    data = buffer.getvalue() + b"PAYLOAD-AFTER-THE-IMAGE"
    assert b"TraceableCamera" in data
    field = _field_names(draft)[0]
    client.post(
        reverse("taawidaty:documents", kwargs={"public_id": draft.public_id}),
        {field: SimpleUploadedFile("photo.jpg", data, "image/jpeg")},
    )
    document = ClaimDocument.objects.get(claim=draft)
    stored = document.file.read()
    for secret in (b"TraceableCamera", b"secret-software", b"hidden comment", b"PAYLOAD-AFTER-THE-IMAGE"):
        assert secret not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and image.size == (40, 30)
        assert not image.getexif()
    assert document.size == len(stored)


def test_png_text_chunks_are_dropped():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret-note")
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG", pnginfo=info)
    checked = check_content(buffer.getvalue())
    assert checked.content_type == "image/png"
    assert b"secret-note" not in checked.data


def test_an_image_over_the_pixel_limit_is_refused(settings):
    settings.UPLOAD_MAX_IMAGE_PIXELS = 1000
    buffer = io.BytesIO()
    Image.new("L", (100, 100), 255).save(buffer, "PNG")
    with pytest.raises(ValidationError) as refusal:
        check_content(buffer.getvalue())
    assert refusal.value.code == "too_many_pixels"


# ---------------------------------------------------------------- antivirus


def test_antivirus_down_refuses_with_a_message_and_stores_nothing(client, draft, settings):
    settings.ANTIVIRUS_BACKEND = "clamd"
    settings.CLAMD_SOCKET = "/nonexistent/clamd.sock"
    field = _field_names(draft)[0]
    page = client.post(
        reverse("taawidaty:documents", kwargs={"public_id": draft.public_id}),
        {field: SimpleUploadedFile("scan.pdf", _pdf(), "application/pdf")},
    ).content.decode()
    assert "analyse antivirus est momentanément indisponible" in unescape(page)
    assert not ClaimDocument.objects.filter(claim=draft).exists()


def eicar_pdf() -> bytes:
    """A valid PDF whose page content holds the EICAR string in a comment."""
    pdf = _blank()
    pdf.pages[0].Contents = pdf.make_stream(b"% " + EICAR + b"\n")
    buffer = io.BytesIO()
    pdf.save(buffer, compress_streams=False)
    return buffer.getvalue()


@pytest.mark.clamav
def test_real_clamd_finds_eicar_inside_a_valid_pdf(client, draft, settings):
    scanner = ClamdScanner(settings.CLAMD_SOCKET)
    if not scanner.ping():
        if os.environ.get("CLAMAV_TEST_REQUIRED"):  # make test-clamav, in .ci/run
            pytest.fail(f"no clamd answers on CLAMD_SOCKET={settings.CLAMD_SOCKET}")
        pytest.skip(
            f"no clamd answers on CLAMD_SOCKET={settings.CLAMD_SOCKET}: "
            ".ci/run starts one (scripts/clamav/start-clamd.sh) and runs this test"
        )
    settings.ANTIVIRUS_BACKEND = "clamd"
    data = eicar_pdf()
    assert check_content(data).content_type == "application/pdf"  # valid: only the antivirus can refuse it
    assert scanner.scan(_pdf()).clean
    field = _field_names(draft)[0]
    page = client.post(
        reverse("taawidaty:documents", kwargs={"public_id": draft.public_id}),
        {field: SimpleUploadedFile("scan.pdf", data, "application/pdf")},
    ).content.decode()
    assert "Ce fichier contient un virus et a été refusé" in unescape(page)
    assert not ClaimDocument.objects.filter(claim=draft).exists()


def test_a_password_protected_pdf_is_refused_as_unreadable():
    buffer = io.BytesIO()
    _blank().save(buffer, encryption=pikepdf.Encryption(user="secret", owner="secret"))
    with pytest.raises(ValidationError) as refusal:
        check_content(buffer.getvalue())
    assert refusal.value.code == "damaged"


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cut=st.integers(min_value=8, max_value=2000),
    flips=st.lists(st.tuples(st.integers(0, 2000), st.binary(min_size=1, max_size=4)), max_size=6),
)
def test_a_damaged_pdf_is_refused_with_a_message_never_a_server_error(cut, flips):
    data = bytearray(_saved(_blank())[:cut])
    for offset, junk in flips:
        data[offset : offset + len(junk)] = junk
    outcome = _outcome(bytes(data))
    assert outcome in {"application/pdf", "damaged", "type", "active", "empty"}, outcome


def _outcome(data: bytes) -> str:
    """The accepted type, or the refusal's code; any other exception fails the test."""
    try:
        return check_content(data).content_type
    except ValidationError as refusal:
        return refusal.code


def _jpeg_with_exif() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: applied, then dropped
    exif[0x010F] = "TraceableCamera"
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


@pytest.mark.filterwarnings("ignore:.*(EXIF|Tag data).*:UserWarning")  # Pillow's notes on the corrupt EXIF
@hypothesis_settings(max_examples=150, deadline=None)
@given(flips=st.lists(st.tuples(st.integers(0, 800), st.binary(min_size=1, max_size=3)), min_size=1, max_size=6))
def test_a_damaged_image_is_refused_with_a_message_never_a_server_error(flips):
    data = bytearray(_jpeg_with_exif())
    for offset, junk in flips:
        data[offset : offset + len(junk)] = junk
    outcome = _outcome(bytes(data))
    assert outcome in {"image/jpeg", "image/png", "damaged", "type", "active", "empty"}, outcome


def test_the_exif_orientation_is_applied_before_the_metadata_goes():
    with Image.open(io.BytesIO(check_content(_jpeg_with_exif()).data)) as image:
        assert image.size == (30, 40)  # turned upright, as the phone showed it
        assert not image.getexif()
