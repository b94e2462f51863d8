"""Writes of medical records. Each checks the capability and the visit's lock, validates,
writes and audits in one transaction."""

from vetrisys.records.services.catalog import (
    diagnosis_term_create,
    diagnosis_term_set_active,
    soap_template_create,
    soap_template_update,
)
from vetrisys.records.services.clinical import (
    attachment_link,
    attachment_upload_to_visit,
    diagnosis_add,
    diagnosis_remove,
    lab_result_add,
    problem_add,
    problem_resolve,
    vitals_add,
)
from vetrisys.records.services.procedures import CHARGE_SOURCE, procedure_add, procedure_remove
from vetrisys.records.services.visits import (
    addendum_add,
    soap_save,
    visit_open,
    visit_record_read,
    visit_sign,
    visit_start_from_appointment,
    visit_update,
)

__all__ = [
    "CHARGE_SOURCE",
    "addendum_add",
    "attachment_link",
    "attachment_upload_to_visit",
    "diagnosis_add",
    "diagnosis_remove",
    "diagnosis_term_create",
    "diagnosis_term_set_active",
    "lab_result_add",
    "problem_add",
    "problem_resolve",
    "procedure_add",
    "procedure_remove",
    "soap_save",
    "soap_template_create",
    "soap_template_update",
    "visit_open",
    "visit_record_read",
    "visit_sign",
    "visit_start_from_appointment",
    "visit_update",
    "vitals_add",
]
