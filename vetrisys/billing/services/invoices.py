"""Invoices: drafts (editable), issue (numbered, immutable afterwards) and void."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.audit.services import record
from vetrisys.billing.models import Charge, DocumentType, Invoice, InvoiceLine
from vetrisys.billing.services.common import (
    check_location,
    check_same_organization,
    client_balance_add,
    locked,
    percent,
    raise_if,
    reason_text,
)
from vetrisys.billing.services.documents import (
    LineSpec,
    clean_lines,
    totals_snapshot,
    write_lines,
)
from vetrisys.billing.services.revenue import shares_issue, shares_void
from vetrisys.billing.services.series import take_number
from vetrisys.clients.models import Client
from vetrisys.core.errors import Conflict, ValidationFailed
from vetrisys.core.timeutil import now, today_in

Status = Invoice.Status


def immutable(invoice: Invoice) -> Conflict:
    """The 409 of any change to an invoice that is no longer a draft."""
    return Conflict(
        _("An issued invoice never changes; correct it with a credit note."),
        code="invoice_immutable",
        status=invoice.status,
    )


def lock_invoice(invoice: Invoice) -> Invoice:
    """The invoice re-read under a row lock (on PostgreSQL)."""
    fresh: Invoice = locked(Invoice.objects.filter(pk=invoice.pk)).get()
    return fresh


def _check_document_type(document_type: str, client: Client) -> None:
    if document_type not in (DocumentType.BOLETA, DocumentType.FACTURA):
        raise ValidationFailed.for_field("document_type", _("Choose boleta or factura."))
    if document_type == DocumentType.FACTURA and not (
        client.document_type == Client.DocumentType.RUC and client.document_number
    ):
        raise ValidationFailed.for_field("document_type", _("A factura needs an owner with a RUC."))


def _check_patient(client: Client, patient: Any) -> None:
    if patient is not None and patient.client_id != client.pk:
        raise ValidationFailed.for_field("patient", _("This patient belongs to another owner."))


def _charge_lines(
    actor: Any, location: Any, client: Client, charges: Sequence[Charge]
) -> list[Charge]:
    """The charges to put on a new invoice, locked: pending, the client's, the location's and
    on no other draft."""
    ids = [c.pk for c in charges]
    rows = list(locked(Charge.objects.filter(pk__in=ids)).order_by("created_at", "id"))
    for charge in rows:
        check_same_organization(actor, charge, _("Charge"))
        if (
            charge.status != Charge.Status.PENDING
            or charge.invoice_line_id is not None
            or charge.client_id != client.pk
            or charge.location_id != location.pk
        ):
            raise Conflict(
                _("A charge is no longer pending for this owner here; reload."),
                code="charge_unavailable",
                charge=str(charge.pk),
            )
    return rows


@transaction.atomic
def invoice_create(
    *,
    actor: Any,
    location: Any,
    client: Client,
    patient: Any = None,
    lines: Sequence[LineSpec] = (),
    charges: Sequence[Charge] = (),
    document_type: str = DocumentType.BOLETA,
    discount_percent: Any = Decimal(0),
    due_on: dt.date | None = None,
    notes: str = "",
) -> Invoice:
    """A draft invoice for a client: the chosen pending charges first, then the other lines."""
    check_location(actor, location, Capability.BILLING_INVOICE)
    check_same_organization(actor, client, _("Owner"))
    check_same_organization(actor, patient, _("Patient"))
    _check_patient(client, patient)
    _check_document_type(document_type, client)
    errors: dict[str, list[str]] = {}
    discount = percent(discount_percent, "discount_percent", errors)
    raise_if(errors)
    charge_rows = _charge_lines(actor, location, client, charges)
    specs = [
        LineSpec(
            product=c.product,
            description=c.description,
            quantity=c.quantity,
            unit_price=c.unit_price,
            tax_rate=c.tax_rate,
        )
        for c in charge_rows
    ] + list(lines)
    if not specs:
        raise ValidationFailed.for_field("lines", _("Add at least one line."))
    cleans = clean_lines(actor, location, specs)
    invoice = Invoice.objects.create(
        organization_id=actor.organization_id,
        location=location,
        client=client,
        patient=patient,
        document_type=document_type,
        currency=location.currency,
        discount_percent=discount,
        due_on=due_on,
        notes=(notes or "").strip(),
        created_by=actor,
    )
    created = write_lines(invoice, cleans, replace=False)
    invoice.save()
    for charge, line in zip(charge_rows, created, strict=False):
        charge.invoice_line = line  # type: ignore[assignment]
        charge.save(update_fields=["invoice_line", "updated_at"])
    record(
        actor=actor,
        action="invoice.create",
        target=invoice,
        location=location,
        changes={
            "client": client.pk,
            "patient": getattr(patient, "pk", None),
            "document_type": document_type,
            "lines": len(created),
            "charges": [c.pk for c in charge_rows],
            **totals_snapshot(invoice),
        },
    )
    return invoice


def invoice_create_from_charges(
    *, actor: Any, location: Any, client: Client, patient: Any = None, **options: Any
) -> Invoice:
    """A draft invoice with every pending charge of the client at the location (of the
    patient, when given)."""
    rows = Charge.objects.filter(
        organization_id=actor.organization_id,
        client=client,
        location=location,
        status=Charge.Status.PENDING,
        invoice_line__isnull=True,
    )
    if patient is not None:
        rows = rows.filter(patient=patient)
    return invoice_create(
        actor=actor, location=location, client=client, patient=patient, charges=list(rows),
        **options,
    )  # fmt: skip


UPDATABLE = {"patient", "document_type", "discount_percent", "due_on", "notes", "lines"}


@transaction.atomic
def invoice_update(*, actor: Any, invoice: Invoice, **changes: Any) -> Invoice:
    """Change a draft: its header fields, or all its lines (409 once issued)."""
    check_location(actor, invoice.location, Capability.BILLING_INVOICE)
    invoice = lock_invoice(invoice)
    if invoice.status != Status.DRAFT:
        raise immutable(invoice)
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise ValidationFailed(
            _("Some fields are not valid."),
            fields={name: [_("This field cannot be changed.")] for name in sorted(unknown)},
        )
    before = totals_snapshot(invoice) | {"document_type": invoice.document_type}
    errors: dict[str, list[str]] = {}
    if "discount_percent" in changes:
        invoice.discount_percent = percent(changes["discount_percent"], "discount_percent", errors)
    raise_if(errors)
    if "patient" in changes:
        check_same_organization(actor, changes["patient"], _("Patient"))
        _check_patient(invoice.client, changes["patient"])
        invoice.patient = changes["patient"]
    if "document_type" in changes:
        _check_document_type(changes["document_type"], invoice.client)
        invoice.document_type = changes["document_type"]
    if "due_on" in changes:
        invoice.due_on = changes["due_on"]
    if "notes" in changes:
        invoice.notes = (changes["notes"] or "").strip()
    if "lines" in changes:
        cleans = clean_lines(actor, invoice.location, list(changes["lines"]))
        if not cleans:
            raise ValidationFailed.for_field("lines", _("Add at least one line."))
        write_lines(invoice, cleans, replace=True)
    else:
        write_lines(invoice, [], replace=False)
    invoice.bump_version()
    invoice.save()
    after = totals_snapshot(invoice) | {"document_type": invoice.document_type}
    record(
        actor=actor,
        action="invoice.update",
        target=invoice,
        location=invoice.location_id,
        changes={k: [before[k], after[k]] for k in after if before[k] != after[k]}
        | {"fields": sorted(changes)},
    )
    return invoice


@transaction.atomic
def invoice_issue(*, actor: Any, invoice: Invoice) -> Invoice:
    """Give a draft the next number of its location's series; from now on it never changes."""
    check_location(actor, invoice.location, Capability.BILLING_INVOICE)
    invoice = lock_invoice(invoice)
    if invoice.status != Status.DRAFT:
        raise immutable(invoice)
    if not invoice.lines.exists():
        raise ValidationFailed.for_field("lines", _("Add at least one line."))
    series, number = take_number(invoice.location, invoice.document_type)
    invoice.series = series
    invoice.number = number
    invoice.full_number = series.format(number)
    invoice.status = Status.ISSUED if invoice.total > 0 else Status.PAID
    invoice.issued_at = now()
    invoice.issued_by = actor
    invoice.balance = invoice.total
    invoice.due_on = invoice.due_on or today_in(invoice.location.time_zone)
    invoice.bump_version()
    invoice.save()
    Charge.objects.filter(invoice_line__invoice=invoice).update(
        status=Charge.Status.INVOICED, updated_at=now()
    )
    shares_issue(invoice)
    client_balance_add(invoice.client_id, invoice.total)
    record(
        actor=actor,
        action="invoice.issue",
        target=invoice,
        location=invoice.location_id,
        changes={"number": invoice.full_number, "status": ["draft", invoice.status]}
        | totals_snapshot(invoice),
    )
    return invoice


