from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django.views.generic import FormView

from macnss.core import portal
from macnss.core.client_ip import client_ip_or_none
from macnss.core.journey_state import JourneyState
from macnss.core.views import CaptchaRefreshMixin, too_many_attempts
from shared_steps.forms import BankDetailsForm, ChoosePasswordForm
from shared_steps.views import OtpStepView

from . import devices, login_guard, otp, reauth, selectors, services
from .forms import (
    EmailChangeForm,
    IdentityForm,
    LoginForm,
    NumberAndCaptchaForm,
    OtpPasswordResetForm,
    PortalPasswordChangeForm,
    PreferencesForm,
    ReauthPasswordForm,
    SignupForm,
    clean_login_identifier,
)
from .models import InsuredPerson, User


class LoginView(CaptchaRefreshMixin, auth_views.LoginView):
    """The captcha joins the form after a few failures for the person typed, or many from the address;
    a locked person or a refused address gets the «Accès temporairement bloqué» page (429)."""

    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST" and login_guard.address_refused(request):
            return self.locked_out(login_guard.ADDRESS_REFUSED)
        return super().dispatch(request, *args, **kwargs)

    def captcha_needed(self) -> bool:
        identifier = self.request.POST.get("username") if self.request.method == "POST" else None
        target = None
        if identifier:
            try:
                target = login_guard.resolve(clean_login_identifier(identifier))
            except ValidationError:
                target = None
        return login_guard.captcha_required(self.request, target)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "with_captcha": self.captcha_needed()}

    def get_refresh_form_kwargs(self) -> dict:
        return {"request": self.request, "with_captcha": True}

    def form_invalid(self, form):
        if form.refusal:
            return self.locked_out(form.refusal)
        if form.errors.get("__all__") and login_guard.captcha_required(
            self.request, login_guard.resolve(form.cleaned_data["username"])
        ):
            form.add_captcha()  # this failure reached the threshold: the next try needs it
        return super().form_invalid(form)

    def locked_out(self, refusal: str):
        return render(
            self.request,
            "accounts/locked_out.html",
            {"address_refused": refusal == login_guard.ADDRESS_REFUSED},
            status=429,
        )


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
class BankDetailsView(reauth.RecentAuthRequiredMixin, FormView):
    """Seed 000: «Saisir votre numéro du RIB», the direct-debit box, «Ajouter». A recent authentication is
    needed (the sign-in itself counts, so seed 000's step right after login asks nothing more)."""

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
            person=self.person, rib=form.cleaned_data["rib"], ip_address=client_ip_or_none(self.request)
        )
        messages.success(self.request, _("Votre RIB et votre autorisation de prélèvement ont été enregistrés."))
        return redirect(_safe_next(self.request, reverse("accounts:dashboard")))


@method_decorator(login_required, name="dispatch")
class PasswordChangeView(FormView):
    template_name = "accounts/password_change.html"
    form_class = PortalPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "request": self.request}

    def form_valid(self, form):
        user, session = self.request.user, self.request.session
        services.change_password(user=user, new_password=form.cleaned_data["new_password1"])
        old_key = session.session_key
        update_session_auth_hash(self.request, user)  # cycles the session key
        services.session_key_changed(user=user, old_key=old_key, new_key=session.session_key)
        ended = services.end_other_sessions(user, keep_session_key=session.session_key)
        reauth.mark_recent(self.request)
        messages.success(self.request, _("Votre mot de passe a été modifié."))
        if ended:
            messages.info(self.request, _("Vos autres appareils ont été déconnectés."))
        return redirect("accounts:dashboard")


# Each journey's answers between its pages.
PASSWORD_RECOVERY = JourneyState("password_recovery")
RECOVER_NUMBER = JourneyState("recover_number")
SIGNUP = JourneyState("signup")
REAUTH_CODE = JourneyState("reauth")

TOO_MANY_FOR_IDENTITY = gettext_lazy(
    "Vous avez demandé trop de codes pour ces informations. Réessayez dans une heure, ou présentez-vous dans une "
    "agence CNSS avec votre pièce d'identité."
)


class PasswordRecoveryStartView(CaptchaRefreshMixin, FormView):
    template_name = "accounts/password_recovery_start.html"
    form_class = NumberAndCaptchaForm

    def form_valid(self, form):
        if too_many_attempts(self.request, "password_recovery", "10/h"):
            form.add_error(None, _("Trop de demandes depuis votre connexion. Réessayez dans une heure."))
            return self.form_invalid(form)
        identity = otp.identity_key(form.cleaned_data["number"])
        if otp.identity_limit_reached(identity):
            form.add_error(None, TOO_MANY_FOR_IDENTITY)
            return self.form_invalid(form)
        person = selectors.find_insured_by_number(form.cleaned_data["number"])
        user = getattr(person, "account", None) if person else None
        # A phone over its hourly cap silently gets nothing: the next page is the same (audit L1).
        code = otp.send_code_to_phone_on_file(
            purpose="password_recovery",
            identity=identity,
            phone=person.phone if user is not None else "",
            language=get_language(),
            subject=f"user:{user.pk}" if user else "",
        )
        PASSWORD_RECOVERY.set(self.request, {"otp": code.pk, "user": user.pk if user else None})
        return redirect("accounts:password_recovery_code")


