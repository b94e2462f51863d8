"""Who may call the pharmacy routes and open its pages (see tests/security/README.md)."""

from tests.security.policy import LOCATION, ORGANIZATION, Rule, api, page

RULES: list[Rule] = [
    api("GET", "/prescriptions", "records.view", ORGANIZATION),
    api("POST", "/prescriptions", "prescriptions.write", LOCATION),
    api("GET", "/prescriptions/{prescription_id}", "records.view", ORGANIZATION),
    api("POST", "/prescriptions/{prescription_id}/dispense", "pharmacy.dispense", LOCATION),
    api("GET", "/prescriptions/{prescription_id}/label.pdf", "records.view", ORGANIZATION),
    api("GET", "/prescriptions/{prescription_id}/prescription.pdf", "records.view", ORGANIZATION),
    page(
        "GET POST",
        "pharmacy/prescriptions/<uuid:prescription_id>/dispense/",
        "pharmacy.dispense",  # at the location where it is dispensed, the user's own
        ORGANIZATION,
    ),
    page(
        "GET POST",
        "pharmacy/prescriptions/<uuid:prescription_id>/label.pdf",
        "records.view",
        ORGANIZATION,
    ),
    page(
        "GET POST",
        "pharmacy/prescriptions/<uuid:prescription_id>/prescription.pdf",
        "records.view",
        ORGANIZATION,
    ),
    page("GET POST", "pharmacy/queue/", "pharmacy.dispense", LOCATION),
    page("POST", "pharmacy/visits/<uuid:visit_id>/prescriptions/", "prescriptions.write", LOCATION),
]
