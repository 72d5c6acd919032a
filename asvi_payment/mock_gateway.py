"""The mock CMI gateway: the hosted payment page of seed 003, speaking the real protocol (CMI.md §9).

Enabled only when MOCK_CMI_ENABLED (production refuses it). It checks the merchant's HASH, takes the public
CMI test cards plus two mock-only declining cards, posts the signed server-to-server callback, records the
merchant's reply verbatim, then sends the browser back to okUrl/failUrl with an auto-submitted POST.
"""

import logging
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from . import cmi
from .forms import Mock3dsForm, MockCardForm
from .models import MockCmiPayment

logger = logging.getLogger(__name__)

REQUIRED_FIELDS = ("clientid", "amount", "currency", "oid", "okUrl", "failUrl", "callbackUrl", "rnd", "HASH")
THREE_DS_CODE = "123"


@dataclass(frozen=True)
class SandboxCard:
    number: str
    brand: str
    description: str
    return_code: str = "00"
    md_status: str = "1"
    three_d_secure: bool = False
    mock_only: bool = False


# CMI.md §6 (public test cards) and §9 (mock-only declines).
TEST_CARDS = {
    card.number: card
    for card in (
        SandboxCard("4000000000000010", "VISA", _("Visa « non authentifiable » : paiement accepté"), md_status="4"),
        SandboxCard(
            "5453010000066100", "MASTERCARD", _("MasterCard « non participante » : paiement accepté"), md_status="2"
        ),
        SandboxCard(
            "5191630100004896",
            "MASTERCARD",
            _("MasterCard 3-D Secure : étape d'authentification, code 123, puis paiement accepté"),
            three_d_secure=True,
        ),
        SandboxCard(
            "4000000000000002",
            "VISA",
            _("Paiement refusé (code 05), propre à cette passerelle de test"),
            "05",
            mock_only=True,
        ),
        SandboxCard(
            "4000000000009995",
            "VISA",
            _("Provision insuffisante (code 51), propre à cette passerelle de test"),
            "51",
            mock_only=True,
        ),
    )
}
DECLINE_MESSAGES = {"05": "Refusee", "51": "Provision insuffisante", "99": "Authentification 3-D Secure echouee"}


# --- How the mock reaches the merchant's callbackUrl ---------------------------------------------


@dataclass(frozen=True)
class CallbackDelivery:
    status: int | None
    body: str
    error: str = ""