class PasswordRecoveryCodeView(OtpStepView):
    template_name = "accounts/password_recovery_code.html"
    form_class = OtpPasswordResetForm
    purpose = "password_recovery"
    journey = PASSWORD_RECOVERY
    start_url_name = "accounts:password_recovery"

    def code_confirmed(self, form):
        user = User.objects.filter(pk=self.journey_state().get("user")).first()
        if user is None:  # a decoy never verifies, this is only defence in depth
            return redirect(self.start_url_name)
        services.change_password(user=user, new_password=form.cleaned_data["new_password1"])
        login_guard.clear_person(user)  # the SMS code proved the person: the lockout ends
        services.end_other_sessions(user, keep_session_key=None)
        PASSWORD_RECOVERY.clear(self.request)
        messages.success(self.request, _("Votre nouveau mot de passe est enregistré. Vous pouvez vous connecter."))
        return redirect("accounts:login")


class RecoverNumberStartView(CaptchaRefreshMixin, FormView):
    """Seed 004, «Retrouver mon numéro d'immatriculation»: nothing is revealed before the SMS code."""

    template_name = "accounts/recover_number_start.html"
    form_class = IdentityForm

    def form_valid(self, form):
        if too_many_attempts(self.request, "recover_number", "10/h"):
            form.add_error(None, _("Trop de demandes depuis votre connexion. Réessayez dans une heure."))
            return self.form_invalid(form)
        data = form.cleaned_data
        identity = otp.identity_key(data["id_document_number"])
        if otp.identity_limit_reached(identity):
            form.add_error(None, TOO_MANY_FOR_IDENTITY)
            return self.form_invalid(form)
        person = selectors.find_insured_by_identity(
            document_type=data["id_document_type"],
            document_number=data["id_document_number"],
            birth_date=data["birth_date"],
        )
        code = otp.send_code_to_phone_on_file(
            purpose="recover_number",
            identity=identity,
            phone=person.phone if person else "",
            language=get_language(),
            subject=f"insured:{person.pk}" if person else "",
        )
        RECOVER_NUMBER.set(self.request, {"otp": code.pk, "insured": person.pk if person else None})
        return redirect("accounts:recover_number_code")


class RecoverNumberCodeView(OtpStepView):
    template_name = "accounts/recover_number_code.html"
    purpose = "recover_number"
    journey = RECOVER_NUMBER
    start_url_name = "accounts:recover_number"

    def code_confirmed(self, form):
        state = self.journey_state()
        state["confirmed"] = True
        self.save_state(state)
        person = InsuredPerson.objects.filter(pk=state.get("insured")).first()
        if person is not None:
            services.send_immatriculation_number(person)
        return redirect("accounts:recover_number_result")


def recover_number_result(request):
    state = RECOVER_NUMBER.get(request)
    if not state.get("confirmed"):
        return redirect("accounts:recover_number")
    person = InsuredPerson.objects.filter(pk=state.get("insured")).first()
    if person is None:
        return redirect("accounts:recover_number")
    return render(request, "accounts/recover_number_result.html", {"person": person})


@method_decorator(never_cache, name="dispatch")
class SignupStartView(CaptchaRefreshMixin, FormView):
    """«Créer un compte» for every insured person (issue 16 §1). Whatever the answers, the next page is
    the same: a code to the phone on file, an SMS with his number to a person who has an account, or
    nothing at all; the page never says which."""

    template_name = "accounts/signup_start.html"
    form_class = SignupForm

    def form_valid(self, form):
        if too_many_attempts(self.request, "signup", "10/h"):
            form.add_error(None, _("Trop de demandes depuis votre connexion. Réessayez dans une heure."))
            return self.form_invalid(form)
        data = form.cleaned_data
        identity = otp.identity_key(data["identifier"])
        if otp.identity_limit_reached(identity):
            form.add_error(None, TOO_MANY_FOR_IDENTITY)
            return self.form_invalid(form)
        person = selectors.find_insured_for_signup(
            identifier=data["identifier"], expiry=data["id_document_expiry"], birth_date=data["birth_date"]
        )
        code = services.start_signup(person=person, identity=identity, language=get_language() or "fr")
        self.request.session.cycle_key()
        SIGNUP.set(
            self.request,
            {"otp": code.pk, "insured": person.pk if person is not None and not hasattr(person, "account") else None},
        )
        return redirect("accounts:signup_code")


@method_decorator(never_cache, name="dispatch")
class SignupCodeView(OtpStepView):
    template_name = "accounts/signup_code.html"
    purpose = services.SIGNUP_OTP_PURPOSE
    journey = SIGNUP
    start_url_name = "accounts:signup"

    def code_confirmed(self, form):
        state = self.journey_state()
        state["confirmed"] = True
        state.pop("otp", None)
        self.save_state(state)
        return redirect("accounts:signup_password")


