"""The public ASVI payment journey (seed 003) and the merchant endpoints CMI calls."""

import logging
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.generic import FormView

from accounts.models import InsuredPerson
from macnss.core.client_ip import client_ip_or_none
from macnss.core.downloads import attachment_response
from macnss.core.journey_state import JourneyState
from macnss.core.throttle import limit_exceeded
from macnss.core.views import CaptchaRefreshMixin

from . import cmi, selectors, services
from .forms import AsviLookupForm, ConfirmOrderForm, DuesForm, ReceiptCheckForm
from .models import AsviDue, DueStatus, OrderChannel, PaymentOrder

logger = logging.getLogger(__name__)

SESSION_KEY = "asvi_payment"
JOURNEY = JourneyState(SESSION_KEY)


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def start(request):
    """«Paiement en ligne»: the three choices of the guide."""
    return render(request, "asvi_payment/start.html")


class LookupView(CaptchaRefreshMixin, FormView):
    """«Assuré ASVI»: number and control code; unknown and non-ASVI numbers get the same answer."""

    template_name = "asvi_payment/lookup.html"
    form_class = AsviLookupForm

    def form_valid(self, form):
        # Fail closed (macnss.core.throttle): a number looked up shows dues, the limit must hold with Redis down.
        if limit_exceeded(self.request, "asvi_lookup", "20/h"):
            form.add_error(None, _("Trop de recherches depuis votre connexion. Réessayez dans une heure."))
            return self.form_invalid(form)
        person = selectors.find_asvi_member(form.cleaned_data["number"])
        if person is None:
            form.add_error(
                "number",
                _(
                    "Aucune cotisation d'assurance volontaire n'est à payer en ligne pour ce numéro. "
                    "Vérifiez le numéro ou contactez le service client."
                ),
            )
            return self.form_invalid(form)
        self.request.session.cycle_key()
        JOURNEY.set(self.request, _new_state(person, OrderChannel.PUBLIC))
        return redirect("asvi_payment:dues")


@login_required
def member_start(request):
    """«Payer mes cotisations ASVI» in the private space: the logged-in member, no captcha, same pages."""
    person = request.user.insured
    if person is None or not person.is_asvi_member:
        raise Http404
    JOURNEY.set(request, _new_state(person, OrderChannel.PRIVATE))
    return redirect("asvi_payment:dues")


def _new_state(person, channel: str) -> dict:
    # The number and the initials too: the dues page shows them without reading the person again.
    return {
        "insured": person.pk,
        "number": person.immatriculation_number,
        "initials": selectors.initials(person),
        "channel": channel,
    }


def _state(request) -> dict:
    """The journey state; a private-space journey holds only while its member is logged in."""
    state = JOURNEY.get(request)
    if state.get("channel") == OrderChannel.PRIVATE and not (
        request.user.is_authenticated and request.user.insured_id == state.get("insured")
    ):
        JOURNEY.clear(request)
        return {}
    return state


def _journey_person(request) -> InsuredPerson | None:
    state = _state(request)
    if not state.get("insured"):
        return None
    return InsuredPerson.objects.filter(pk=state["insured"]).first()


