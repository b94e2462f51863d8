"""Who may call the reporting routes and open its pages (see tests/security/README.md)."""

from tests.security.policy import ORGANIZATION, Rule, api

RULES: list[Rule] = [
    api("GET", "/reports/appointments", "reports.view", ORGANIZATION),
    api("GET", "/reports/retention", "reports.view", ORGANIZATION),
    api("GET", "/reports/revenue", "reports.view", ORGANIZATION),
    api("GET", "/reports/top-items", "reports.view", ORGANIZATION),
    api("GET", "/reports/vaccination-compliance", "reports.view", ORGANIZATION),
]
