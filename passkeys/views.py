"""«Mes clés d'accès» and «Se connecter avec une clé d'accès».

The pages work without JavaScript (list, name, revoke); the two ceremonies are JSON endpoints that
static/js/passkeys.js calls with the CSRF token of the page's form in the X-CSRFToken header.
"""

import json

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView

from accounts import selectors as account_selectors
from accounts.reauth import RecentAuthRequiredMixin, is_recent, mark_recent, reauthenticate_url
from macnss.core.views import too_many_attempts

from . import challenges, selectors, services
from .forms import PasskeyNameForm
from .relying_party import relying_party_for

LOGIN_BACKEND = "accounts.backends.PortalAccountBackend"
MAX_CREDENTIAL_JSON = 64 * 1024


class PersonMixin(LoginRequiredMixin):
    """The logged-in insured person (agents have no private space: 404)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.person = account_selectors.insured_for_user(request.user)
        if self.person is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class PasskeyListView(PersonMixin, TemplateView):
    template_name = "passkeys/list.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "passkeys": selectors.passkeys_of(self.request.user),
            "rp_usable": relying_party_for(self.request).usable,
        }


class PasskeyAddView(PersonMixin, RecentAuthRequiredMixin, TemplateView):
    """The page with «Créer ma clé d'accès»; the ceremony itself runs in JavaScript."""

    template_name = "passkeys/add.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "rp_usable": relying_party_for(self.request).usable}


class PasskeyRenameView(PersonMixin, FormView):
    template_name = "passkeys/rename.html"
    form_class = PasskeyNameForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.passkey = selectors.passkey_of(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"name": self.passkey.name}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "passkey": self.passkey}

    def form_valid(self, form):
        services.rename_passkey(passkey=self.passkey, name=form.cleaned_data["name"])
        messages.success(
            self.request, _("Votre clé d'accès s'appelle désormais « %(name)s ».") % {"name": self.passkey.name}
        )
        return redirect("passkeys:list")


class PasskeyRevokeView(PersonMixin, RecentAuthRequiredMixin, TemplateView):
    """«Supprimer»: a confirmation page, then the POST that revokes."""

    template_name = "passkeys/revoke.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.passkey = selectors.passkey_of(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "passkey": self.passkey}

    def post(self, request, *args, **kwargs):
        name = self.passkey.name
        services.revoke_passkey(passkey=self.passkey, keep_session_key=request.session.session_key)
        messages.success(
            request,
            _("La clé d'accès « %(name)s » est supprimée. Vos autres sessions ont été fermées.") % {"name": name},
        )
        return redirect("passkeys:list")


# --- JSON endpoints (the ceremonies) -----------------------------------------------------------


def _refusal(message, status=400, **extra) -> JsonResponse:
    return JsonResponse({"error": str(message), **extra}, status=status)


def _credential_from(request):
    """The browser's PublicKeyCredential (JSON) and the optional fields sent with it."""
    if len(request.body) > MAX_CREDENTIAL_JSON:
        return None, {}
    try:
        payload = json.loads(request.body)
    except ValueError:
        return None, {}
    if not isinstance(payload, dict) or not isinstance(payload.get("credential"), dict):
        return None, {}
    return payload["credential"], payload


def _json_options(options_json: str) -> HttpResponse:
    return HttpResponse(options_json, content_type="application/json")


def _private_json(view):
    """A ceremony of the logged-in person, who proved who he is in the last minutes (else the page
    sends him to «Confirmez votre identité» and back to the add page)."""

    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated or account_selectors.insured_for_user(request.user) is None:
            return _refusal(_("Votre session a expiré. Reconnectez-vous."), status=403)
        if not is_recent(request):
            target = reauthenticate_url(reverse("passkeys:add"))
            return _refusal(_("Confirmez d'abord votre identité."), status=403, redirect=target)
        return view(request, *args, **kwargs)

    return require_POST(never_cache(wrapped))


@_private_json
def registration_options(request):
    rp = relying_party_for(request)
    options_json, challenge = services.registration_options(user=request.user, rp=rp)
    challenges.remember(request.session, challenges.REGISTRATION, challenge)
    return _json_options(options_json)


@_private_json
def register(request):
    challenge = challenges.take(request.session, challenges.REGISTRATION)
    credential, _payload = _credential_from(request)
    if credential is None:
        return _refusal(_("La clé d'accès n'a pas pu être vérifiée. Réessayez."))
    try:
        passkey = services.register_passkey(
            user=request.user, rp=relying_party_for(request), credential=credential, challenge=challenge
        )
    except services.PasskeyRejected as exc:
        return _refusal(exc.message)
    messages.success(request, _("Votre clé d'accès est enregistrée. Donnez-lui un nom pour la reconnaître."))
    return JsonResponse({"redirect": reverse("passkeys:rename", args=[passkey.pk])})


@require_POST
@never_cache
def login_options(request):
    """Options for «Se connecter avec une clé d'accès»: no number typed, no captcha."""
    if too_many_attempts(request, "passkey_login_options", "60/m"):
        return _refusal(_("Trop de tentatives depuis votre connexion. Réessayez dans une minute."), status=429)
    options_json, challenge = services.authentication_options(rp=relying_party_for(request))
    challenges.remember(request.session, challenges.AUTHENTICATION, challenge)
    return _json_options(options_json)


@require_POST
@never_cache
def login_verify(request):
    """Signs in the account whose passkey signed the challenge. The password lockout does not apply:
    a passkey cannot be guessed, and a stranger's wrong passwords must not keep its owner out."""
    challenge = challenges.take(request.session, challenges.AUTHENTICATION)
    credential, payload = _credential_from(request)
    if credential is None:
        return _refusal(_("La clé d'accès n'a pas pu être vérifiée. Réessayez."))
    try:
        user = services.authenticate(rp=relying_party_for(request), credential=credential, challenge=challenge)
    except services.PasskeyRejected as exc:
        return _refusal(exc.message)
    request.sign_in_method = "passkey"  # «Mes connexions» says how each session was opened
    login(request, user, backend=LOGIN_BACKEND)
    return JsonResponse({"redirect": _next_from(request, payload)})


def _next_from(request, payload) -> str:
    target = payload.get("next") or ""
    if isinstance(target, str) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("accounts:dashboard")


def _signed_in_json(view):
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated or account_selectors.insured_for_user(request.user) is None:
            return _refusal(_("Votre session a expiré. Reconnectez-vous."), status=403)
        return view(request, *args, **kwargs)

    return require_POST(never_cache(wrapped))


@_signed_in_json
def reauth_options(request):
    """«Confirmez votre identité» with one of the person's own passkeys."""
    options_json, challenge = services.authentication_options(rp=relying_party_for(request), user=request.user)
    challenges.remember(request.session, challenges.REAUTHENTICATION, challenge)
    return _json_options(options_json)


@_signed_in_json
def reauth_verify(request):
    challenge = challenges.take(request.session, challenges.REAUTHENTICATION)
    credential, payload = _credential_from(request)
    if credential is None:
        return _refusal(_("La clé d'accès n'a pas pu être vérifiée. Réessayez."))
    try:
        services.authenticate(
            rp=relying_party_for(request), credential=credential, challenge=challenge, user=request.user
        )
    except services.PasskeyRejected as exc:
        return _refusal(exc.message)
    mark_recent(request)
    return JsonResponse({"redirect": _next_from(request, payload)})