class HttpCallbackTransport:
    """A real form POST, as CMI does it (default)."""

    timeout = 15

    def post(self, url: str, fields: dict[str, str]) -> CallbackDelivery:
        data = urlencode(fields).encode("utf-8")
        req = urllib.request.Request(  # noqa: S310 - the URL is checked to be this very site (see _same_host)
            url, data=data, headers={"Content-Type": "application/x-www-form-urlencoded"}, method="POST"
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as response:  # noqa: S310
                return CallbackDelivery(response.status, response.read(2000).decode("utf-8", "replace"))
        except urllib.error.HTTPError as exc:
            return CallbackDelivery(exc.code, exc.read(2000).decode("utf-8", "replace"), f"HTTP {exc.code}")
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            return CallbackDelivery(None, "", str(exc)[:250])


def get_transport():
    path = getattr(settings, "ASVI_MOCK_CALLBACK_TRANSPORT", "asvi_payment.mock_gateway.HttpCallbackTransport")
    return import_string(path)()


# --- Views --------------------------------------------------------------------------------------


def _enabled():
    if not settings.MOCK_CMI_ENABLED:
        raise Http404


def _same_host(url: str, request) -> bool:
    """The mock only calls back the site it is served from (no SSRF through a forged callbackUrl)."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and parts.netloc == request.get_host()


def _language(fields) -> str:
    lang = fields.get("lang", "fr")
    return lang if lang in ("fr", "ar") else "fr"


def _items(fields) -> list[dict]:
    items = []
    n = 1
    while f"itemCode{n}" in fields:
        items.append(
            {
                "code": fields[f"itemCode{n}"],
                "id": fields.get(f"itemId{n}", ""),
                "description": fields.get(f"itemDescription{n}", ""),
                "amount": fields.get(f"itemAmount{n}", ""),
            }
        )
        n += 1
    return items


def _mask_email(email: str) -> str:
    if "@" not in email:
        return ""
    local, domain = email.split("@", 1)
    return f"{local[:1]}***@{domain}"


def _page_context(payment: MockCmiPayment, **extra) -> dict:
    fields = payment.request_fields
    return {
        "payment": payment,
        "fields": fields,
        "items": _items(fields),
        "now": timezone.localtime(),
        "masked_email": _mask_email(fields.get("email", "")),
        "masked_tel": f"{fields.get('tel', '')[:4]}****{fields.get('tel', '')[-2:]}" if fields.get("tel") else "",
        "test_cards": TEST_CARDS.values(),
        **extra,
    }


@csrf_exempt
@never_cache
def gate(request):
    """POST /mock-cmi/fim/est3Dgate: the merchant's auto-submitted form arrives here."""
    _enabled()
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    fields = {k: v for k, v in request.POST.items()}
    problems = [name for name in REQUIRED_FIELDS if not fields.get(name)]
    if fields.get("storetype") not in ("3D_PAY_HOSTING", "3DPAYHOSTING"):
        problems.append("storetype")
    if fields.get("hashAlgorithm") != "ver3":
        problems.append("hashAlgorithm")
    if fields.get("clientid") and fields.get("clientid") != settings.CMI_CLIENT_ID:
        problems.append("clientid")
    hash_ok = not problems and cmi.verify(fields, settings.CMI_STORE_KEY)
    with translation.override(_language(fields)):
        if problems or not hash_ok:
            logger.warning("Mock CMI: request refused (%s)", problems or "bad HASH")
            return render(
                request,
                "asvi_payment/mock_cmi/error.html",
                {"problems": problems, "bad_hash": not problems and not hash_ok},
                status=400,
            )
    payment = MockCmiPayment.objects.create(token=secrets.token_urlsafe(24), request_fields=fields)
    return redirect("cmi:mock_card", token=payment.token, permanent=False)


@never_cache
def card_page(request, token):
    _enabled()
    payment = get_object_or_404(MockCmiPayment, token=token)
    with translation.override(_language(payment.request_fields)):
        if payment.result:
            return _return_page(request, payment)
        form = MockCardForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            number = form.cleaned_data["card_number"]
            card = TEST_CARDS.get(number)
            if card is None:
                form.add_error(
                    "card_number",
                    _("Cette passerelle de test n'accepte que les cartes de test listées sur cette page."),
                )
            else:
                payment.card_number = number
                payment.save(update_fields=["card_number"])
                if card.three_d_secure:
                    return redirect("cmi:mock_3ds", token=payment.token)
                return _complete(request, payment, card, holder=form.cleaned_data["holder"])
        return render(request, "asvi_payment/mock_cmi/card.html", _page_context(payment, form=form))


@never_cache
def three_ds_page(request, token):
    _enabled()
    payment = get_object_or_404(MockCmiPayment, token=token)
    card = TEST_CARDS.get(payment.card_number)
    if card is None or not card.three_d_secure:
        raise Http404
    with translation.override(_language(payment.request_fields)):
        if payment.result:
            return _return_page(request, payment)
        form = Mock3dsForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if form.cleaned_data["code"].strip() == THREE_DS_CODE:
                return _complete(request, payment, card, holder="")
            form.add_error("code", _("Code d'authentification incorrect. Pour la carte de test, le code est 123."))
        return render(request, "asvi_payment/mock_cmi/three_ds.html", _page_context(payment, form=form))


@never_cache
def cancel(request, token):
    """«Annuler»: back to the merchant's shopurl, nothing is charged and no callback is sent."""
    _enabled()
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    payment = get_object_or_404(MockCmiPayment, token=token)
    if not payment.result:
        payment.result = "cancelled"
        payment.save(update_fields=["result"])
    shop_url = payment.request_fields.get("shopurl", "")
    if not _same_host(shop_url, request):
        shop_url = "/"
    return redirect(shop_url)


def _complete(request, payment: MockCmiPayment, card: SandboxCard, *, holder: str):
    approved = card.return_code == "00"
    now = timezone.localtime()
    result = {k: v for k, v in payment.request_fields.items() if k.lower() != "hash"}
    result.update(
        {
            "ProcReturnCode": card.return_code,
            "Response": "Approved" if approved else "Declined",
            "AuthCode": f"{secrets.randbelow(10**6):06d}" if approved else "",
            "TransId": f"{now:%y%j}{secrets.token_hex(4).upper()}",
            "HostRefNum": f"{secrets.randbelow(10**12):012d}",
            "acqStan": f"{secrets.randbelow(10**6):06d}",
            "ErrMsg": "" if approved else DECLINE_MESSAGES.get(card.return_code, "Refusee"),
            "mdStatus": card.md_status,
            "maskedCreditCard": f"{card.number[:6]}******{card.number[-4:]}",
            "EXTRA.TRXDATE": f"{now:%Y%m%d %H:%M:%S}",
            "EXTRA.CARDBRAND": card.brand,
        }
    )
    if holder:
        result["cardHolderName"] = cmi.bill_to_name(holder)
    signed = cmi.sign({k: str(v).strip() for k, v in result.items()}, settings.CMI_STORE_KEY)
    payment.result = "approved" if approved else f"declined-{card.return_code}"
    payment.result_fields = signed
    # Committed before the callback: the merchant may look at nothing of ours, but the record must survive.
    payment.save(update_fields=["result", "result_fields"])
    callback_url = payment.request_fields.get("callbackUrl", "")
    if _same_host(callback_url, request):
        delivery = get_transport().post(callback_url, signed)
    else:
        delivery = CallbackDelivery(None, "", "callbackUrl refusée : autre hôte que la passerelle de test")
    payment.callback_status = delivery.status
    payment.callback_reply = delivery.body
    payment.callback_error = delivery.error
    payment.save(update_fields=["callback_status", "callback_reply", "callback_error"])
    return _return_page(request, payment)


def _return_page(request, payment: MockCmiPayment):
    fields = payment.result_fields or {}
    approved = payment.result == "approved"
    target = payment.request_fields.get("okUrl" if approved else "failUrl", "")
    return render(
        request,
        "asvi_payment/mock_cmi/return.html",
        _page_context(payment, approved=approved, target=target, result_fields=fields),
    )
