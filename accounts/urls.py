from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", views.logout_view, name="logout"),
    path("", views.dashboard, name="dashboard"),
    path("demandes/", views.my_requests, name="my_requests"),
    path("preferences/", views.preferences, name="preferences"),
    path("rib/", views.BankDetailsView.as_view(), name="bank_details"),
    path("mot-de-passe/", views.PasswordChangeView.as_view(), name="password_change"),
    path("mot-de-passe-oublie/", views.PasswordRecoveryStartView.as_view(), name="password_recovery"),
    path("mot-de-passe-oublie/code/", views.PasswordRecoveryCodeView.as_view(), name="password_recovery_code"),
    path("retrouver-mon-numero/", views.RecoverNumberStartView.as_view(), name="recover_number"),
    path("retrouver-mon-numero/code/", views.RecoverNumberCodeView.as_view(), name="recover_number_code"),
    path("retrouver-mon-numero/resultat/", views.recover_number_result, name="recover_number_result"),
    path("e-mail/", views.EmailChangeView.as_view(), name="email_change"),
    path("connexions/", views.sign_ins, name="sign_ins"),
    path("confirmer-identite/", views.ReauthenticateView.as_view(), name="reauthenticate"),
    path("confirmer-identite/code/", views.ReauthenticateCodeView.as_view(), name="reauthenticate_code"),
    path("creer-un-compte/", views.SignupStartView.as_view(), name="signup"),
    path("creer-un-compte/code/", views.SignupCodeView.as_view(), name="signup_code"),
    path("creer-un-compte/mot-de-passe/", views.SignupPasswordView.as_view(), name="signup_password"),
]
