from django.urls import path  # noqa: F401

app_name = "privacy"

urlpatterns: list = []  # type: ignore[type-arg]
