"""URLs called by the CMI gateway (callback, okUrl, failUrl) and the mock gateway itself."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
