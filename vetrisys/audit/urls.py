"""Screens of the audit log."""

from django.urls import path

from vetrisys.audit import views

urlpatterns = [
    path("", views.audit_list, name="audit_list"),
]
