from django.urls import path

from . import views

app_name = "family"

urlpatterns = [
    path("", views.members, name="members"),
    path("ajouter/", views.add, name="add"),
    path("ajouter/pieces/", views.documents, name="documents"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/certificat-de-scolarite/", views.school_certificate, name="school_certificate"),
    path("<uuid:public_id>/pieces/<int:document_id>/", views.document, name="document"),
]
