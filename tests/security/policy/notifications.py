"""Who may call the notifications routes and open its pages (see tests/security/README.md)."""

from tests.security.policy import LOCATION, ORGANIZATION, Rule, api, page

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
    page("GET POST", "messages/rules/", "messages.manage", ORGANIZATION),
    page("GET POST", "messages/rules/new/", "messages.manage", ORGANIZATION),
    page("POST", "messages/rules/recommended/", "messages.manage", ORGANIZATION),
    page("GET POST", "messages/rules/<uuid:rule_id>/", "messages.manage", ORGANIZATION),
    page("POST", "messages/rules/<uuid:rule_id>/deactivate/", "messages.manage", ORGANIZATION),
    page("GET POST", "messages/rules/<uuid:rule_id>/preview/", "messages.manage", ORGANIZATION),
    # the outbox, templates and quiet hours
    api("GET", "/messages/{message_id}", "messages.view", LOCATION),
    api("POST", "/messages/{message_id}/retry", "messages.manage", LOCATION),
    api("POST", "/messages/{message_id}/cancel", "messages.manage", LOCATION),
    api("GET", "/message-templates/{kind}/{channel}/{language}", "messages.view", ORGANIZATION),
    api("PUT", "/message-templates/{kind}/{channel}/{language}", "messages.manage", ORGANIZATION),
    api(
        "DELETE", "/message-templates/{kind}/{channel}/{language}", "messages.manage", ORGANIZATION
    ),
    api("GET", "/locations/{location_id}/quiet-hours", "messages.view", LOCATION),
    api("PUT", "/locations/{location_id}/quiet-hours", "messages.manage", LOCATION),
    page("GET", "messages/", "messages.view", ORGANIZATION),
    page("GET", "messages/<uuid:message_id>/", "messages.view", LOCATION),
    page("POST", "messages/<uuid:message_id>/cancel/", "messages.manage", LOCATION),
    page("POST", "messages/<uuid:message_id>/retry/", "messages.manage", LOCATION),
    page("GET", "messages/quiet-hours/", "messages.view", ORGANIZATION),
    page("POST", "messages/quiet-hours/<uuid:location_id>/", "messages.manage", LOCATION),
    page("GET", "messages/templates/", "messages.view", ORGANIZATION),
    page(
        "GET",
        "messages/templates/<str:kind>/<str:channel>/<str:language>/",
        "messages.view",
        ORGANIZATION,
    ),
    page(
        "POST",
        "messages/templates/<str:kind>/<str:channel>/<str:language>/",
        "messages.manage",
        ORGANIZATION,
    ),
    page(
        "POST",
        "messages/templates/<str:kind>/<str:channel>/<str:language>/preview/",
        "messages.view",
        ORGANIZATION,
    ),
    page(
        "POST",
        "messages/templates/<str:kind>/<str:channel>/<str:language>/reset/",
        "messages.manage",
        ORGANIZATION,
    ),
]
