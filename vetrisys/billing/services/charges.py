"""Pending charges: what was performed or dispensed, waiting to be invoiced."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.audit.services import record
from vetrisys.billing.models import QUANTITY_PLACES, UNIT_PRICE_PLACES, Charge, Invoice
from vetrisys.billing.prices import current_price
from vetrisys.billing.services.common import (
    check_location,
    check_same_organization,
    decimal,
    locked,
    raise_if,
    reason_text,
)
from vetrisys.billing.services.documents import recompute
from vetrisys.core.errors import Conflict, ValidationFailed

CHARGE_CAPABILITIES = (
    Capability.RECORDS_WRITE,
    Capability.PHARMACY_DISPENSE,
    Capability.BILLING_INVOICE,
)


def _existing(organization_id: Any, source: str, source_id: uuid.UUID) -> Charge | None:
    return (
        Charge.objects.filter(organization_id=organization_id, source=source, source_id=source_id)
        .exclude(status=Charge.Status.CANCELLED)
        .first()
    )


@transaction.atomic
def charge_add(
    *,
    actor: Any,
    location: Any,
    client: Any,
    patient: Any,
    product: Any,
    quantity: Decimal,
    source: str,
    source_id: uuid.UUID,
    description: str = "",
    unit_price: Decimal | None = None,
) -> Charge:
    """Record a pending charge for something performed or dispensed; a second call for the
    same source returns the charge already there."""
    check_location(actor, location, *CHARGE_CAPABILITIES)
    check_same_organization(actor, client, _("Owner"))
    check_same_organization(actor, patient, _("Patient"))
    check_same_organization(actor, product, _("Price item"))
    existing = _existing(actor.organization_id, source, source_id)
    if existing is not None:
        return existing
    errors: dict[str, list[str]] = {}
    source = (source or "").strip()
    if not source or len(source) > 50:
        errors["source"] = [_("Name the source (50 characters at most).")]
    if patient is not None and patient.client_id != client.pk:
        errors["patient"] = [_("This patient belongs to another owner.")]
    amount = decimal(quantity, "quantity", errors, places=QUANTITY_PLACES, positive=True)
    price = (
        decimal(unit_price, "unit_price", errors, places=UNIT_PRICE_PLACES)
        if unit_price is not None
        else current_price(location, product)
    )
    text = (description or "").strip() or product.name
    if len(text) > 300:
        errors["description"] = [_("300 characters at most.")]
    raise_if(errors)
    try:
        with transaction.atomic():
            charge = Charge.objects.create(
                organization_id=actor.organization_id,
                location=location,
                client=client,
                patient=patient,
                product=product,
                description=text,
                quantity=amount,
                unit_price=price,
                tax_rate=product.tax_rate,
                source=source,
                source_id=source_id,
                created_by=actor,
            )
    except IntegrityError:
        # Another caller added the same source's charge a moment ago: theirs is the charge.
        found = _existing(actor.organization_id, source, source_id)
        if found is None:
            raise
        return found
    record(
        actor=actor,
        action="charge.add",
        target=charge,
        location=location,
        changes={
            "client": client.pk,
            "patient": getattr(patient, "pk", None),
            "product": product.pk,
            "quantity": amount,
            "unit_price": price,
            "tax_rate": product.tax_rate,
            "source": source,
            "source_id": source_id,
        },
    )
    return charge


@transaction.atomic
def charge_cancel(*, actor: Any, source: str, source_id: uuid.UUID, reason: str) -> int:
    """Cancel the still-pending charges of a source (taking them off a draft invoice); 409 when
    one is already on an issued invoice. Returns how many were cancelled."""
    text = reason_text(reason)
    charges = list(
        locked(
            Charge.objects.filter(
                organization_id=actor.organization_id, source=source, source_id=source_id
            ).exclude(status=Charge.Status.CANCELLED)
        ).select_related("location", "invoice_line__invoice")
    )
    for charge in charges:
        check_location(actor, charge.location, *CHARGE_CAPABILITIES)
        if charge.status == Charge.Status.INVOICED:
            raise Conflict(
                _("This charge is already on an issued invoice; correct it with a credit note."),
                code="charge_invoiced",
            )
    drafts: dict[Any, Invoice] = {}
    for charge in charges:
        line = charge.invoice_line
        if line is not None:
            if line.invoice.status != Invoice.Status.DRAFT:
                raise ValidationFailed(_("Inconsistent charge."))  # pragma: no cover
            drafts[line.invoice.pk] = line.invoice
            charge.invoice_line = None
            charge.save(update_fields=["invoice_line", "updated_at"])
            line.delete()
        charge.status = Charge.Status.CANCELLED
        charge.cancelled_reason = text
        charge.bump_version()
        charge.save(update_fields=["status", "cancelled_reason", "version", "updated_at"])
        record(
            actor=actor,
            action="charge.cancel",
            target=charge,
            location=charge.location_id,
            changes={"status": ["pending", "cancelled"], "reason": text},
        )
    for invoice in drafts.values():
        recompute(invoice)
        invoice.bump_version()
        invoice.save()
    return len(charges)
