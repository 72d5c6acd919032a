from django.urls import path

from . import views

app_name = "passkeys"

urlpatterns = [
    path("", views.PasskeyListView.as_view(), name="list"),
    path("ajouter/", views.PasskeyAddView.as_view(), name="add"),
    path("ajouter/options/", views.registration_options, name="registration_options"),
    path("ajouter/verifier/", views.register, name="register"),
    path("<int:pk>/nom/", views.PasskeyRenameView.as_view(), name="rename"),
    path("<int:pk>/supprimer/", views.PasskeyRevokeView.as_view(), name="revoke"),
    path("connexion/options/", views.login_options, name="login_options"),
    path("connexion/verifier/", views.login_verify, name="login"),
    path("confirmation/options/", views.reauth_options, name="reauth_options"),
    path("confirmation/verifier/", views.reauth_verify, name="reauth"),
]
