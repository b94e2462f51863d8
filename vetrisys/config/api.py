"""The one NinjaAPI: /api/v1/, its OpenAPI document and interactive docs."""

from __future__ import annotations

from ninja import NinjaAPI

from vetrisys import __version__
from vetrisys.accounts.api import auth_router
from vetrisys.accounts.api import router as accounts_router
from vetrisys.accounts.auth import API_AUTH
from vetrisys.audit.api import router as audit_router
from vetrisys.backups.api import router as backups_router
from vetrisys.billing.api import router as billing_router
from vetrisys.clients.api import router as clients_router
from vetrisys.core.api import StrictParser, install_error_handlers
from vetrisys.inventory.api import (
    counts_router,
    orders_router,
    products_router,
    reports_router,
    stock_router,
    suppliers_router,
)
from vetrisys.notifications.api import router as notifications_router
from vetrisys.notifications.api_rules import router as reminder_rules_router
from vetrisys.patients.api import attachments_router, species_router
from vetrisys.patients.api import router as patients_router
from vetrisys.pharmacy.api import router as prescriptions_router
from vetrisys.privacy.api import router as privacy_router
from vetrisys.records.api import router as records_router
from vetrisys.reporting.api import router as reporting_router
from vetrisys.scheduling.api import router as scheduling_router
from vetrisys.vaccinations.api import patient_router as vaccine_status_router
from vetrisys.vaccinations.api import protocols_router as vaccine_protocols_router
from vetrisys.vaccinations.api import router as vaccinations_router

api = NinjaAPI(
    title="VetriSys API",
    version=f"v1 ({__version__})",
    description="The public HTTP API of VetriSys. See API.md for the conventions.",
    auth=API_AUTH,
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    parser=StrictParser(),
)
install_error_handlers(api)

api.add_router("/auth", auth_router)
api.add_router("/", accounts_router)
api.add_router("/audit", audit_router)
api.add_router("/clients", clients_router)
api.add_router("/patients", patients_router)
api.add_router("/species", species_router)
api.add_router("/attachments", attachments_router)
api.add_router("/", scheduling_router)
api.add_router("/", records_router)
api.add_router("/", billing_router)
api.add_router("/products", products_router)
api.add_router("/stock", stock_router)
api.add_router("/suppliers", suppliers_router)
api.add_router("/purchase-orders", orders_router)
api.add_router("/stock-counts", counts_router)
api.add_router("/reports", reports_router)
api.add_router("/vaccinations", vaccinations_router)
api.add_router("/patients", vaccine_status_router)
api.add_router("/vaccine-protocols", vaccine_protocols_router)
api.add_router("/prescriptions", prescriptions_router)
api.add_router("/reports", reporting_router)
api.add_router("/", notifications_router)
api.add_router("/reminder-rules", reminder_rules_router)
api.add_router("/backups", backups_router)
api.add_router("/", privacy_router)
