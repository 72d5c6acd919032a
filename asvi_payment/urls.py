from django.urls import path

from . import views

app_name = "asvi_payment"

urlpatterns = [
    path("", views.start, name="start"),
    path("assure-asvi/", views.LookupView.as_view(), name="lookup"),
    path("mon-espace/", views.member_start, name="member_start"),
    path("assure-asvi/creances/", views.dues, name="dues"),
    path("assure-asvi/transaction/", views.transaction_page, name="transaction"),
    path("assure-asvi/commande/<str:token>/", views.redirect_to_gateway, name="redirect_to_gateway"),
    path("resultat/<str:token>/", views.result, name="result"),
    path("recu/<str:token>/", views.receipt, name="receipt"),
    path("recu/<str:token>/pdf/", views.receipt_pdf, name="receipt_pdf"),
    path("verifier-un-recu/", views.VerifyReceiptView.as_view(), name="verify_receipt"),
]
