from django.urls import path

from . import views

app_name = "tns_enrollment"

urlpatterns = [
    path("", views.PersonalInformationView.as_view(), name="start"),
    path("code/", views.CodeView.as_view(), name="code"),
    path("compte-cree/", views.account_created, name="account_created"),
    path("deja-inscrit/", views.has_account, name="has_account"),
    path("non-immatricule/", views.not_registered, name="not_registered"),
    path("non-eligible/", views.not_eligible, name="not_eligible"),
    path("points-de-proximite/", views.proximity_points, name="proximity_points"),
]
