from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.notice, name="notice"),
    path("mes-donnees/", views.my_data, name="my_data"),
    path("mes-donnees/telecharger/", views.my_data_download, name="my_data_download"),
    path("mes-donnees/pdf/", views.my_data_pdf, name="my_data_pdf"),
    path("mes-donnees/pdf/<int:export_id>/", views.my_data_pdf_download, name="my_data_pdf_download"),
]
