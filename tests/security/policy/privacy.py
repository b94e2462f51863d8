"""Who may call the privacy routes and open its pages (see tests/security/README.md)."""

from tests.security.policy import ORGANIZATION, Rule, api

RULES: list[Rule] = [
    api("POST", "/clients/{client_id}/erase", "organization.manage", ORGANIZATION),
    api("GET", "/clients/{client_id}/export", "organization.manage", ORGANIZATION),
]
