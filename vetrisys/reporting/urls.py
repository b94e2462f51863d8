from django.urls import path

from vetrisys.reporting import views_dashboard

app_name = "reporting"

urlpatterns = [
    path("", views_dashboard.dashboard, name="index"),
    path("chain/", views_dashboard.chain_dashboard, name="chain"),
    path("comparison/", views_dashboard.comparison, name="comparison"),
]
