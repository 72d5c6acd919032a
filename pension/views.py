"""«Pension facultative» (seed 000): his request, then «Nouvelle demande» in a few short steps.

Journey state lives in the session under one key; every step re-checks the earlier ones, so a deep link
or a stale tab lands on the first step still to answer.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from accounts import reauth
from accounts import selectors as account_selectors
from macnss.core.client_ip import client_ip_or_none
from macnss.core.journey_state import JourneyState
from macnss.core.validators import rib_key_is_valid

from . import rules, selectors, services
from .forms import AjournementForm, DroitSupplementaireForm, MultiplierForm, RibAndConsentForm
from .models import AgeBand

JOURNEY = JourneyState("pension")
STEPS = ["pension:start", "pension:age", "pension:rib", "pension:check"]
AGE_QUESTION_BANDS = (AgeBand.AJOURNEMENT, AgeBand.DROIT_SUPPLEMENTAIRE)
ERROR_STEPS = {
    "age_answer": "pension:age",
    "multiplier": "pension:start",
    "rib": "pension:rib",
    "consent": "pension:rib",
    "too_old": "pension:start",
}


def first_incomplete_step(state: dict, band: AgeBand) -> str | None:
    """The first step whose answer is missing or no longer valid (None: ready for the check page)."""
    if state.get("multiplier", 1) not in rules.MULTIPLIERS:
        return "pension:start"
    if band in AGE_QUESTION_BANDS:
        if state.get("age_band") != band:
            return "pension:age"
        if band == AgeBand.AJOURNEMENT and state.get("ajournement") not in (True, False):
            return "pension:age"
    if not (rib_key_is_valid(state.get("rib", "")) and state.get("consent") and state.get("legal")):
        return "pension:rib"
    return None


class PensionMixin(LoginRequiredMixin):
    """The logged-in TNS who pays directly; anybody else gets a 404 (the tile is not shown to them)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.person = account_selectors.insured_for_user(request.user)
        if not rules.is_eligible(self.person):
            raise Http404
        return self.guard(request) or super().dispatch(request, *args, **kwargs)

    def guard(self, request):
        """A response that sends the person elsewhere, or None to go on."""
        return None

    def get_context_data(self, **kwargs):
        rib_pending = account_selectors.rib_pending_verification(self.person)
        return {**super().get_context_data(**kwargs), "rib_pending": rib_pending}


class HomeView(PensionMixin, TemplateView):
    """«Pension facultative»: his request with its status, and «Nouvelle demande»."""

    template_name = "pension/home.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "pension_request": selectors.request_of(self.person)}


class DetailView(PensionMixin, TemplateView):
    template_name = "pension/detail.html"

    def get(self, request, *args, **kwargs):
        self.pension_request = selectors.request_of(self.person)
        if self.pension_request is None:
            return redirect("pension:home")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "pension_request": self.pension_request}


class ConfirmationView(DetailView):
    template_name = "pension/confirmation.html"


class LegalNoticeView(TemplateView):
    """The «mentions légales» the insured accepts; a page of its own, readable without logging in."""

    template_name = "pension/legal_notice.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "version": rules.LEGAL_NOTICE_VERSION}


class StepMixin(PensionMixin):
    step = ""

    def guard(self, request):
        self.state = JOURNEY.get(request)
        self.existing = selectors.request_of(self.person)
        self.day = rules.request_date()
        self.band = rules.person_age_band(self.person, self.day)
        if self.existing is not None or self.band == AgeBand.TOO_OLD:
            if self.step != "pension:start":
                return redirect("pension:start")
        else:
            missing = first_incomplete_step(self.state, self.band)
            limit = STEPS.index(self.step)
            if missing is not None and STEPS.index(missing) < limit:
                return redirect(missing)
        return None

    def save_state(self, **changes) -> None:
        self.state = JOURNEY.update(self.request, **changes)

    def amounts(self):
        return rules.contribution(self.person.tns_subcategory, day=self.day, multiplier=self.state.get("multiplier", 1))

    def next_after(self, step: str) -> str:
        """The next step, or the check page when the person came from a «Modifier» link and nothing is missing."""
        if self.request.GET.get("modifier") and first_incomplete_step(self.state, self.band) is None:
            return reverse("pension:check")
        index = STEPS.index(step) + 1
        if STEPS[index] == "pension:age" and self.band not in AGE_QUESTION_BANDS:
            index += 1
        return reverse(STEPS[index])

    def previous_url(self) -> str:
        index = STEPS.index(self.step) - 1
        if STEPS[index] == "pension:age" and self.band not in AGE_QUESTION_BANDS:
            index -= 1
        return reverse(STEPS[index]) if index >= 0 else reverse("pension:home")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(person=self.person, band=self.band, back_url=self.previous_url())
        return ctx


class StartView(StepMixin, TemplateView):
    """«Nouvelle demande»: category, sub-category and the contribution; or why no request is possible."""

    step = "pension:start"
    template_name = "pension/start.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            existing=self.existing,
            too_old=self.band == AgeBand.TOO_OLD,
            subcategory=self.person.tns_subcategory,
            amounts=self.amounts(),
            next_url=self.next_after(self.step),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        """«Revenir à la cotisation minimale»."""
        if self.existing is None and self.band != AgeBand.TOO_OLD:
            self.save_state(multiplier=1)
            messages.success(request, _("Votre cotisation est revenue au montant minimum."))
        return redirect("pension:start")


