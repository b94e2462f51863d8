"""Writes of prescriptions: written on an open visit by whoever may both write the record and
prescribe at its location; dispensed by whoever may dispense at the pharmacy's location."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.permissions import require
from vetrisys.audit.services import record
from vetrisys.billing.services.charges import charge_add
from vetrisys.core.errors import Conflict, NotFound, ValidationFailed
from vetrisys.core.ids import uuid7
from vetrisys.inventory.models import Lot, Product
from vetrisys.inventory.services.common import check_location
from vetrisys.inventory.services.common import quantity as stock_quantity
from vetrisys.inventory.services.stock import stock_dispense
from vetrisys.pharmacy.models import Prescription, PrescriptionDispense
from vetrisys.records.models import Visit
from vetrisys.records.services.common import open_visit_for_write

MAX_QUANTITY = Decimal("99999999999")


def _quantity(value: Any, errors: dict[str, list[str]]) -> Decimal | None:
    if value is None or str(value).strip() == "":
        errors["quantity"] = [_("Enter the quantity to dispense.")]
        return None
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors["quantity"] = [_("Enter a number.")]
        return None
    exponent = amount.as_tuple().exponent
    if not amount.is_finite() or amount <= 0:
        errors["quantity"] = [_("The quantity must be greater than zero.")]
    elif isinstance(exponent, int) and exponent < -3:
        errors["quantity"] = [_("Three decimals at most.")]
    elif amount > MAX_QUANTITY:
        errors["quantity"] = [_("The quantity is too large.")]
    return amount


def _text(
    value: Any, field: str, limit: int, errors: dict[str, list[str]], *, required: bool
) -> str:
    cleaned = str(value or "").strip()
    if required and not cleaned:
        errors[field] = [_("This field is required.")]
    elif len(cleaned) > limit:
        errors[field] = [_("%(limit)d characters at most.") % {"limit": limit}]
    return cleaned


@transaction.atomic
def prescription_create(
    *,
    actor: Any,
    visit: Visit,
    product: Product,
    dose: str,
    route: str,
    frequency: str,
    quantity: Any,
    duration_days: int | None = None,
    refills: int = 0,
    instructions: str = "",
) -> Prescription:
    """Prescribe a medication on an open visit: 409 once the visit is signed, 422 with the
    fields when dose, route, frequency or quantity are missing or wrong."""
    if visit.organization_id != actor.organization_id:
        raise NotFound(_("Visit not found."))
    require(actor, Capability.PRESCRIPTIONS_WRITE, visit.location_id)
    visit = open_visit_for_write(actor, visit)
    if product.organization_id != actor.organization_id:
        raise NotFound(_("Product not found."))
    errors: dict[str, list[str]] = {}
    if product.kind != Product.Kind.MEDICATION:
        errors["product"] = [_("Choose a medication.")]
    clean_dose = _text(dose, "dose", 100, errors, required=True)
    clean_frequency = _text(frequency, "frequency", 100, errors, required=True)
    clean_instructions = _text(instructions, "instructions", 2000, errors, required=False)
    if route not in Prescription.Route.values:
        errors["route"] = [_("Choose a route from the list.")]
    amount = _quantity(quantity, errors)
    if duration_days is not None and not 1 <= duration_days <= 3650:
        errors["duration_days"] = [_("Enter a number of days from 1 to 3650.")]
    if not 0 <= refills <= 99:
        errors["refills"] = [_("Enter a number from 0 to 99.")]
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)
    assert amount is not None
    prescription = Prescription.objects.create(
        organization_id=actor.organization_id,
        location_id=visit.location_id,
        visit=visit,
        patient_id=visit.patient_id,
        prescriber=actor,
        product=product,
        dose=clean_dose,
        route=route,
        frequency=clean_frequency,
        duration_days=duration_days,
        quantity=amount,
        refills=refills,
        instructions=clean_instructions,
        prescribed_at=timezone.now(),
    )
    record(
        actor=actor,
        action="prescription.create",
        target=prescription,
        location=visit.location_id,
        changes={
            "visit": str(visit.pk), "product": str(product.pk), "dose": clean_dose,
            "route": route, "frequency": clean_frequency, "duration_days": duration_days,
            "quantity": str(amount), "refills": refills,
        },
    )  # fmt: skip
    return prescription


CHARGE_SOURCE = "inventory.dispense"


@transaction.atomic
def prescription_dispense(
    *,
    actor: Any,
    prescription: Prescription,
    quantity: Any,
    lot: Lot | str | None = None,
    location: Any = None,
) -> PrescriptionDispense:
    """Dispense part or all of what remains on a prescription, in one transaction: the stock
    leaves (the named lot, or first-expiring-first-out), one pending charge is added, and the
    prescription counts it. What may be dispensed in all is the quantity once plus once per
    refill; more is 409 exceeds_prescription. An expired lot is 409 lot_expired, short stock
    409 insufficient_stock; on any error nothing moves and nothing is charged."""
    if prescription.organization_id != actor.organization_id:
        raise NotFound(_("Prescription not found."))
    location = location or prescription.location
    check_location(actor, location, Capability.PHARMACY_DISPENSE)
    amount = stock_quantity(quantity, "quantity")
    # The prescription row is locked first (then the stock balances): two dispensings of the
    # same prescription never both see the same remaining quantity.
    locked = (
        Prescription.objects.select_for_update()
        .select_related("product", "patient")
        .get(pk=prescription.pk)
    )
    if locked.status != Prescription.Status.ACTIVE:
        raise Conflict(
            _("Only an active prescription can be dispensed."),
            code="prescription_not_active",
            status=locked.status,
        )
    remaining = locked.remaining_quantity
    if amount > remaining:
        raise Conflict(
            _("That is more than the %(remaining)s left on the prescription.")
            % {"remaining": remaining.normalize()},
            code="exceeds_prescription",
            remaining=str(remaining),
            requested=str(amount),
        )
    dispense_id = uuid7()
    moves = stock_dispense(
        actor=actor,
        location=location,
        product=locked.product,
        quantity=amount,
        lot=lot,
        reference=str(locked.pk),
    )
    charge = charge_add(
        actor=actor,
        location=location,
        client=locked.patient.client,
        patient=locked.patient,
        product=locked.product,
        quantity=amount,
        source=CHARGE_SOURCE,
        source_id=dispense_id,
    )
    dispense = PrescriptionDispense.objects.create(
        id=dispense_id,
        organization_id=actor.organization_id,
        location=location,
        prescription=locked,
        quantity=amount,
        charge=charge,
        dispensed_by=actor,
        dispensed_at=timezone.now(),
    )
    dispense.movements.set(moves)
    locked.dispensed_quantity += amount
    if locked.remaining_quantity == 0:
        locked.status = Prescription.Status.COMPLETED
    locked.bump_version()
    locked.save(update_fields=["dispensed_quantity", "status", "version", "updated_at"])
    record(
        actor=actor,
        action="prescription.dispense",
        target=locked,
        location=location,
        changes={
            "dispense": str(dispense.pk), "quantity": str(amount),
            "movements": [str(m.pk) for m in moves], "charge": str(charge.pk),
            "dispensed_quantity": str(locked.dispensed_quantity), "status": locked.status,
        },
    )  # fmt: skip
    prescription.dispensed_quantity = locked.dispensed_quantity
    prescription.status = locked.status
    prescription.version = locked.version
    return dispense
