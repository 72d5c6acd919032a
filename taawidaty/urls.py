from django.urls import path

from . import views

app_name = "taawidaty"

urlpatterns = [
    path("", views.home, name="home"),
    path("remboursement-cotisations-salariales/", views.benefit, name="benefit"),
    path("remboursement-cotisations-salariales/nouvelle-demande/", views.create, name="create"),
    path("demandes/<uuid:public_id>/", views.detail, name="detail"),
    path("demandes/<uuid:public_id>/pieces/", views.documents, name="documents"),
    path("demandes/<uuid:public_id>/pieces/<int:document_id>/", views.document, name="document"),
    path("demandes/<uuid:public_id>/verification/", views.check, name="check"),
    path("demandes/<uuid:public_id>/accuse/", views.receipt, name="receipt"),
    path("verifier-un-accuse/", views.verify, name="verify"),
]
