"""The agents' back office: Django admin, in French or Arabic (RTL), with TOTP in production."""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.validators import MaxLengthValidator

from macnss.core.translation import gettext_lazy as _


def _checks_username_length(form_class):
    """Django's AuthenticationForm sets the username's max_length but validates nothing: an overlong
    username reached the lockout log's varchar column and failed with a 500 on PostgreSQL."""

    class AgentLoginForm(form_class):
        def __init__(self, request=None, *args, **kwargs):
            super().__init__(request, *args, **kwargs)
            username = self.fields["username"]
            username.validators.append(MaxLengthValidator(username.max_length))

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
    admin.site.login_form = _checks_username_length(login_form)
