"""Seed 001: «je suis un travailleur non salarié» — identity, then one of four outcomes. Outcomes a, b
and d show the same page («un SMS vient d'être envoyé au téléphone enregistré»); the SMS carries the
outcome (issue 16 §2). Outcome c shows its page, as the guide does."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import FormView

from accounts.models import User
from accounts.services import AccountAlreadyExists
from macnss.core.client_ip import client_ip_or_none
from macnss.core.journey_state import JourneyState
from macnss.core.validators import mask_phone
from macnss.core.views import CaptchaRefreshMixin, too_many_attempts
from shared_steps.forms import ChoosePasswordForm
from shared_steps.views import OtpStepView

from . import selectors, services
from .forms import CategoryForm, CodeForm, PersonalInformationForm
from .models import Outcome

JOURNEY = JourneyState("tns_enrollment")
IP_RATE = "20/h"
MAX_ATTEMPTS_PER_DOCUMENT = 5

# Outcomes whose SMS goes to the phone on file: they all show the same page.
SMS_OUTCOMES = (Outcome.HAS_ACCOUNT, Outcome.NO_ACCOUNT, Outcome.NOT_ELIGIBLE)


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
        self.request.session.cycle_key()
        JOURNEY.set(
            self.request, {"attempt": started.attempt.pk, "outcome": started.attempt.outcome, "otp": started.otp_id}
        )
        if started.attempt.outcome == Outcome.NOT_REGISTERED:
            return redirect("tns_enrollment:not_registered")
        return redirect("tns_enrollment:code")


def _attempt_for(request, outcome: str):
    state = JOURNEY.get(request)
    if state.get("outcome") != outcome:
        return None
    return selectors.attempt_for_session(state)


@method_decorator(never_cache, name="dispatch")
class CodeView(OtpStepView):
    """The same page for outcomes a, b and d: the SMS to the phone on file says which. Only outcome b's
    SMS holds a code, which continues with «le code OTP reçu par sms» and the on-screen code."""

    template_name = "tns_enrollment/code.html"
    form_class = CodeForm
    purpose = services.OTP_PURPOSE
    journey = JOURNEY
    start_url_name = "tns_enrollment:start"
    with_captcha = True

    def dispatch(self, request, *args, **kwargs):
        state = self.journey_state()
        if state.get("outcome") not in SMS_OUTCOMES:
            return redirect(self.start_url_name)
        if state.get("confirmed"):
            return redirect("tns_enrollment:password")
        return super().dispatch(request, *args, **kwargs)

    def code_confirmed(self, form):
        state = self.journey_state()
        try:
            services.confirm_code(attempt_id=state["attempt"], code_id=state["otp"])
        except (services.RegistrationConflict, services.NotEligible):
            state["outcome"] = Outcome.NOT_REGISTERED
            self.save_state(state)
            return redirect("tns_enrollment:not_registered")
        except services.PhoneNotOnFile:
            JOURNEY.clear(self.request)
            messages.error(
                self.request,
                _(
                    "Votre dossier ne peut pas être ouvert en ligne. Présentez-vous dans une agence CNSS ou un point "
                    "de proximité avec votre pièce d'identité."
                ),
            )
            return redirect("tns_enrollment:proximity_points")
        state["confirmed"] = True
        state.pop("otp", None)
        self.save_state(state)
        return redirect("tns_enrollment:password")


@method_decorator(never_cache, name="dispatch")
class ChoosePasswordView(FormView):
    """Seed 001, outcome b after the code: NOM, PRENOM, ADRESSE, EMAIL, TELEPHONE, and the password the
    person chooses on the page (never a password by SMS). Then he is logged in."""

    template_name = "tns_enrollment/password.html"
    form_class = ChoosePasswordForm

    def dispatch(self, request, *args, **kwargs):
        state = JOURNEY.get(request)
        attempt = _attempt_for(request, Outcome.NO_ACCOUNT) if state.get("confirmed") else None
        if attempt is None or attempt.insured is None:
            return redirect("tns_enrollment:start")
        self.attempt, self.person = attempt, attempt.insured
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        candidate = User(
            username=self.person.immatriculation_number,
            first_name=self.person.first_name,
            last_name=self.person.last_name,
            email=self.person.email,
        )
        return {**super().get_form_kwargs(), "user": candidate}

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "person": self.person,
            "masked_phone": mask_phone(self.person.phone) if self.person.phone else "",
        }

    def form_valid(self, form):
        JOURNEY.clear(self.request)
        try:
            user = services.complete_onboarding(attempt_id=self.attempt.pk, password=form.cleaned_data["new_password1"])
        except AccountAlreadyExists:
            messages.info(
                self.request, _("Votre compte existe déjà. Connectez-vous avec votre numéro et votre mot de passe.")
            )
            return redirect("accounts:login")
        login(self.request, user, backend="accounts.backends.PortalAccountBackend")
        messages.success(self.request, _("Votre compte Ma CNSS est créé. Bienvenue dans votre espace privé."))
        return redirect("accounts:dashboard")


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


def proximity_points(request):
    return render(request, "tns_enrollment/proximity_points.html", {"points": list(selectors.proximity_points())})
