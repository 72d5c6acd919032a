from django.urls import path

from . import views

app_name = "tns_enrollment"

urlpatterns = [
    path("", views.PersonalInformationView.as_view(), name="start"),
    path("code/", views.CodeView.as_view(), name="code"),
    path("mot-de-passe/", views.ChoosePasswordView.as_view(), name="password"),
    path("non-immatricule/", views.not_registered, name="not_registered"),
    path("points-de-proximite/", views.proximity_points, name="proximity_points"),
]
