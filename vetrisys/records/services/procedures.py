"""Procedures performed in a visit: each becomes a pending charge, so nothing goes unbilled."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vetrisys.audit.services import record
from vetrisys.billing.services import charge_add, charge_cancel
from vetrisys.core import timeutil
from vetrisys.core.errors import Conflict
from vetrisys.inventory.models import Product
from vetrisys.records.models import Procedure, Visit
from vetrisys.records.services.common import open_visit_for_write, raise_if, text

CHARGE_SOURCE = "records.procedure"
MAX_QUANTITY = Decimal(10000)


@transaction.atomic
def procedure_add(
    *,
    actor: Any,
    visit: Visit,
    product: Product,
    quantity: Decimal | str | int = 1,
    notes: str = "",
) -> Procedure:
    """Record a service or treatment from the price list and add its pending charge."""
    locked = open_visit_for_write(actor, visit)
    errors: dict[str, list[str]] = {}
    try:
        amount = Decimal(str(quantity))
        if not amount.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        errors["quantity"] = [_("Enter a number.")]
        amount = Decimal(0)
    if "quantity" not in errors and not Decimal(0) < amount <= MAX_QUANTITY:
        errors["quantity"] = [_("The quantity must be above 0.")]
    elif amount != amount.quantize(Decimal("0.001")):
        errors["quantity"] = [_("At most three decimals.")]
    if product.organization_id != locked.organization_id or not product.is_active:
        errors["price_item"] = [_("Choose an active item of the price list.")]
    cleaned_notes = text(notes, "notes", 300, errors)
    raise_if(errors)
    procedure = Procedure.objects.create(
        organization_id=locked.organization_id,
        visit=locked,
        product=product,
        quantity=amount,
        notes=cleaned_notes,
        performed_by=actor,
        performed_at=timeutil.now(),
    )
    charge_add(
        actor=actor,
        location=locked.location,
        client=locked.client,
        patient=locked.patient,
        product=product,
        quantity=amount,
        source=CHARGE_SOURCE,
        source_id=procedure.pk,
        description=product.name,
    )
    record(
        actor=actor,
        action="records.procedure.add",
        target=locked,
        location=locked.location_id,
        changes={"procedure": procedure.pk, "product": product.pk, "quantity": amount},
    )
    return procedure


@transaction.atomic
def procedure_remove(*, actor: Any, procedure: Procedure, reason: str = "") -> Procedure:
    """Take a procedure off an open visit and cancel its charge; the row is kept."""
    locked = open_visit_for_write(actor, procedure.visit)
    row = Procedure.objects.select_for_update().get(pk=procedure.pk, visit=locked)
    if row.removed_at is not None:
        raise Conflict(_("This procedure was already removed."), code="already_removed")
    cleaned = (reason or "").strip()[:300] or _("Removed from the visit")
    charge_cancel(actor=actor, source=CHARGE_SOURCE, source_id=row.pk, reason=cleaned)
    row.removed_at = timeutil.now()
    row.removed_by = actor
    row.removal_reason = cleaned
    row.bump_version()
    row.save()
    record(
        actor=actor,
        action="records.procedure.remove",
        target=locked,
        location=locked.location_id,
        changes={"procedure": row.pk, "reason": cleaned},
    )
    return row
