"""Staff screens of billing: checkout, invoices and their receipts, estimates, payment plans,
receivables and statements, the day close and the price list."""

from vetrisys.billing.views.accounts import plan_list, receivables, statement, statement_pdf
from vetrisys.billing.views.checkout import (
    checkout,
    checkout_line,
    checkout_start,
    checkout_totals,
)
from vetrisys.billing.views.day_close import day_close
from vetrisys.billing.views.estimates import (
    estimate_accept,
    estimate_convert,
    estimate_create,
    estimate_detail,
    estimate_list,
    estimate_pdf,
)
from vetrisys.billing.views.invoices import (
    invoice_credit_note,
    invoice_detail,
    invoice_issue,
    invoice_list,
    invoice_pay,
    invoice_plan,
    invoice_void,
    receipt_email,
    receipt_pdf,
    receipt_print,
)
from vetrisys.billing.views.prices import price_edit, price_list

__all__ = [
    "checkout", "checkout_line", "checkout_start", "checkout_totals", "day_close",
    "estimate_accept", "estimate_convert", "estimate_create", "estimate_detail",
    "estimate_list", "estimate_pdf", "invoice_credit_note", "invoice_detail", "invoice_issue",
    "invoice_list", "invoice_pay", "invoice_plan", "invoice_void", "plan_list", "price_edit",
    "price_list", "receipt_email", "receipt_pdf", "receipt_print", "receivables", "statement",
    "statement_pdf",
]  # fmt: skip
