from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from macnss.core import views as core_views

from .admin_site import configure_admin

configure_admin()

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("captcha/", include("captcha.urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("bench/ok", core_views.bare_ok, name="bench_ok"),
    # Payment gateway endpoints are addressed by CMI, not by a person: no language prefix.
    path("", include("asvi_payment.urls_gateway")),
]

urlpatterns += i18n_patterns(
    path("", core_views.home, name="home"),
    path("compte/", include("accounts.urls")),
    path("tns/", include("tns_enrollment.urls")),
    path("pension/", include("pension.urls")),
    path("taawidaty/", include("taawidaty.urls")),
    path("paiement/", include("asvi_payment.urls")),
    path("telephone-demo/", core_views.demo_phone, name="demo_phone"),
    path("boite-mail-demo/", core_views.demo_mailbox, name="demo_mailbox"),
    path("boite-mail-demo/<int:pk>/piece-jointe/", core_views.demo_mail_attachment, name="demo_mail_attachment"),
    path("compte/consultations/", include("backoffice.urls")),
    # The back office's own pages first: `/admin/` is the agent's work list, not a list of models.
    path("admin/", include("backoffice.admin_urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)
