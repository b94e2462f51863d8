"""Estimates: quotes with lines and totals; accepted, they convert into a draft invoice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.audit.services import record
from vetrisys.billing.models import Estimate, Invoice
from vetrisys.billing.services.common import (
    check_location,
    check_same_organization,
    locked,
    percent,
    raise_if,
)
from vetrisys.billing.services.documents import (
    LineSpec,
    clean_lines,
    totals_snapshot,
    write_lines,
)
from vetrisys.billing.services.invoices import invoice_create
from vetrisys.core.errors import Conflict, ValidationFailed
from vetrisys.core.timeutil import today_in

Status = Estimate.Status
TRANSITIONS = {
    Status.DRAFT: {Status.SENT, Status.ACCEPTED, Status.DECLINED},
    Status.SENT: {Status.ACCEPTED, Status.DECLINED},
    Status.ACCEPTED: {Status.DECLINED},
}
DEFAULT_VALIDITY = dt.timedelta(days=30)


@transaction.atomic
def estimate_create(
    *,
    actor: Any,
    location: Any,
    client: Any,
    lines: Sequence[LineSpec],
    patient: Any = None,
    valid_until: dt.date | None = None,
    discount_percent: Any = Decimal(0),
    notes: str = "",
) -> Estimate:
    """A quote for a client, valid for 30 days unless told."""
    check_location(actor, location, Capability.BILLING_INVOICE)
    check_same_organization(actor, client, _("Owner"))
    check_same_organization(actor, patient, _("Patient"))
    if patient is not None and patient.client_id != client.pk:
        raise ValidationFailed.for_field("patient", _("This patient belongs to another owner."))
    errors: dict[str, list[str]] = {}
    discount = percent(discount_percent, "discount_percent", errors)
    today = today_in(location.time_zone)
    if valid_until is not None and valid_until < today:
        errors["valid_until"] = [_("The date has passed.")]
    raise_if(errors)
    if not lines:
        raise ValidationFailed.for_field("lines", _("Add at least one line."))
    cleans = clean_lines(actor, location, list(lines))
    estimate = Estimate.objects.create(
        organization_id=actor.organization_id,
        location=location,
        client=client,
        patient=patient,
        valid_until=valid_until or today + DEFAULT_VALIDITY,
        currency=location.currency,
        discount_percent=discount,
        notes=(notes or "").strip(),
        created_by=actor,
    )
    write_lines(estimate, cleans, replace=False)
    estimate.save()
    record(
        actor=actor,
        action="estimate.create",
        target=estimate,
        location=location,
        changes={"client": client.pk, "valid_until": estimate.valid_until}
        | totals_snapshot(estimate),
    )
    return estimate


def _is_expired(estimate: Estimate) -> bool:
    return estimate.valid_until < today_in(estimate.location.time_zone)


@transaction.atomic
def estimate_set_status(*, actor: Any, estimate: Estimate, status: str) -> Estimate:
    """Mark an estimate sent, accepted or declined."""
    check_location(actor, estimate.location, Capability.BILLING_INVOICE)
    estimate = locked(Estimate.objects.filter(pk=estimate.pk)).select_related("location").get()
    if status not in TRANSITIONS.get(Status(estimate.status), set()):
        raise Conflict(
            _("An estimate that is %(status)s cannot become %(next)s.")
            % {"status": estimate.get_status_display(), "next": status},
            code="wrong_status",
        )
    if status == Status.ACCEPTED and _is_expired(estimate):
        raise Conflict(_("This estimate has expired."), code="estimate_expired")
    previous = estimate.status
    estimate.status = status
    estimate.bump_version()
    estimate.save()
    record(
        actor=actor,
        action="estimate.status",
        target=estimate,
        location=estimate.location_id,
        changes={"status": [previous, status]},
    )
    return estimate


@transaction.atomic
def estimate_convert(*, actor: Any, estimate: Estimate, document_type: str = "boleta") -> Invoice:
    """Turn an estimate into a draft invoice with the same lines and prices."""
    check_location(actor, estimate.location, Capability.BILLING_INVOICE)
    estimate = (
        locked(Estimate.objects.filter(pk=estimate.pk))
        .select_related("location", "client", "patient")
        .get()
    )
    if estimate.status in (Status.CONVERTED, Status.DECLINED):
        raise Conflict(
            _("This estimate is %(status)s.") % {"status": estimate.get_status_display()},
            code="wrong_status",
        )
    if _is_expired(estimate):
        raise Conflict(_("This estimate has expired."), code="estimate_expired")
    invoice = invoice_create(
        actor=actor,
        location=estimate.location,
        client=estimate.client,
        patient=estimate.patient,
        document_type=document_type,
        discount_percent=estimate.discount_percent,
        lines=[
            LineSpec(
                product=line.product,
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent or None,
                discount_amount=line.discount_amount or None,
                tax_rate=line.tax_rate,
            )
            for line in estimate.lines.order_by("position", "id")
        ],
    )
    previous = estimate.status
    estimate.status = Status.CONVERTED
    estimate.invoice = invoice
    estimate.bump_version()
    estimate.save()
    record(
        actor=actor,
        action="estimate.convert",
        target=estimate,
        location=estimate.location_id,
        changes={"status": [previous, "converted"], "invoice": invoice.pk},
    )
    return invoice
