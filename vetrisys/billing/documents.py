"""The printed documents of billing (receipt/invoice, estimate, client statement): their
context, and their rendering to PDF in the client's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vetrisys.billing.models import (
    ZERO,
    CreditNote,
    DocumentLine,
    Estimate,
    Invoice,
    Payment,
    PaymentMethod,
)
from vetrisys.core.pdf import render_pdf


def client_language(client: Any) -> str:
    """The language documents for this client are written in (Spanish unless told)."""
    return getattr(client, "language", "") or "es"


def _local(moment: dt.datetime | None, zone: str) -> dt.datetime | None:
    return moment.astimezone(ZoneInfo(zone)) if moment else None


def _address(client: Any) -> str:
    parts = [getattr(client, name, "") for name in ("address", "district", "city")]
    return ", ".join(part for part in parts if part)


def document_lines(lines: Iterable[DocumentLine]) -> list[dict[str, Any]]:
    """Each line with its discount (gross minus net: line and invoice discounts together)."""
    return [
        {
            "description": line.description,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "discount": line.gross_amount - line.net_amount,
            "discount_percent": line.discount_percent,
            "tax_rate": line.tax_rate,
            "amount": line.net_amount,
            "total": line.total_amount,
        }
        for line in lines
    ]


def _split_taxable(lines: list[dict[str, Any]]) -> tuple[Decimal, Decimal]:
    taxable = sum((row["amount"] for row in lines if row["tax_rate"]), ZERO)
    exempt = sum((row["amount"] for row in lines if not row["tax_rate"]), ZERO)
    return taxable, exempt


def payment_rows(payments: Iterable[Payment], zone: str) -> list[dict[str, Any]]:
    """Payments as printed: local date, method (with the wallet's name), reference, amount."""
    rows = []
    for payment in payments:
        label = str(PaymentMethod(payment.method).label)
        if payment.wallet_provider:
            label = f"{label} ({payment.get_wallet_provider_display()})"
        received = _local(payment.received_at, zone)
        rows.append(
            {
                "paid_on": received.date() if received else None,
                "method_label": label,
                "reference": payment.reference,
                "amount": payment.amount,
                "cash_tendered": payment.cash_tendered,
                "change_given": payment.change_given,
                "kept_as_credit": payment.kept_as_credit,
            }
        )
    return rows


def receipt_context(invoice: Invoice, *, for_pdf: bool = True) -> dict[str, Any]:
    """Everything the receipt shows, read from the invoice and its related rows."""
    location = invoice.location
    zone = location.time_zone
    lines = document_lines(invoice.lines.all())
    taxable, exempt = _split_taxable(lines)
    credit_notes: list[CreditNote] = list(invoice.credit_notes.all())
    issued = _local(invoice.issued_at, zone)
    return {
        "for_pdf": for_pdf,
        "invoice": invoice,
        "organization": location.organization,
        "location": location,
        "client": invoice.client,
        "client_address": _address(invoice.client),
        "patient": invoice.patient,
        "kind_label": invoice.get_document_type_display(),
        "number": invoice.full_number,
        "issued_on": issued.date() if issued else None,
        "status_label": invoice.get_status_display(),
        "is_void": invoice.status == Invoice.Status.VOID,
        "void_reason": invoice.void_reason,
        "currency": invoice.currency,
        "tax_rate": location.tax_rate.normalize(),
        "cashier": invoice.issued_by.display_name if invoice.issued_by else "",
        "lines": lines,
        "totals": {
            "subtotal": invoice.subtotal,
            "discount_total": invoice.discount_total,
            "taxable": taxable,
            "exempt": exempt,
            "tax_total": invoice.tax_total,
            "total": invoice.total,
            "paid_total": invoice.paid_total,
            "credited_total": invoice.credited_total,
            "balance": invoice.balance,
        },
        "payments": payment_rows(invoice.payments.all(), zone),
        "credit_notes": [
            {"number": note.full_number, "reason": note.reason, "amount": note.amount}
            for note in credit_notes
        ],
        "printed_at": _printed_at(zone),
    }


def estimate_context(estimate: Estimate, *, for_pdf: bool = True) -> dict[str, Any]:
    """Everything the printed estimate shows."""
    location = estimate.location
    lines = document_lines(estimate.lines.all())
    taxable, exempt = _split_taxable(lines)
    created = _local(estimate.created_at, location.time_zone)
    return {
        "for_pdf": for_pdf,
        "estimate": estimate,
        "organization": location.organization,
        "location": location,
        "client": estimate.client,
        "client_address": _address(estimate.client),
        "patient": estimate.patient,
        "kind_label": _("Estimate"),
        "number": estimate_number(estimate),
        "issued_on": created.date() if created else None,
        "valid_until": estimate.valid_until,
        "status_label": estimate.get_status_display(),
        "currency": estimate.currency,
        "tax_rate": location.tax_rate.normalize(),
        "lines": lines,
        "totals": {
            "subtotal": estimate.subtotal,
            "discount_total": estimate.discount_total,
            "taxable": taxable,
            "exempt": exempt,
            "tax_total": estimate.tax_total,
            "total": estimate.total,
        },
        "notes": estimate.notes,
        "printed_at": _printed_at(location.time_zone),
    }


def estimate_number(estimate: Estimate) -> str:
    """Estimates carry no fiscal number: a short reference from the id is printed instead."""
    return f"P-{str(estimate.pk)[-8:].upper()}"


def _printed_at(zone: str) -> str:
    return timezone.now().astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def render_in(language: str, template_name: str, context: dict[str, Any]) -> bytes:
    """Render a document to PDF with `language` active (the client's, not the cashier's)."""
    with translation.override(language):
        return render_pdf(template_name, context)


def receipt_pdf(invoice: Invoice) -> bytes:
    """The receipt of an invoice as PDF, in its client's language (labels included)."""
    with translation.override(client_language(invoice.client)):
        return render_pdf("billing/receipt_pdf.html", receipt_context(invoice))


def estimate_pdf(estimate: Estimate) -> bytes:
    """An estimate as PDF, in its client's language (labels included)."""
    with translation.override(client_language(estimate.client)):
        return render_pdf("billing/estimate_pdf.html", estimate_context(estimate))


def receipt_filename(invoice: Invoice) -> str:
    """receipt-B001-00000042.pdf (a draft: receipt-draft.pdf)."""
    return f"receipt-{invoice.full_number or 'draft'}.pdf"
