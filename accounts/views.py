from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django.views.generic import FormView

from macnss.core import portal
from macnss.core.views import CaptchaRefreshMixin, too_many_attempts

from . import otp, selectors, services
from .forms import (
    BankDetailsForm,
    IdentityForm,
    LoginForm,
    NumberAndCaptchaForm,
    OtpForm,
    OtpPasswordResetForm,
    PortalPasswordChangeForm,
    PreferencesForm,
)
from .models import User


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


def _insured_or_404(request):
    person = selectors.insured_for_user(request.user)
    if person is None:
        raise Http404
    return person


@login_required
def dashboard(request):
    if request.user.is_staff and request.user.insured_id is None:
        return redirect("admin:index")
    person = _insured_or_404(request)
    if selectors.needs_bank_details(person):
        return redirect(f"{reverse('accounts:bank_details')}?next={reverse('accounts:dashboard')}")
    return render(
        request,
        "accounts/dashboard.html",
        {
            "person": person,
            "services": portal.services_for(person),
            "requests": portal.requests_for(person),
            "bank_details": getattr(person, "bank_details", None),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    """«Mes préférences»: the language of the messages that are not about a request."""
    person = _insured_or_404(request)
    data = request.POST if request.method == "POST" else None
    form = PreferencesForm(data, initial={"preferred_language": person.preferred_language})
    if request.method == "POST" and form.is_valid():
        services.set_preferred_language(person=person, language=form.cleaned_data["preferred_language"])
        messages.success(request, _("Vos préférences sont enregistrées."))
        return redirect("accounts:dashboard")
    return render(request, "accounts/preferences.html", {"form": form})


@login_required
def my_requests(request):
    person = _insured_or_404(request)
    return render(request, "accounts/my_requests.html", {"requests": portal.requests_for(person)})


def _safe_next(request, default: str) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@method_decorator(login_required, name="dispatch")
class BankDetailsView(FormView):
    """Seed 000: «Saisir votre numéro du RIB», the direct-debit box, «Ajouter»."""

    form_class = BankDetailsForm
    template_name = "accounts/bank_details.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.person = _insured_or_404(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["current"] = getattr(self.person, "bank_details", None)
        ctx["next"] = _safe_next(self.request, "")
        return ctx

    def form_valid(self, form):
        services.set_bank_details(
            person=self.person, rib=form.cleaned_data["rib"], ip_address=self.request.META.get("REMOTE_ADDR")
        )
        messages.success(self.request, _("Votre RIB et votre autorisation de prélèvement ont été enregistrés."))
        return redirect(_safe_next(self.request, reverse("accounts:dashboard")))


@method_decorator(login_required, name="dispatch")
class PasswordChangeView(FormView):
    template_name = "accounts/password_change.html"
    form_class = PortalPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        services.change_password(user=self.request.user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(self.request, self.request.user)
        messages.success(self.request, _("Votre mot de passe a été modifié."))
        return redirect("accounts:dashboard")


class OtpStepView(CaptchaRefreshMixin, FormView):
    """A reusable «code reçu par SMS» page: the journey names its purpose, session namespace and
    what happens once the code is right. «Renvoyer le code» is a POST on the same page."""

    template_name = "accounts/otp_verify.html"
    form_class = OtpForm
    purpose: str = ""
    session_key: str = ""
    with_captcha = False
    start_url_name = ""

    def journey_state(self) -> dict:
        return self.request.session.get(self.session_key) or {}

    def save_state(self, state: dict) -> None:
        self.request.session[self.session_key] = state

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


class PasswordRecoveryStartView(CaptchaRefreshMixin, FormView):
    template_name = "accounts/password_recovery_start.html"
    form_class = NumberAndCaptchaForm
    session_key = "password_recovery"

    def form_valid(self, form):
        if too_many_attempts(self.request, "password_recovery", "10/h"):
            form.add_error(None, _("Trop de demandes depuis votre connexion. Réessayez dans une heure."))
            return self.form_invalid(form)
        person = selectors.find_insured_by_number(form.cleaned_data["number"])
        user = getattr(person, "account", None) if person else None
        try:
            if user is not None and person.phone:
                code = otp.issue_code(
                    purpose="password_recovery", phone=person.phone, language=get_language(), subject=f"user:{user.pk}"
                )
            else:
                code = otp.issue_decoy(purpose="password_recovery")
        except otp.SendLimitReached:
            form.add_error(None, _("Vous avez demandé trop de codes. Réessayez dans une heure."))
            return self.form_invalid(form)
        self.request.session[self.session_key] = {"otp": code.pk, "user": user.pk if user else None}
        return redirect("accounts:password_recovery_code")


class PasswordRecoveryCodeView(OtpStepView):
    template_name = "accounts/password_recovery_code.html"
    form_class = OtpPasswordResetForm
    purpose = "password_recovery"
    session_key = "password_recovery"
    start_url_name = "accounts:password_recovery"

    def code_confirmed(self, form):
        user = User.objects.filter(pk=self.journey_state().get("user")).first()
        if user is None:  # a decoy never verifies, this is only defence in depth
            return redirect(self.start_url_name)
        services.change_password(user=user, new_password=form.cleaned_data["new_password1"])
        del self.request.session[self.session_key]
        messages.success(self.request, _("Votre nouveau mot de passe est enregistré. Vous pouvez vous connecter."))
        return redirect("accounts:login")


class RecoverNumberStartView(CaptchaRefreshMixin, FormView):
    """Seed 004, «Retrouver mon numéro d'immatriculation»: nothing is revealed before the SMS code."""

    template_name = "accounts/recover_number_start.html"
    form_class = IdentityForm
    session_key = "recover_number"

    def form_valid(self, form):
        if too_many_attempts(self.request, "recover_number", "10/h"):
            form.add_error(None, _("Trop de demandes depuis votre connexion. Réessayez dans une heure."))
            return self.form_invalid(form)
        data = form.cleaned_data
        person = selectors.find_insured_by_identity(
            document_type=data["id_document_type"],
            document_number=data["id_document_number"],
            birth_date=data["birth_date"],
        )
        try:
            if person is not None and person.phone:
                code = otp.issue_code(
                    purpose="recover_number",
                    phone=person.phone,
                    language=get_language(),
                    subject=f"insured:{person.pk}",
                )
            else:
                code = otp.issue_decoy(purpose="recover_number")
        except otp.SendLimitReached:
            form.add_error(None, _("Vous avez demandé trop de codes. Réessayez dans une heure."))
            return self.form_invalid(form)
        self.request.session[self.session_key] = {"otp": code.pk, "insured": person.pk if person else None}
        return redirect("accounts:recover_number_code")


class RecoverNumberCodeView(OtpStepView):
    template_name = "accounts/recover_number_code.html"
    purpose = "recover_number"
    session_key = "recover_number"
    start_url_name = "accounts:recover_number"

    def code_confirmed(self, form):
        state = self.journey_state()
        state["confirmed"] = True
        self.save_state(state)
        return redirect("accounts:recover_number_result")


def recover_number_result(request):
    from .models import InsuredPerson

    state = request.session.get("recover_number") or {}
    if not state.get("confirmed"):
        return redirect("accounts:recover_number")
    person = InsuredPerson.objects.filter(pk=state.get("insured")).first()
    if person is None:
        return redirect("accounts:recover_number")
    return render(request, "accounts/recover_number_result.html", {"person": person})


logout_view = auth_views.LogoutView.as_view()
