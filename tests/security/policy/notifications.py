"""Who may call the notifications routes and open its pages (see tests/security/README.md)."""

from tests.security.policy import ORGANIZATION, Rule, api, page

RULES: list[Rule] = [
    api("GET", "/message-templates", "messages.view", ORGANIZATION),
    api("GET", "/messages", "messages.view", ORGANIZATION),
    # reminder rules
    api("GET", "/reminder-rules", "messages.manage", ORGANIZATION),
    api("POST", "/reminder-rules", "messages.manage", ORGANIZATION),
    api("POST", "/reminder-rules/recommended", "messages.manage", ORGANIZATION),
    api("GET", "/reminder-rules/{rule_id}", "messages.manage", ORGANIZATION),
    api("PATCH", "/reminder-rules/{rule_id}", "messages.manage", ORGANIZATION),
    api("GET", "/reminder-rules/{rule_id}/preview", "messages.manage", ORGANIZATION),
    page("GET", "messages/rules/", "messages.manage", ORGANIZATION),
    page("GET POST", "messages/rules/new/", "messages.manage", ORGANIZATION),
    page("POST", "messages/rules/recommended/", "messages.manage", ORGANIZATION),
    page("GET POST", "messages/rules/<uuid:rule_id>/", "messages.manage", ORGANIZATION),
    page("POST", "messages/rules/<uuid:rule_id>/deactivate/", "messages.manage", ORGANIZATION),
    page("GET", "messages/rules/<uuid:rule_id>/preview/", "messages.manage", ORGANIZATION),
]
