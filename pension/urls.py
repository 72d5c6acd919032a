from django.urls import path
from django.views.generic import RedirectView

app_name = "pension"

# Placeholder until the journey lands (see its issue).
urlpatterns = [path("", RedirectView.as_view(url="/"), name="home")]
