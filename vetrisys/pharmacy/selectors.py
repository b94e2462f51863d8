"""Reads of prescriptions, within the actor's organization, bounded in queries."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.permissions import require
from vetrisys.core.errors import NotFound, ValidationFailed
from vetrisys.core.timeutil import today_in
from vetrisys.inventory.models import Product, StockBalance
from vetrisys.pharmacy.models import Prescription
from vetrisys.records.models import Visit


def _uuid(value: Any, field: str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError, ValidationError):
        raise ValidationFailed.for_field(field, _("Not a valid id.")) from None


def prescription_list(
    *, actor: Any, patient: Any = None, visit: Any = None, status: str = ""
) -> QuerySet[Prescription]:
    """Prescriptions, newest first, with what a list shows."""
    require(actor, Capability.RECORDS_VIEW)
    rows = Prescription.objects.filter(organization_id=actor.organization_id)
    if patient:
        rows = rows.filter(patient_id=_uuid(getattr(patient, "pk", patient), "patient"))
    if visit:
        rows = rows.filter(visit_id=_uuid(getattr(visit, "pk", visit), "visit"))
    if status:
        rows = rows.filter(status=status)
    return rows.select_related("patient", "product", "prescriber", "location").order_by(
        "-prescribed_at", "-id"
    )


def prescription_get(*, actor: Any, prescription_id: Any) -> Prescription:
    """One prescription of the organization, else 404."""
    found = (
        prescription_list(actor=actor)
        .select_related("patient__client", "patient__species", "location__organization", "visit")
        .filter(pk=_uuid(prescription_id, "prescription"))
        .first()
    )
    if found is None:
        raise NotFound(_("Prescription not found."))
    return found


def remaining_to_dispense(prescription: Prescription) -> Decimal:
    """How much of the prescription has not been dispensed yet."""
    return prescription.remaining_quantity


def visit_for_prescription(*, actor: Any, visit_id: Any) -> Visit:
    """A visit of the organization to prescribe on, else 404."""
    found = (
        Visit.objects.filter(organization_id=actor.organization_id, pk=_uuid(visit_id, "visit"))
        .select_related("location")
        .first()
    )
    if found is None:
        raise NotFound(_("Visit not found."))
    return found


def product_for_prescription(*, actor: Any, product_id: Any) -> Product:
    """A product of the organization, else 404."""
    found = Product.objects.filter(
        organization_id=actor.organization_id, pk=_uuid(product_id, "product")
    ).first()
    if found is None:
        raise NotFound(_("Product not found."))
    return found


def medications(*, actor: Any) -> QuerySet[Product]:
    """The organization's active medications, to prescribe from."""
    return Product.objects.filter(
        organization_id=actor.organization_id, kind=Product.Kind.MEDICATION, is_active=True
    ).order_by("name")


def dispense_queue(*, actor: Any, location: Any) -> QuerySet[Prescription]:
    """Active prescriptions of a location with something left to dispense, oldest first."""
    require(actor, Capability.PHARMACY_DISPENSE, location)
    return (
        Prescription.objects.filter(
            organization_id=actor.organization_id,
            location=location,
            status=Prescription.Status.ACTIVE,
            dispensed_quantity__lt=F("quantity") * (F("refills") + 1),
        )
        .select_related("patient__client", "product", "prescriber")
        .order_by("prescribed_at", "id")
    )


def dispense_lots(*, location: Any, product: Product) -> list[StockBalance]:
    """The product's lots with stock at a location, first to expire first; each says whether
    it has expired (`is_expired`)."""
    today = today_in(location.time_zone)
    rows = list(
        StockBalance.objects.filter(
            location=location, product=product, on_hand__gt=0
        ).select_related("lot")
    )
    for row in rows:
        row.is_expired = row.lot.expires_on is not None and row.lot.expires_on < today  # type: ignore[attr-defined]
    rows.sort(key=lambda b: (b.lot.expires_on is None, b.lot.expires_on or dt.date.max,
                             b.lot.lot_number))  # fmt: skip
    return rows
