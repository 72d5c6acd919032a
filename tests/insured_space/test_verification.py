"""The public page «Vérification de l'authenticité des attestations» and the published keys."""

import io
from html import unescape

import pytest
from django.urls import reverse
from PIL import Image

from insured_space import services
from insured_space.models import AttestationKind
from macnss.core import document_signing

pytestmark = pytest.mark.django_db

URL = "/verifier/"


@pytest.fixture
def salary_attestation(employee):
    return services.issue_attestation(person=employee, kind=AttestationKind.SALARY, year=2025)


def _post(client, **data):
    return client.post(URL, data)


def _text(response) -> str:
    return unescape(response.content.decode())


def test_the_page_is_public_in_french_and_arabic(client):
    assert "Vérification de l'authenticité des attestations" in _text(client.get(URL))
    assert "التحقق من صحة الشواهد" in _text(client.get("/ar/verifier/"))


def test_a_reference_typed_is_authentic_with_type_date_amount_and_initials(client, salary_attestation):
    html = _text(_post(client, reference=salary_attestation.reference.lower()))
    assert "Document authentique" in html
    assert "Attestation de déclaration de salaire" in html
    assert salary_attestation.issued_on.strftime("%d/%m/%Y") in html
    assert "50406.00" in html
    assert "A. S." in html


def test_an_unknown_reference_is_not_authentic(client, salary_attestation):
    html = _text(_post(client, reference="AS-22222-22222"))
    assert "Document non authentique" in html
    assert "50406.00" not in html


def test_a_pasted_code_or_the_whole_url_is_checked(client, salary_attestation):
    for pasted in (salary_attestation.token, document_signing.verification_url(salary_attestation.token)):
        html = _text(_post(client, code=pasted))
        assert "Document authentique" in html and salary_attestation.reference in html


def test_a_tampered_code_is_not_authentic(client, salary_attestation):
    version, key_id, payload, signature = salary_attestation.token.split(".")
    forged = f"{version}.{key_id}.{payload[:-2]}AA.{signature}"
    assert "Document non authentique" in _text(_post(client, code=forged))


def test_a_valid_signature_on_figures_that_differ_from_the_records_is_not_authentic(client, salary_attestation):
    """Signed by us but not what we issued under that reference (e.g. a document withdrawn and reissued)."""
    token = document_signing.sign(
        reference=salary_attestation.reference,
        kind=salary_attestation.kind,
        issued_on=salary_attestation.issued_on,
        initials="A. S.",
        digest="0" * 64,
    )
    assert "Document non authentique" in _text(_post(client, code=token))


def _qr_photo(text: str, fmt="PNG") -> io.BytesIO:
    import zxingcpp

    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    pixels = memoryview(barcode.to_image(scale=6))
    height, width = pixels.shape
    picture = Image.new("L", (width + 120, height + 120), 255)
    picture.paste(Image.frombytes("L", (width, height), pixels.tobytes()), (60, 60))
    buffer = io.BytesIO()
    picture.convert("RGB").save(buffer, fmt)
    buffer.seek(0)
    buffer.name = f"photo.{fmt.lower()}"
    return buffer


def test_a_photo_of_the_qr_code_is_decoded_and_checked(client, salary_attestation):
    photo = _qr_photo(document_signing.verification_url(salary_attestation.token), "JPEG")
    html = _text(client.post(URL, {"photo": photo}))
    assert "Document authentique" in html and salary_attestation.reference in html


def test_a_photo_without_a_qr_code_says_so_next_to_the_field(client):
    buffer = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "blank.png"
    html = _text(client.post(URL, {"photo": buffer, "reference": ""}))
    assert html.count("Aucun code QR lisible sur cette photo.") == 2  # summary + field


def test_a_file_that_is_not_an_image_is_refused(client):
    fake = io.BytesIO(b"%PDF-1.4 not an image")
    fake.name = "x.png"
    assert "Ce fichier n'est pas une image JPEG ou PNG." in _text(client.post(URL, {"photo": fake}))


def test_an_image_claiming_huge_dimensions_is_refused_before_decoding(client, settings):
    buffer = io.BytesIO()
    Image.new("1", (8000, 6000), 1).save(buffer, "PNG")  # 48 Mpx, a few kilobytes
    buffer.seek(0)
    buffer.name = "huge.png"
    assert "Cette image est trop grande." in _text(client.post(URL, {"photo": buffer}))


def test_nothing_given_is_one_message_at_the_top(client):
    html = _text(_post(client))
    assert "Saisissez la référence, collez le code de vérification ou déposez une photo du code QR." in html


def test_published_keys_list_every_key_with_its_dates(client, settings):
    retired_value, retired_public = document_signing.new_key("2024-old")
    settings.DOCUMENT_SIGNING_RETIRED_KEYS = [
        {"key_id": "2024-old", "public_key": retired_public, "valid_from": "2024-01-01", "valid_to": "2024-12-31"}
    ]
    document_signing.reset_caches()
    try:
        response = client.get(reverse("document_signing_keys"))
    finally:
        document_signing.reset_caches()
    assert response["Content-Type"] == "application/json"
    keys = response.json()["keys"]
    assert [k["kid"] for k in keys] == ["dev-insecure", "2024-old"]
    assert keys[1] == {
        "kid": "2024-old",
        "kty": "OKP",
        "crv": "Ed25519",
        "alg": "EdDSA",
        "x": retired_public,
        "valid_from": "2024-01-01",
        "valid_to": "2024-12-31",
    }
    assert "private" not in response.content.decode() and "d" not in keys[0]


def test_a_check_costs_one_query(client, salary_attestation, django_assert_num_queries):
    with django_assert_num_queries(1):  # the attestation and its holder's initials, by the unique reference
        assert "Document authentique" in _text(_post(client, reference=salary_attestation.reference))
    with django_assert_num_queries(1):
        assert "Document authentique" in _text(_post(client, code=salary_attestation.token))
