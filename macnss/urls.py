from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from insured_space import views as insured_space_views
from macnss.core import views as core_views

from .admin_site import configure_admin

configure_admin()

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("captcha/", include("captcha.urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    # Payment gateway endpoints are addressed by CMI, not by a person: no language prefix.
    path("", include("asvi_payment.urls_gateway")),
    # The public keys of signed documents: one fixed URL, whatever the language (docs/SECURITY.md).
    path("verifier/cles.json", insured_space_views.published_keys, name="document_signing_keys"),
]

if settings.BENCH_ENDPOINT:  # set by bench/run.py only
    urlpatterns.append(path("bench/ok", core_views.bare_ok, name="bench_ok"))

urlpatterns += i18n_patterns(
    path("", core_views.home, name="home"),
    path("compte/cles-d-acces/", include("passkeys.urls")),
    path("compte/mon-immatriculation/", include("insured_space.urls")),
    path("services-en-ligne/", core_views.online_services, name="online_services"),
    path("compte/", include("accounts.urls")),
    path("verifier/", include("insured_space.urls_public")),
    path("tns/", include("tns_enrollment.urls")),
    path("pension/", include("pension.urls")),
    path("taawidaty/", include("taawidaty.urls")),
    path("paiement/", include("asvi_payment.urls")),
    path("donnees-personnelles/", include("privacy.urls")),
    path("compte/ayants-droit/", include("family.urls")),
    path("telephone-demo/", core_views.demo_phone, name="demo_phone"),
    path("boite-mail-demo/", core_views.demo_mailbox, name="demo_mailbox"),
    path("boite-mail-demo/<int:pk>/piece-jointe/", core_views.demo_mail_attachment, name="demo_mail_attachment"),
    path("compte/consultations/", include("backoffice.urls")),
    # The back office's own pages first: `/admin/` is the agent's work list, not a list of models.
    path("admin/", include("backoffice.admin_urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)
