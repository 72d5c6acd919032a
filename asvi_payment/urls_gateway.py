"""URLs called by the CMI gateway (callback, okUrl, failUrl) and the mock gateway itself (no language prefix)."""

from django.urls import path

from . import mock_gateway, views

app_name = "cmi"

urlpatterns = [
    path("paiement/cmi/callback/", views.callback, name="callback"),
    path("paiement/cmi/ok/", views.browser_return, name="ok"),
    path("paiement/cmi/fail/", views.browser_return, name="fail"),
    path("mock-cmi/fim/est3Dgate", mock_gateway.gate, name="mock_gate"),
    path("mock-cmi/paiement/<str:token>/", mock_gateway.card_page, name="mock_card"),
    path("mock-cmi/paiement/<str:token>/3ds/", mock_gateway.three_ds_page, name="mock_3ds"),
    path("mock-cmi/paiement/<str:token>/annuler/", mock_gateway.cancel, name="mock_cancel"),
]
