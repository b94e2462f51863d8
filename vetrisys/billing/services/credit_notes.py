"""Credit notes: corrections of issued invoices, numbered in their own series."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.audit.services import record
from vetrisys.billing.models import (
    QUANTITY_PLACES,
    ClientCreditEntry,
    CreditNote,
    CreditNoteLine,
    DocumentType,
    Invoice,
    InvoiceLine,
    PaymentMethod,
)
from vetrisys.billing.services.common import (
    check_location,
    client_balance_add,
    decimal,
    raise_if,
    reason_text,
)
from vetrisys.billing.services.invoices import lock_invoice, refresh_status
from vetrisys.billing.services.revenue import shares_credit_note
from vetrisys.billing.services.series import take_number
from vetrisys.core.errors import Conflict, NotFound, ValidationFailed
from vetrisys.core.money import quantize
from vetrisys.core.timeutil import now

CREDITABLE = {Invoice.Status.ISSUED, Invoice.Status.PARTIALLY_PAID, Invoice.Status.PAID}
SERIES_OF = {
    DocumentType.BOLETA: DocumentType.CREDIT_NOTE_BOLETA,
    DocumentType.FACTURA: DocumentType.CREDIT_NOTE_FACTURA,
}


@dataclass(frozen=True)
class CreditLineSpec:
    """An invoice line to credit, entirely or for part of its quantity."""

    line: Any
    quantity: Any = None


def _line_credit(
    invoice: Invoice, spec: CreditLineSpec, index: int, errors: dict[str, list[str]]
) -> CreditNoteLine | None:
    line = spec.line
    if not isinstance(line, InvoiceLine) or line.invoice_id != invoice.pk:
        raise NotFound(_("Invoice line not found."))
    field = f"lines.{index}.quantity"
    quantity = (
        decimal(spec.quantity, field, errors, places=QUANTITY_PLACES, positive=True)
        if spec.quantity is not None
        else line.quantity
    )
    if quantity > line.quantity:
        errors.setdefault(field, []).append(_("More than the line's quantity."))
        return None
    if quantity == line.quantity:
        net, tax = line.net_amount, line.tax_amount
    else:
        net = quantize(line.net_amount * quantity / line.quantity, invoice.currency)
        tax = quantize(net * line.tax_rate / 100, invoice.currency)
    already = line.credit_lines.aggregate(total=Sum("total_amount"))["total"] or Decimal(0)
    if already + net + tax > line.total_amount:
        raise Conflict(
            _("Line %(line)s has already been credited.") % {"line": line.description},
            code="credit_exceeds_invoice",
        )
    return CreditNoteLine(
        invoice_line=line,
        description=line.description,
        quantity=quantity,
        net_amount=net,
        tax_amount=tax,
        total_amount=net + tax,
    )


@transaction.atomic
def credit_note_issue(
    *,
    actor: Any,
    invoice: Invoice,
    reason: str,
    amount: Any = None,
    lines: Sequence[CreditLineSpec] = (),
    outcome: str = CreditNote.Outcome.CREDIT,
    refund_method: str = "",
) -> CreditNote:
    """Correct an issued invoice by an amount or by lines: first the open balance goes down;
    what was already paid beyond that becomes the client's credit or is refunded."""
    check_location(actor, invoice.location, Capability.BILLING_VOID)
    text = reason_text(reason)
    errors: dict[str, list[str]] = {}
    if (amount is None) == (not lines):
        raise ValidationFailed.for_field("amount", _("Give either an amount or lines."))
    if outcome not in CreditNote.Outcome.values:
        errors["outcome"] = [_("Keep as credit or refund.")]
    if outcome == CreditNote.Outcome.REFUND and refund_method not in (
        set(PaymentMethod.values) - {PaymentMethod.CREDIT}
    ):
        errors["refund_method"] = [_("Say how the money is refunded.")]
    invoice = lock_invoice(invoice)
    if invoice.status not in CREDITABLE:
        raise Conflict(
            _("Only an issued invoice can be credited."),
            code="wrong_status",
            status=invoice.status,
        )
    credit_lines: list[CreditNoteLine] = []
    if lines:
        for index, spec in enumerate(lines):
            found = _line_credit(invoice, spec, index, errors)
            if found is not None:
                credit_lines.append(found)
        raise_if(errors)
        net = sum((c.net_amount for c in credit_lines), Decimal("0.00"))
        tax = sum((c.tax_amount for c in credit_lines), Decimal("0.00"))
    else:
        total = decimal(amount, "amount", errors, places=2, positive=True)
        raise_if(errors)
        tax = (
            quantize(total * invoice.tax_total / invoice.total, invoice.currency)
            if invoice.total
            else Decimal("0.00")
        )
        net = total - tax
        credit_lines.append(
            CreditNoteLine(
                description=_("Adjustment"), net_amount=net, tax_amount=tax, total_amount=total
            )
        )
    credit = net + tax
    creditable = invoice.total - invoice.credited_total
    if credit > creditable:
        raise Conflict(
            _("That is more than the %(amount)s left to credit on the invoice.")
            % {"amount": creditable},
            code="credit_exceeds_invoice",
            creditable=str(creditable),
        )
    applied = min(credit, invoice.balance)
    rest = credit - applied
    series, number = take_number(invoice.location, SERIES_OF[DocumentType(invoice.document_type)])
    note = CreditNote.objects.create(
        organization_id=invoice.organization_id,
        location_id=invoice.location_id,
        invoice=invoice,
        client_id=invoice.client_id,
        series=series,
        number=number,
        full_number=series.format(number),
        reason=text,
        net_amount=net,
        tax_amount=tax,
        amount=credit,
        applied_to_balance=applied,
        outcome=outcome,
        refunded_amount=rest if outcome == CreditNote.Outcome.REFUND else Decimal("0.00"),
        refund_method=refund_method if outcome == CreditNote.Outcome.REFUND else "",
        credited_to_client=rest if outcome == CreditNote.Outcome.CREDIT else Decimal("0.00"),
        issued_at=now(),
        issued_by=actor,
    )
    for line in credit_lines:
        line.credit_note = note
    CreditNoteLine.objects.bulk_create(credit_lines)
    shares_credit_note(invoice, note)
    if note.credited_to_client:
        ClientCreditEntry.objects.create(
            organization_id=invoice.organization_id,
            client_id=invoice.client_id,
            kind=ClientCreditEntry.Kind.CREDIT_NOTE,
            amount=note.credited_to_client,
            credit_note=note,
            created_by=actor,
        )
    previous = invoice.status
    # What was paid beyond the new total leaves the invoice (as credit or as a refund).
    invoice.credited_total += credit
    invoice.paid_total -= rest
    refresh_status(invoice)
    invoice.bump_version()
    invoice.save()
    client_balance_add(invoice.client_id, -applied)
    record(
        actor=actor,
        action="credit_note.issue",
        target=note,
        location=invoice.location_id,
        changes={
            "invoice": invoice.full_number,
            "number": note.full_number,
            "amount": credit,
            "applied_to_balance": applied,
            "refunded": note.refunded_amount,
            "refund_method": note.refund_method,
            "credited_to_client": note.credited_to_client,
            "reason": text,
            "status": [previous, invoice.status],
        },
    )
    return note
