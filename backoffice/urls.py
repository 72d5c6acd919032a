from django.urls import path

from . import views

app_name = "backoffice"

urlpatterns = [path("", views.access_journal, name="access_journal")]
