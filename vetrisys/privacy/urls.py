"""Screens of privacy: an owner's export, and their erasure."""

from django.urls import path

from vetrisys.privacy import views

app_name = "privacy"

urlpatterns = [
    path("clients/<uuid:client_id>/export/", views.client_export, name="client_export"),
    path("clients/<uuid:client_id>/erase/", views.client_erase, name="client_erase"),
    path("erasures/<uuid:erasure_id>/", views.erasure_detail, name="erasure_detail"),
]
