"""URL map: staff screens, allauth, the API, and language switching."""

from django.contrib import admin
from django.urls import include, path

from vetrisys.config.api import api

urlpatterns = [
    path("", include("vetrisys.accounts.urls")),
    path("audit/", include("vetrisys.audit.urls")),
    path("clients/", include("vetrisys.clients.urls")),
    path("patients/", include("vetrisys.patients.urls")),
    path("stock/", include("vetrisys.inventory.urls")),
    path("schedule/", include("vetrisys.scheduling.urls")),
    path("billing/", include("vetrisys.billing.urls")),
    path("records/", include("vetrisys.records.urls")),
    path("calendar/", include("vetrisys.scheduling.feed_urls")),
    path("vaccinations/", include("vetrisys.vaccinations.urls")),
    path("pharmacy/", include("vetrisys.pharmacy.urls")),
    path("reports/", include("vetrisys.reporting.urls")),
    path("messages/", include("vetrisys.notifications.urls")),
    path("backups/", include("vetrisys.backups.urls")),
    path("privacy/", include("vetrisys.privacy.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
]
