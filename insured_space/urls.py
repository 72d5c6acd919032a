from django.urls import path

from . import views

app_name = "insured_space"

urlpatterns = [
    path("", views.registration, name="registration"),
    path("attestation-immatriculation/", views.request_registration_attestation, name="request_registration"),
    path("attestation-salaire/", views.request_salary_attestation, name="request_salary"),
    path("attestations/<uuid:public_id>/", views.attestation, name="attestation"),
    path("attestations/<uuid:public_id>/pdf/", views.attestation_pdf, name="attestation_pdf"),
]