@never_cache
def dues(request):
    """The dues page: unpaid quarters with a box each, card type, server-computed total."""
    state = _state(request)
    if state.get("insured") and not (state.get("number") and state.get("initials")):  # an older journey
        person = _journey_person(request)
        if person is not None:
            state = JOURNEY.update(request, number=person.immatriculation_number, initials=selectors.initials(person))
    if not state.get("insured") or not state.get("number"):
        return redirect("asvi_payment:lookup")
    person_id = state["insured"]
    due_list, pending_count = selectors.dues_page(person_id)
    if request.method == "POST":
        form = DuesForm(request.POST, dues=due_list)
        if "recalculate" in request.POST:
            form = DuesForm(
                initial={
                    "dues": request.POST.getlist("dues"),
                    "card_type": request.POST.get("card_type") or "LOC",
                    "accept_terms": bool(request.POST.get("accept_terms")),
                },
                dues=due_list,
            )
        elif form.is_valid():
            JOURNEY.update(
                request,
                selection=[int(pk) for pk in form.cleaned_data["dues"]],
                card_type=form.cleaned_data["card_type"],
                token=uuid.uuid4().hex,
            )
            return redirect("asvi_payment:transaction")
    else:
        chosen = state.get("selection") or [d.pk for d in due_list]
        form = DuesForm(
            initial={"dues": [str(pk) for pk in chosen], "card_type": state.get("card_type", "LOC")}, dues=due_list
        )
    selected = form.selected_dues()
    return render(
        request,
        "asvi_payment/dues.html",
        {
            "immatriculation_number": state["number"],
            "initials": state["initials"],
            "private_space": state.get("channel") == OrderChannel.PRIVATE,
            "form": form,
            "due_count": len(due_list),
            "pending_count": pending_count,
            "total": sum((d.amount for d in selected), 0),
        },
    )


def _selection(request, person):
    state = _state(request)
    ids = state.get("selection") or []
    chosen = list(
        AsviDue.objects.filter(insured=person, pk__in=ids, status=DueStatus.UNPAID).order_by("year", "quarter")
    )
    return state, chosen if ids and len(chosen) == len(ids) else None


@never_cache
def transaction_page(request):
    """«Transaction»: the lines with the processing fee, then «Valider le paiement»."""
    person = _journey_person(request)
    if person is None:
        return redirect("asvi_payment:lookup")
    state, chosen = _selection(request, person)
    if not chosen or not state.get("token"):
        messages.warning(request, _("Votre sélection a changé : choisissez à nouveau les trimestres à payer."))
        return redirect("asvi_payment:dues")
    if request.method == "POST":
        form = ConfirmOrderForm(request.POST)
        if not form.is_valid() or form.cleaned_data["token"] != state["token"]:
            messages.warning(request, _("Cette page a expiré : vérifiez le détail puis validez à nouveau."))
            return redirect("asvi_payment:transaction")
        try:
            order = services.create_payment_order(
                person=person,
                due_ids=[d.pk for d in chosen],
                card_type=state.get("card_type", "LOC"),
                idempotency_key=state["token"],
                language=get_language(),
                channel=state.get("channel", OrderChannel.PUBLIC),
            )
        except services.DuesChanged:
            messages.warning(request, _("Votre sélection a changé : choisissez à nouveau les trimestres à payer."))
            return redirect("asvi_payment:dues")
        return _see_other(reverse("asvi_payment:redirect_to_gateway", kwargs={"token": selectors.order_token(order)}))
    quarters_total = sum((d.amount for d in chosen), 0)
    fee = selectors.processing_fee(quarters_total)
    return render(
        request,
        "asvi_payment/transaction.html",
        {
            "person": person,
            "initials": selectors.initials(person),
            "private_space": state.get("channel") == OrderChannel.PRIVATE,
            "dues": chosen,
            "fee": fee,
            "fee_year": chosen[-1].year,
            "total": quarters_total + fee,
            "card_type": state.get("card_type", "LOC"),
            "form": ConfirmOrderForm(initial={"token": state["token"]}),
        },
    )


@never_cache
def redirect_to_gateway(request, token):
    """The auto-submitted form to the CMI gateway (external JS, and a visible button without JS)."""
    order = _order_or_404(request, token)
    if isinstance(order, HttpResponse):
        return order
    person = _journey_person(request)
    if order is None or person is None or order.insured_id != person.pk:
        raise Http404
    if order.is_paid:
        return redirect("asvi_payment:receipt", token=token)
    if order.status != "pending":
        messages.warning(request, _("Cette tentative de paiement n'est plus valable. Recommencez le paiement."))
        return redirect("asvi_payment:dues")
    gateway_url, fields = services.gateway_request(order, absolute=request.build_absolute_uri)
    return render(request, "asvi_payment/redirect.html", {"order": order, "gateway_url": gateway_url, "fields": fields})


