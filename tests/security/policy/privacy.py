"""Who may call the privacy routes and open its pages (see tests/security/README.md)."""

from tests.security.policy import ORGANIZATION, Rule, api, page

RULES: list[Rule] = [
    api("POST", "/clients/{client_id}/erase", "organization.manage", ORGANIZATION),
    api("GET", "/clients/{client_id}/export", "organization.manage", ORGANIZATION),
    page(
        "GET POST", "privacy/clients/<uuid:client_id>/erase/", "organization.manage", ORGANIZATION
    ),
    page("POST", "privacy/clients/<uuid:client_id>/export/", "organization.manage", ORGANIZATION),
    page("GET POST", "privacy/erasures/<uuid:erasure_id>/", "organization.manage", ORGANIZATION),
]
