from django.urls import path  # noqa: F401

app_name = "notifications"

urlpatterns: list = []  # type: ignore[type-arg]
