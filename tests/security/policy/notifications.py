"""Who may call the notifications routes and open its pages (see tests/security/README.md)."""

from tests.security.policy import ORGANIZATION, Rule, api

RULES: list[Rule] = [
    api("GET", "/message-templates", "messages.view", ORGANIZATION),
    api("GET", "/messages", "messages.view", ORGANIZATION),
]
