"""Reading the QR code on a photo a visitor uploads: parsed by Pillow within limits, never stored."""

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "too_big": _("La photo dépasse 5 Mo. Prenez-la en résolution plus faible et déposez-la à nouveau."),
    "type": _("Ce fichier n'est pas une image JPEG ou PNG. Déposez une photo du code QR."),
    "too_large": _("Cette image est trop grande. Déposez une photo de 40 mégapixels au plus."),
    "no_code": _("Aucun code QR lisible sur cette photo. Cadrez le code QR seul, bien net, et réessayez."),
}


class QrPhotoError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code
        self.message = MESSAGES[code]


def read_qr_code(uploaded, *, max_bytes: int, max_pixels: int) -> str:
    """The text of the first QR code on the photo. The size is checked before reading, the dimensions
    before decoding the pixels (a small file can claim a huge image), and the picture is scaled down to
    2,000 pixels at most before zxing-cpp looks at it."""
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    if uploaded.size > max_bytes:
        raise QrPhotoError("too_big")
    uploaded.seek(0)
    try:
        with Image.open(uploaded, formats=("JPEG", "PNG")) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise QrPhotoError("too_large")
            image.draft("L", (2000, 2000))  # JPEG: decode at a reduced scale, much faster
            picture = image.convert("L")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise QrPhotoError("type") from exc
    picture.thumbnail((2000, 2000))
    results = zxingcpp.read_barcodes(picture, formats=zxingcpp.BarcodeFormat.QRCode)
    for result in results:
        if result.text:
            return result.text.strip()[:2000]
    raise QrPhotoError("no_code")
