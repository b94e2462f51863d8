"""Who may call the clients routes and open its pages (see tests/security/README.md)."""

from tests.security.policy import LOCATION, ORGANIZATION, Rule, api, page

RULES: list[Rule] = [
    api("GET", "/clients", "clients.view", ORGANIZATION),
    api("POST", "/clients", "clients.manage", ORGANIZATION),
    api("GET", "/clients/{client_id}", "clients.view", ORGANIZATION),
    api("PATCH", "/clients/{client_id}", "clients.manage", ORGANIZATION),
    api("POST", "/clients/{client_id}/archive", "clients.manage", ORGANIZATION),
    api("GET", "/clients/{client_id}/communications", "clients.view", ORGANIZATION),
    api("POST", "/clients/{client_id}/communications", "clients.manage", ORGANIZATION),
    api("POST", "/clients/{client_id}/merge", "clients.manage", ORGANIZATION),
    api("GET", "/clients/{client_id}/patients", "clients.view", ORGANIZATION),
    api("POST", "/clients/{client_id}/restore", "clients.manage", ORGANIZATION),
    page("GET POST", "clients/", "clients.view", ORGANIZATION),
    page("GET POST", "clients/<uuid:client_id>/", "clients.view", ORGANIZATION),
    page("POST", "clients/<uuid:client_id>/archive/", "clients.manage", ORGANIZATION),
    page("POST", "clients/<uuid:client_id>/communications/", "clients.manage", ORGANIZATION),
    page("GET POST", "clients/<uuid:client_id>/edit/", "clients.manage", ORGANIZATION),
    page("POST", "clients/<uuid:client_id>/merge/", "clients.manage", ORGANIZATION),
    page("GET POST", "clients/new/", "clients.manage", LOCATION),
]
