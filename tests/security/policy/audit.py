"""Who may call the audit routes and open its pages (see tests/security/README.md)."""

from tests.security.policy import ORGANIZATION, Rule, api, page

RULES: list[Rule] = [
    api("GET", "/audit", "audit.view", ORGANIZATION),
    api("GET", "/audit/{event_id}", "audit.view", ORGANIZATION),
    page("GET POST", "audit/", "audit.view", ORGANIZATION),
]
