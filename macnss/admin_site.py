"""The agents' back office: Django admin, in French or Arabic (RTL), with TOTP in production."""

from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _


def configure_admin() -> None:
    admin.site.site_header = _("Ma CNSS — espace agents")
    admin.site.site_title = _("Ma CNSS agents")
    admin.site.index_title = _("Back-office des agents")
    if getattr(settings, "ADMIN_REQUIRE_OTP", False):
        from django_otp.admin import OTPAdminSite

        # Staff must present a TOTP code from a confirmed device on top of their password.
        admin.site.__class__ = OTPAdminSite
        admin.site.login_form = OTPAdminSite.login_form
        admin.site.login_template = OTPAdminSite.login_template