class MultiplierView(StepMixin, FormView):
    step = "pension:start"
    template_name = "pension/multiplier.html"
    form_class = MultiplierForm

    def get(self, request, *args, **kwargs):
        if self.existing is not None or self.band == AgeBand.TOO_OLD:
            return redirect("pension:start")
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.existing is not None or self.band == AgeBand.TOO_OLD:
            return redirect("pension:start")
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "minimum": self.amounts().minimum}

    def get_initial(self):
        return {"multiplier": self.state.get("multiplier", 1)}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(amounts=self.amounts(), back_url=reverse("pension:start"))
        return ctx

    def form_valid(self, form):
        self.save_state(multiplier=form.cleaned_data["multiplier"])
        messages.success(self.request, _("Le montant de votre cotisation a été mis à jour."))
        if self.request.GET.get("modifier") and first_incomplete_step(self.state, self.band) is None:
            return redirect("pension:check")
        return redirect("pension:start")


class AgeView(StepMixin, FormView):
    """The age question: ajournement (Oui/Non) or droit supplémentaire (a box); none under 63."""

    step = "pension:age"
    template_name = "pension/age.html"

    def get(self, request, *args, **kwargs):
        if self.band not in AGE_QUESTION_BANDS:
            return redirect(self.next_after(self.step))
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.band not in AGE_QUESTION_BANDS:
            return redirect(self.next_after(self.step))
        return super().post(request, *args, **kwargs)

    def get_form_class(self):
        return AjournementForm if self.band == AgeBand.AJOURNEMENT else DroitSupplementaireForm

    def get_initial(self):
        if self.state.get("age_band") != self.band:
            return {}
        if self.band == AgeBand.AJOURNEMENT:
            value = self.state.get("ajournement")
            return {"ajournement": {True: "oui", False: "non"}.get(value)}
        return {"droit_supplementaire": bool(self.state.get("droit_supplementaire"))}

    def form_valid(self, form):
        if self.band == AgeBand.AJOURNEMENT:
            self.save_state(age_band=self.band, ajournement=form.cleaned_data["ajournement"], droit_supplementaire=None)
        else:
            self.save_state(
                age_band=self.band, ajournement=None, droit_supplementaire=form.cleaned_data["droit_supplementaire"]
            )
        return redirect(self.next_after(self.step))


class RibView(StepMixin, FormView):
    """The RIB (entered here if missing, else shown and changeable), the direct-debit box and the legal notice."""

    step = "pension:rib"
    template_name = "pension/rib.html"
    form_class = RibAndConsentForm

    def get_initial(self):
        return {
            "rib": self.state.get("rib") or selectors.current_rib(self.person),
            "direct_debit_consent": bool(self.state.get("consent")),
            "legal_notice": bool(self.state.get("legal")),
        }

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "current_rib": selectors.current_rib(self.person)}

    def form_valid(self, form):
        data = form.cleaned_data
        self.save_state(rib=data["rib"], consent=data["direct_debit_consent"], legal=data["legal_notice"])
        return redirect(self.next_after(self.step))


class CheckView(StepMixin, View):
    """Check your answers, with «Modifier» links, then «Valider»."""

    step = "pension:check"
    template_name = "pension/check.html"

    def guard(self, request):
        # A double click: the first POST recorded the request, the second one lands on its confirmation.
        submitted = JOURNEY.get(request).get("submitted")
        if request.method == "POST" and submitted and selectors.request_of(self.person) is not None:
            return redirect("pension:confirmation")
        return super().guard(request)

    def get(self, request, *args, **kwargs):
        ctx = {
            "person": self.person,
            "band": self.band,
            "state": self.state,
            "amounts": self.amounts(),
            "debit_start_date": rules.debit_start_date(self.day),
            "back_url": self.previous_url(),
            "rib_changed": self.state.get("rib") != selectors.current_rib(self.person),
            "needs_reauth": not reauth.is_recent(request),
        }
        return render(request, self.template_name, ctx)

    def post(self, request, *args, **kwargs):
        # Sending the request needs a recent authentication; the answers stay in the session, and the
        # person comes back to this page to press «Valider» again.
        if not reauth.is_recent(request):
            return redirect(reauth.reauthenticate_url(reverse("pension:check")))
        state = self.state
        try:
            pension_request = services.submit_pension_request(
                person=self.person,
                multiplier=state.get("multiplier", 1),
                ajournement=state.get("ajournement"),
                droit_supplementaire=state.get("droit_supplementaire"),
                rib=state.get("rib", ""),
                direct_debit_consent=bool(state.get("consent")),
                legal_notice_accepted=bool(state.get("legal")),
                ip_address=client_ip_or_none(request),
            )
        except services.AlreadyRequested:
            # Two tabs submitted at once: the other one won; show the request that exists.
            return redirect("pension:confirmation")
        except services.PensionRequestError as exc:
            messages.error(request, _("Votre situation a changé depuis le début de la demande : vérifiez cette étape."))
            return redirect(ERROR_STEPS.get(exc.code, "pension:start"))
        JOURNEY.set(request, {"submitted": pension_request.reference})
        return redirect("pension:confirmation")