@method_decorator(never_cache, name="dispatch")
class SignupPasswordView(FormView):
    """After the right code: the person chooses his password on the page and is logged in."""

    template_name = "accounts/signup_password.html"
    form_class = ChoosePasswordForm

    def dispatch(self, request, *args, **kwargs):
        state = SIGNUP.get(request)
        self.person = InsuredPerson.objects.filter(pk=state.get("insured")).first() if state.get("confirmed") else None
        if self.person is None:
            return redirect("accounts:signup")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        # An unsaved account, so that the validators compare the password with the number and the name.
        candidate = User(
            username=self.person.immatriculation_number,
            first_name=self.person.first_name,
            last_name=self.person.last_name,
            email=self.person.email,
        )
        return {**super().get_form_kwargs(), "user": candidate}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "person": self.person}

    def form_valid(self, form):
        SIGNUP.clear(self.request)
        try:
            user = services.open_account(person=self.person, password=form.cleaned_data["new_password1"])
        except services.AccountAlreadyExists:
            messages.info(
                self.request, _("Votre compte existe déjà. Connectez-vous avec votre numéro et votre mot de passe.")
            )
            return redirect("accounts:login")
        login(self.request, user, backend="accounts.backends.PortalAccountBackend")
        messages.success(self.request, _("Votre compte Ma CNSS est créé. Bienvenue dans votre espace privé."))
        return redirect("accounts:dashboard")


logout_view = auth_views.LogoutView.as_view()


@method_decorator(login_required, name="dispatch")
class ReauthenticateView(FormView):
    """«Confirmez votre identité»: the password, or a code sent to the phone on file; then back to `next`."""

    template_name = "accounts/reauthenticate.html"
    form_class = ReauthPasswordForm

    def next_url(self) -> str:
        return reauth.safe_next(self.request, reverse("accounts:dashboard"))

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "request": self.request}

    def get_context_data(self, **kwargs):
        person = selectors.insured_for_user(self.request.user)
        return {
            **super().get_context_data(**kwargs),
            "next": self.next_url(),
            "can_send_code": bool(person and person.phone),
        }

    def post(self, request, *args, **kwargs):
        if "send_code" in request.POST:
            return self.send_code()
        return super().post(request, *args, **kwargs)

    def send_code(self):
        person = selectors.insured_for_user(self.request.user)
        if person is None or not person.phone:
            return redirect(reauth.reauthenticate_url(self.next_url()))
        try:
            code = otp.issue_code(
                purpose="reauth", phone=person.phone, language=get_language(), subject=f"user:{self.request.user.pk}"
            )
        except otp.SendLimitReached:
            messages.error(self.request, _("Vous avez demandé trop de codes. Réessayez dans une heure."))
            return redirect(reauth.reauthenticate_url(self.next_url()))
        REAUTH_CODE.set(self.request, {"otp": code.pk, "next": self.next_url()})
        return redirect("accounts:reauthenticate_code")

    def form_valid(self, form):
        reauth.mark_recent(self.request)
        return redirect(self.next_url())


@method_decorator(login_required, name="dispatch")
class ReauthenticateCodeView(OtpStepView):
    template_name = "accounts/reauthenticate_code.html"
    purpose = "reauth"
    journey = REAUTH_CODE
    start_url_name = "accounts:reauthenticate"

    def code_confirmed(self, form):
        state = self.journey_state()
        REAUTH_CODE.clear(self.request)
        reauth.mark_recent(self.request)
        target = state.get("next") or ""
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={self.request.get_host()}):
            target = reverse("accounts:dashboard")
        return redirect(target)


@method_decorator(login_required, name="dispatch")
class EmailChangeView(reauth.RecentAuthRequiredMixin, FormView):
    """«Mon e-mail»: after a recent authentication; an SMS to the phone on file tells of the change."""

    template_name = "accounts/email_change.html"
    form_class = EmailChangeForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.person = _insured_or_404(request)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"email": self.person.email}

    def form_valid(self, form):
        services.change_email(user=self.request.user, email=form.cleaned_data["email"])
        messages.success(self.request, _("Votre adresse e-mail a été enregistrée."))
        return redirect("accounts:dashboard")


@login_required
def sign_ins(request):
    """«Mes connexions»: recent sign-ins and the sessions still open, with «Déconnecter les autres appareils»."""
    current = request.session.session_key
    if request.method == "POST":
        ended = services.end_other_sessions(request.user, keep_session_key=current)
        if ended:
            messages.success(request, _("Vos autres appareils ont été déconnectés."))
        else:
            messages.info(request, _("Aucun autre appareil n'était connecté."))
        return redirect("accounts:sign_ins")
    active = selectors.active_sign_ins(request.user)
    return render(
        request,
        "accounts/sign_ins.html",
        {
            "recent": selectors.recent_sign_ins(request.user),
            "active": active,
            "current_key": current,
            "others": [row for row in active if row.session_key != current],
            "active_ids": {row.pk for row in active},
            "device": devices.summary,
        },
    )
