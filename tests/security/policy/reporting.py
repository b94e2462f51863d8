"""Who may call the reporting routes and open its pages (see tests/security/README.md)."""

from tests.security.policy import LOCATION, ORGANIZATION, OWN, Rule, api, page

RULES: list[Rule] = [
    api("GET", "/reports/appointments", "reports.view", ORGANIZATION),
    api("GET", "/reports/retention", "reports.view", ORGANIZATION),
    api("GET", "/reports/revenue", "reports.view", ORGANIZATION),
    api("GET", "/reports/top-items", "reports.view", ORGANIZATION),
    api("GET", "/reports/vaccination-compliance", "reports.view", ORGANIZATION),
    page("GET POST", "reports/", "reports.view", LOCATION),
    page("GET", "reports/all/", "reports.view", LOCATION),
    page("GET", "reports/appointments/", "reports.view", LOCATION),
    page("GET", "reports/inventory/", "reports.view", LOCATION),
    page("GET", "reports/retention/", "reports.view", LOCATION),
    page("GET", "reports/revenue/", "reports.view", LOCATION),
    page("GET", "reports/top-items/", "reports.view", LOCATION),
    page("GET", "reports/vaccination-compliance/", "reports.view", LOCATION),
    page("GET POST", "reports/chain/", "reports.chain", ORGANIZATION),
    page("GET POST", "reports/comparison/", "reports.chain", ORGANIZATION),
    page("GET", "reports/<report:report>/export/", "reports.view", LOCATION),
    page("POST", "reports/<report:report>/export/start/", "reports.view", LOCATION),
    # An export's file is its requester's alone.
    page("GET", "reports/exports/<uuid:job_id>/", "reports.view", OWN),
    page("GET", "reports/exports/<uuid:job_id>/download/", "reports.view", OWN),
]