@transaction.atomic
def invoice_void(*, actor: Any, invoice: Invoice, reason: str) -> Invoice:
    """Void an issued invoice nobody has paid or credited (its number stays used); its
    charges become pending again."""
    check_location(actor, invoice.location, Capability.BILLING_VOID)
    text = reason_text(reason)
    invoice = lock_invoice(invoice)
    if invoice.status == Status.DRAFT:
        raise Conflict(_("A draft is not voided; it was never issued."), code="wrong_status")
    if invoice.status == Status.VOID:
        raise Conflict(_("This invoice is already void."), code="wrong_status")
    if invoice.payments.exists() or invoice.credit_notes.exists():
        raise Conflict(
            _("An invoice with payments or credit notes cannot be voided; issue a credit note."),
            code="invoice_has_payments",
        )
    previous = invoice.status
    client_balance_add(invoice.client_id, -invoice.balance)
    invoice.status = Status.VOID
    invoice.void_reason = text
    invoice.voided_at = now()
    invoice.voided_by = actor
    invoice.bump_version()
    invoice.save()
    shares_void(invoice)
    Charge.objects.filter(invoice_line__invoice=invoice).update(
        status=Charge.Status.PENDING, invoice_line=None, updated_at=now()
    )
    record(
        actor=actor,
        action="invoice.void",
        target=invoice,
        location=invoice.location_id,
        changes={"status": [previous, "void"], "reason": text},
    )
    return invoice


def refresh_status(invoice: Invoice) -> None:
    """The payment status that follows from the amounts (issued, partially paid, paid,
    credited)."""
    invoice.balance = invoice.total - invoice.paid_total - invoice.credited_total
    if invoice.balance == 0:
        invoice.status = Status.PAID if invoice.paid_total > 0 else Status.CREDITED
    elif invoice.paid_total > 0 or invoice.credited_total > 0:
        invoice.status = Status.PARTIALLY_PAID
    else:
        invoice.status = Status.ISSUED


def invoice_lines_of(invoice: Invoice) -> list[InvoiceLine]:
    """The invoice's lines in order."""
    return list(invoice.lines.order_by("position", "id"))
