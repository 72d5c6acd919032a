"""The «code reçu par SMS» step, the same page in every journey that proves a phone (accounts' sign-up,
recovery and re-authentication, the TNS onboarding)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import FormView

from accounts import otp
from macnss.core.journey_state import JourneyState
from macnss.core.views import CaptchaRefreshMixin

from .forms import OtpForm


class OtpStepView(CaptchaRefreshMixin, FormView):
    """The journey names its purpose, its session state and what happens once the code is right; the code's
    id waits under «otp» in that state. «Renvoyer le code» is a POST on the same page."""

    template_name = "shared_steps/otp_step.html"
    form_class = OtpForm
    purpose: str = ""
    journey: JourneyState
    with_captcha = False
    start_url_name = ""

    def journey_state(self) -> dict:
        return self.journey.get(self.request)

    def save_state(self, state: dict) -> None:
        self.journey.set(self.request, state)

    def dispatch(self, request, *args, **kwargs):
        if not self.journey_state().get("otp"):
            return redirect(self.start_url_name)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "with_captcha": self.with_captcha}

    def get_refresh_form_kwargs(self) -> dict:
        return {"with_captcha": self.with_captcha}

    def post(self, request, *args, **kwargs):
        if "resend" in request.POST:
            return self.resend()
        return super().post(request, *args, **kwargs)

    def resend(self):
        state = self.journey_state()
        try:
            new = otp.resend_code(code_id=state.get("otp"), purpose=self.purpose, language=get_language())
        except otp.SendLimitReached:
            messages.error(self.request, _("Vous avez demandé trop de codes. Réessayez dans une heure."))
        else:
            state["otp"] = new.pk
            self.save_state(state)
            messages.info(self.request, _("Un nouveau code vient d'être envoyé. Le précédent ne fonctionne plus."))
        return redirect(self.request.path)

    def form_valid(self, form):
        verification = otp.verify_code(
            code_id=self.journey_state().get("otp"), purpose=self.purpose, submitted=form.cleaned_data["code"]
        )
        if not verification.ok:
            form.add_error("code", verification.message)
            return self.form_invalid(form)
        return self.code_confirmed(form)

    def code_confirmed(self, form):
        raise NotImplementedError
