"""Who may call the backups routes and open its pages (see tests/security/README.md)."""

from tests.security.policy import ORGANIZATION, Rule, api

RULES: list[Rule] = [
    api("GET", "/backups", "organization.manage", ORGANIZATION),
]
