from django.urls import path, register_converter

from vetrisys.reporting import views_dashboard, views_reports

app_name = "reporting"
register_converter(views_reports.ReportSlug, "report")

urlpatterns = [
    path("", views_dashboard.dashboard, name="index"),
    path("chain/", views_dashboard.chain_dashboard, name="chain"),
    path("comparison/", views_dashboard.comparison, name="comparison"),
    path("all/", views_reports.reports_index, name="reports"),
    *views_reports.page_urls(),
    path("<report:report>/export/", views_reports.export, name="export"),
    path("<report:report>/export/start/", views_reports.export_start, name="export_start"),
    path("exports/<uuid:job_id>/", views_reports.export_job, name="export_job"),
    path("exports/<uuid:job_id>/download/", views_reports.export_download, name="export_download"),
]