@never_cache
def result(request, token):
    """What the callback stored: receipt if paid, the refusal, or «paiement en cours de confirmation»."""
    order = _order_or_404(request, token)
    if isinstance(order, HttpResponse):
        return order
    if order.is_paid:
        return _see_other(reverse("asvi_payment:receipt", kwargs={"token": token}))
    decline = selectors.last_decline(order)
    return render(request, "asvi_payment/result.html", {"order": order, "decline": decline, "token": token})


def _order_or_404(request, token):
    """The order of a link, or the «lien expiré» page (410) for a link past 30 days (audit L7)."""
    try:
        order = selectors.order_for_token(token, user=request.user)
    except selectors.LinkExpired:
        return render(request, "asvi_payment/link_expired.html", status=410)
    if order is None:
        raise Http404
    return order


@never_cache
def receipt(request, token):
    order = _order_or_404(request, token)
    if isinstance(order, HttpResponse):
        return order
    if not order.is_paid:
        raise Http404
    context = services.receipt_context(selectors.order_with_lines(order.pk))
    return render(request, "asvi_payment/receipt.html", {**context, "token": token})


def receipt_pdf(request, token):
    """The PDF the worker built after the payment; never built in the request (the receipt page says
    «en cours de préparation» until it exists)."""
    order = _order_or_404(request, token)
    if isinstance(order, HttpResponse):
        return order
    if not order.is_paid:
        raise Http404
    if not order.receipt_pdf:
        return redirect("asvi_payment:receipt", token=token)
    return attachment_response(
        order.receipt_pdf, filename=f"recu-{order.receipt_number}.pdf", content_type="application/pdf"
    )


class VerifyReceiptView(FormView):
    """Public authenticity check of a payment receipt: reference + date → the type, the date, the amount and
    the initials, nothing more."""

    template_name = "asvi_payment/verify_receipt.html"
    form_class = ReceiptCheckForm

    def get_initial(self):
        return {"reference": self.request.GET.get("reference", ""), "paid_on": self.request.GET.get("date", "")}

    def form_valid(self, form):
        if limit_exceeded(self.request, "asvi_receipt_check", "30/h"):  # fails closed (audit M5)
            form.add_error(None, _("Trop de vérifications depuis votre connexion. Réessayez dans une heure."))
            return self.form_invalid(form)
        order = selectors.paid_order_by_receipt(
            reference=form.cleaned_data["reference"], day=form.cleaned_data["paid_on"]
        )
        initials = selectors.initials(order.insured) if order else ""
        return self.render_to_response(self.get_context_data(form=form, checked=True, order=order, initials=initials))


# --- Endpoints CMI calls (no language prefix) ------------------------------------------------------


@csrf_exempt
@require_POST
def callback(request):
    """Server-to-server confirmation: the only thing that marks quarters paid."""
    fields = {k: v for k, v in request.POST.items()}
    outcome = services.handle_callback(fields=fields, remote_addr=client_ip_or_none(request))
    return HttpResponse(outcome.reply, content_type="text/plain; charset=utf-8")


@csrf_exempt
@require_POST
def browser_return(request):
    """okUrl / failUrl: check the HASH, then show what the callback stored (never decide here)."""
    fields = {k: v for k, v in request.POST.items()}
    if not cmi.verify(fields, settings.CMI_STORE_KEY):
        logger.warning("CMI browser return with a bad HASH (oid=%r)", fields.get("oid"))
        return HttpResponseBadRequest(_("Réponse de la passerelle de paiement non valide."), content_type="text/plain")
    order = PaymentOrder.objects.filter(oid=fields.get("oid", "")).first()
    if order is None:
        raise Http404
    with translation.override(order.language):
        url = reverse("asvi_payment:result", kwargs={"token": selectors.order_token(order)})
    return _see_other(url)
