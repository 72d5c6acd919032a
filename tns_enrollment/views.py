"""Seed 001: «je suis un travailleur non salarié» — identity, then one of four outcomes."""

from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import FormView

from accounts.views import OtpStepView
from macnss.core.client_ip import client_ip_or_none
from macnss.core.validators import mask_phone
from macnss.core.views import CaptchaRefreshMixin, too_many_attempts

from . import selectors, services
from .forms import CategoryForm, CodeForm, PersonalInformationForm
from .models import NonEligibilityReason, Outcome

SESSION_KEY = "tns_enrollment"
IP_RATE = "20/h"
MAX_ATTEMPTS_PER_DOCUMENT = 5

OUTCOME_URLS = {
    Outcome.HAS_ACCOUNT: "tns_enrollment:has_account",
    Outcome.NO_ACCOUNT: "tns_enrollment:code",
    Outcome.NOT_REGISTERED: "tns_enrollment:not_registered",
    Outcome.NOT_ELIGIBLE: "tns_enrollment:not_eligible",
}


def _client_ip(request) -> str | None:
    return client_ip_or_none(request)


@method_decorator(never_cache, name="dispatch")
class PersonalInformationView(CaptchaRefreshMixin, FormView):
    template_name = "tns_enrollment/start.html"
    form_class = PersonalInformationForm

    def form_valid(self, form):
        if too_many_attempts(self.request, "tns_enrollment", IP_RATE):
            form.add_error(None, _("Trop de tentatives depuis votre connexion. Réessayez dans une heure."))
            return self.form_invalid(form)
        data = form.cleaned_data
        typed = {
            "document_type": data["id_document_type"],
            "document_number": data["id_document_number"],
            "expiry": data["id_document_expiry"],
            "birth_date": data["birth_date"],
            "phone": data["phone"],
            "operator": data["phone_operator"],
            "email": data["email"],
            "ip_address": _client_ip(self.request),
            "language": get_language() or "fr",
        }
        if selectors.recent_attempts_for_document(data["id_document_number"]) >= MAX_ATTEMPTS_PER_DOCUMENT:
            services.record_blocked_attempt(**typed)
            form.add_error(
                None,
                _(
                    "Trop de tentatives pour cette pièce d'identité. Réessayez dans une heure, ou présentez-vous "
                    "dans une agence CNSS avec votre pièce d'identité."
                ),
            )
            return self.form_invalid(form)
        started = services.start_onboarding(**typed)
        if started.sms_limit_reached:
            form.add_error("phone", _("Trop de codes ont été envoyés à ce numéro. Réessayez dans une heure."))
            return self.form_invalid(form)
        self.request.session.cycle_key()
        self.request.session[SESSION_KEY] = {
            "attempt": started.attempt.pk,
            "outcome": started.attempt.outcome,
            "otp": started.otp_id,
        }
        return redirect(OUTCOME_URLS[started.attempt.outcome])


def _attempt_for(request, outcome: str):
    state = request.session.get(SESSION_KEY) or {}
    if state.get("outcome") != outcome:
        return None
    return selectors.attempt_for_session(state)


@method_decorator(never_cache, name="dispatch")
class CodeView(OtpStepView):
    """Outcome b: «le code OTP reçu par sms» and the on-screen verification code, «Valider»."""

    template_name = "tns_enrollment/code.html"
    form_class = CodeForm
    purpose = services.OTP_PURPOSE
    session_key = SESSION_KEY
    start_url_name = "tns_enrollment:start"
    with_captcha = True

    def dispatch(self, request, *args, **kwargs):
        state = self.journey_state()
        if state.get("outcome") != Outcome.NO_ACCOUNT:
            return redirect(self.start_url_name)
        if state.get("done"):
            return redirect("tns_enrollment:account_created")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        attempt = selectors.attempt_for_session(self.journey_state())
        ctx["masked_phone"] = mask_phone(attempt.phone) if attempt else ""
        return ctx

    def code_confirmed(self, form):
        state = self.journey_state()
        try:
            services.complete_onboarding(attempt_id=state["attempt"])
        except (services.RegistrationConflict, services.NotEligible):
            state["outcome"] = Outcome.NOT_REGISTERED
            self.save_state(state)
            return redirect("tns_enrollment:not_registered")
        state["done"] = True
        state.pop("otp", None)
        self.save_state(state)
        return redirect("tns_enrollment:account_created")


@never_cache
def account_created(request):
    state = request.session.get(SESSION_KEY) or {}
    attempt = _attempt_for(request, Outcome.NO_ACCOUNT)
    if attempt is None or not state.get("done") or attempt.insured is None:
        return redirect("tns_enrollment:start")
    return render(
        request,
        "tns_enrollment/account_created.html",
        {"person": attempt.insured, "masked_phone": mask_phone(attempt.insured.phone)},
    )


@never_cache
def has_account(request):
    attempt = _attempt_for(request, Outcome.HAS_ACCOUNT)
    if attempt is None or attempt.insured is None:
        return redirect("tns_enrollment:start")
    return render(request, "tns_enrollment/has_account.html", {"person": attempt.insured})


@never_cache
def not_registered(request):
    attempt = _attempt_for(request, Outcome.NOT_REGISTERED)
    if attempt is None:
        return redirect("tns_enrollment:start")
    categories = selectors.open_categories()
    if request.method == "POST":
        form = CategoryForm(request.POST, categories=categories)
        if form.is_valid():
            services.record_category_choice(attempt=attempt, category=form.cleaned_data["category"])
            return redirect(f"{request.path}#documents")
    else:
        initial = {"category": attempt.chosen_category.code} if attempt.chosen_category else {}
        form = CategoryForm(initial=initial, categories=categories)
    return render(
        request,
        "tns_enrollment/not_registered.html",
        {"form": form, "category": attempt.chosen_category if request.method == "GET" else None},
    )


@never_cache
def not_eligible(request):
    attempt = _attempt_for(request, Outcome.NOT_ELIGIBLE)
    if attempt is None:
        return redirect("tns_enrollment:start")
    reason = NonEligibilityReason(attempt.non_eligibility_reason).label if attempt.non_eligibility_reason else ""
    return render(request, "tns_enrollment/not_eligible.html", {"reason": reason})


def proximity_points(request):
    return render(request, "tns_enrollment/proximity_points.html", {"points": list(selectors.proximity_points())})
