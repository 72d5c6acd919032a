from django.urls import path

from . import views

app_name = "pension"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("ma-demande/", views.DetailView.as_view(), name="detail"),
    path("nouvelle-demande/", views.StartView.as_view(), name="start"),
    path("nouvelle-demande/multiplicateur/", views.MultiplierView.as_view(), name="multiplier"),
    path("nouvelle-demande/age/", views.AgeView.as_view(), name="age"),
    path("nouvelle-demande/rib/", views.RibView.as_view(), name="rib"),
    path("nouvelle-demande/verification/", views.CheckView.as_view(), name="check"),
    path("nouvelle-demande/confirmation/", views.ConfirmationView.as_view(), name="confirmation"),
    path("mentions-legales/", views.LegalNoticeView.as_view(), name="legal_notice"),
]
