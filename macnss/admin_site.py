"""The agents' back office: Django admin, in French or Arabic (RTL), with TOTP in production."""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _


def _guarded(form_class):
    """The agents' login form, with the username's length validated (Django's AuthenticationForm sets
    max_length but validates nothing) and every try judged by the portal's login guard: failures per
    account across addresses, per address across accounts (accounts.login_guard)."""

    class AgentLoginForm(form_class):
        def __init__(self, request=None, *args, **kwargs):
            super().__init__(request, *args, **kwargs)
            username = self.fields["username"]
            username.validators.append(MaxLengthValidator(username.max_length))

        def clean(self):
            from accounts import login_guard

            username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
            if self.errors or not username or not password:
                return super().clean()
            refused = []

            def check():
                try:
                    super(AgentLoginForm, self).clean()
                except ValidationError as error:
                    refused.append(error)
                    return None
                return self.user_cache

            outcome = login_guard.attempt(self.request, login_guard.resolve_username(username), check)
            if outcome.refusal:
                raise ValidationError(
                    _("Trop d'essais erronés : la connexion est bloquée pendant un moment. Réessayez plus tard."),
                    code="locked",
                )
            if outcome.user is None:
                raise refused[0] if refused else self.get_invalid_login_error()
            return self.cleaned_data

    return AgentLoginForm


def configure_admin() -> None:
    admin.site.site_header = _("Ma CNSS — espace agents")
    admin.site.site_title = _("Ma CNSS agents")
    admin.site.index_title = _("Back-office des agents")
    login_form = AdminAuthenticationForm
    if getattr(settings, "ADMIN_REQUIRE_OTP", False):
        from django_otp.admin import OTPAdminSite

        # Staff must present a TOTP code from a confirmed device on top of their password.
        admin.site.__class__ = OTPAdminSite
        admin.site.login_template = OTPAdminSite.login_template
        login_form = OTPAdminSite.login_form
    admin.site.login_form = _guarded(login_form)
