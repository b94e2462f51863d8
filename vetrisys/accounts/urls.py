from django.urls import path

from vetrisys.accounts import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
