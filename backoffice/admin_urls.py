"""Back-office pages under /admin/ (mounted before admin.site.urls, so `/admin/` is the work list)."""

from django.contrib import admin
from django.urls import path

from . import views

app_name = "backoffice_admin"

urlpatterns = [
    path("", admin.site.admin_view(views.work_home), name="home"),
    path("donnees/", admin.site.admin_view(views.models_index), name="models"),
    path("motif/", admin.site.admin_view(views.access_reason), name="access_reason"),
    path("prendre/", admin.site.admin_view(views.take), name="take"),
    path("lectures-inhabituelles/", admin.site.admin_view(views.unusual_reading), name="unusual_reading"),
]
