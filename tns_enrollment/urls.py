from django.urls import path
from django.views.generic import RedirectView

app_name = "tns_enrollment"

# Placeholder until the journey lands (see its issue).
urlpatterns = [path("", RedirectView.as_view(url="/"), name="start")]
