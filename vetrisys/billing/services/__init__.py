"""Writes of billing. Each checks the capability, validates, writes and records the audit
event in one transaction."""

from vetrisys.billing.services.charges import charge_add, charge_cancel
from vetrisys.billing.services.credit_notes import CreditLineSpec, credit_note_issue
from vetrisys.billing.services.day_close import day_close_create, expected_amounts
from vetrisys.billing.services.documents import LineSpec
from vetrisys.billing.services.estimates import (
    estimate_convert,
    estimate_create,
    estimate_set_status,
)
from vetrisys.billing.services.invoices import (
    invoice_create,
    invoice_create_from_charges,
    invoice_issue,
    invoice_update,
    invoice_void,
)
from vetrisys.billing.services.payments import payment_record
from vetrisys.billing.services.plans import payment_plan_create
from vetrisys.billing.services.prices import price_set
from vetrisys.billing.services.revenue import revenue_shares_rebuild, revenue_shares_verify

__all__ = [
    "CreditLineSpec",
    "LineSpec",
    "charge_add",
    "charge_cancel",
    "credit_note_issue",
    "day_close_create",
    "estimate_convert",
    "estimate_create",
    "estimate_set_status",
    "expected_amounts",
    "invoice_create",
    "invoice_create_from_charges",
    "invoice_issue",
    "invoice_update",
    "invoice_void",
    "payment_plan_create",
    "payment_record",
    "price_set",
    "revenue_shares_rebuild",
    "revenue_shares_verify",
]
