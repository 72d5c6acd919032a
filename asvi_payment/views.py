"""The public ASVI payment journey (seed 003) and the merchant endpoints CMI calls."""

import logging
import uuid

from django.conf import settings
from django.contrib import messages
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
from macnss.core.views import CaptchaRefreshMixin, too_many_attempts

from . import cmi, selectors, services
from .forms import AsviLookupForm, ConfirmOrderForm, DuesForm, ReceiptCheckForm
from .models import AsviDue, DueStatus, PaymentOrder

logger = logging.getLogger(__name__)

SESSION_KEY = "asvi_payment"


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
        if too_many_attempts(self.request, "asvi_lookup", "20/h"):
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
        # The number too: the dues page shows it without reading the person again.
        self.request.session[SESSION_KEY] = {"insured": person.pk, "number": person.immatriculation_number}
        return redirect("asvi_payment:dues")


def _journey_person(request) -> InsuredPerson | None:
    state = request.session.get(SESSION_KEY) or {}
    if not state.get("insured"):
        return None
    return InsuredPerson.objects.filter(pk=state["insured"]).first()


def _save_state(request, **changes):
    state = dict(request.session.get(SESSION_KEY) or {})
    state.update(changes)
    request.session[SESSION_KEY] = state


@never_cache
def dues(request):
    """The dues page: unpaid quarters with a box each, card type, server-computed total."""
    state = request.session.get(SESSION_KEY) or {}
    if state.get("insured") and not state.get("number"):  # a journey started before the number was kept
        person = _journey_person(request)
        if person is not None:
            _save_state(request, number=person.immatriculation_number)
            state = request.session[SESSION_KEY]
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
            _save_state(
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
            "form": form,
            "due_count": len(due_list),
            "pending_count": pending_count,
            "total": sum((d.amount for d in selected), 0),
        },
    )


def _selection(request, person):
    state = request.session.get(SESSION_KEY) or {}
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
    order = selectors.order_for_token(token)
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
    order = selectors.order_for_token(token)
    if order is None:
        raise Http404
    if order.is_paid:
        return _see_other(reverse("asvi_payment:receipt", kwargs={"token": token}))
    decline = selectors.last_decline(order)
    return render(request, "asvi_payment/result.html", {"order": order, "decline": decline, "token": token})


@never_cache
def receipt(request, token):
    order = selectors.order_for_token(token)
    if order is None or not order.is_paid:
        raise Http404
    context = services.receipt_context(selectors.order_with_lines(order.pk))
    return render(request, "asvi_payment/receipt.html", {**context, "token": token})


def receipt_pdf(request, token):
    """The PDF the worker built after the payment; never built in the request (the receipt page says
    «en cours de préparation» until it exists)."""
    order = selectors.order_for_token(token)
    if order is None or not order.is_paid:
        raise Http404
    if not order.receipt_pdf:
        return redirect("asvi_payment:receipt", token=token)
    return attachment_response(
        order.receipt_pdf, filename=f"recu-{order.receipt_number}.pdf", content_type="application/pdf"
    )


class VerifyReceiptView(FormView):
    """Public authenticity check of a payment receipt: reference + date → valid or not, initials only."""

    template_name = "asvi_payment/verify_receipt.html"
    form_class = ReceiptCheckForm

    def get_initial(self):
        return {"reference": self.request.GET.get("reference", ""), "paid_on": self.request.GET.get("date", "")}

    def form_valid(self, form):
        if too_many_attempts(self.request, "asvi_receipt_check", "30/h"):
            form.add_error(None, _("Trop de vérifications depuis votre connexion. Réessayez dans une heure."))
            return self.form_invalid(form)
        order = selectors.paid_order_by_receipt(
            reference=form.cleaned_data["reference"], day=form.cleaned_data["paid_on"]
        )
        initials = f"{order.insured.last_name[:1]}. {order.insured.first_name[:1]}." if order else ""
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
