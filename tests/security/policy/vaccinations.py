"""Who may call the vaccinations routes and open its pages (see tests/security/README.md)."""

from tests.security.policy import AUTHENTICATED, LOCATION, ORGANIZATION, OWN, Rule, api, page

RULES: list[Rule] = [
    api("GET", "/patients/{patient_id}/vaccination-certificate.pdf", "records.view", ORGANIZATION),
    api("GET", "/patients/{patient_id}/vaccine-status", "patients.view", ORGANIZATION),
    api("GET", "/vaccinations", "records.view", ORGANIZATION),
    api("POST", "/vaccinations", "vaccinations.give", LOCATION),
    api("GET", "/vaccinations/{vaccination_id}", "records.view", ORGANIZATION),
    api("GET", "/vaccine-protocols", AUTHENTICATED, OWN),
    api("POST", "/vaccine-protocols", "records.sign", ORGANIZATION),
    api("PATCH", "/vaccine-protocols/{protocol_id}", "records.sign", ORGANIZATION),
    page("GET POST", "vaccinations/patients/<uuid:patient_id>/", "patients.view", ORGANIZATION),
    page(
        "GET POST",
        "vaccinations/patients/<uuid:patient_id>/certificate.pdf",
        "records.view",
        ORGANIZATION,
    ),
    page("GET", "vaccinations/protocols/", AUTHENTICATED, OWN),
    page("POST", "vaccinations/protocols/", "records.sign", ORGANIZATION),
    page("GET", "vaccinations/protocols/<uuid:protocol_id>/", AUTHENTICATED, OWN),
    page("POST", "vaccinations/protocols/<uuid:protocol_id>/", "records.sign", ORGANIZATION),
    page("POST", "vaccinations/visits/<uuid:visit_id>/add/", "vaccinations.give", LOCATION),
]
