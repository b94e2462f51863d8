"""Screens of backups."""

from django.urls import path

from vetrisys.backups import views

app_name = "backups"

urlpatterns = [
    path("", views.backup_list, name="list"),
    path("run/", views.backup_run_now, name="run"),
]
