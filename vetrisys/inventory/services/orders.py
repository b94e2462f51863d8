"""Purchase orders: draft (by hand or from reorder rules) → sent → (partially) received, or
cancelled. Receiving goes through `stock_receive` with the order line."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.audit.services import record
from vetrisys.core.errors import Conflict, NotFound, ValidationFailed
from vetrisys.inventory.models import (
    InventorySettings,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    Supplier,
)
from vetrisys.inventory.services.common import check_location, check_product, money, quantity

Status = PurchaseOrder.Status
TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.SENT, Status.CANCELLED},
    Status.SENT: {Status.PARTIALLY_RECEIVED, Status.RECEIVED, Status.CANCELLED},
    Status.PARTIALLY_RECEIVED: {Status.PARTIALLY_RECEIVED, Status.RECEIVED},
    Status.RECEIVED: set(),
    Status.CANCELLED: set(),
}


@dataclass(frozen=True)
class LineSpec:
    """A product, how many units, and the expected unit cost."""

    product: Product
    quantity: Any
    unit_cost: Any = Decimal(0)


def _check_order(actor: Any, order: PurchaseOrder) -> None:
    if order.organization_id != actor.organization_id:
        raise NotFound(_("Purchase order not found."))
    check_location(actor, order.location, Capability.INVENTORY_MANAGE)


def _move(order: PurchaseOrder, to: str) -> None:
    if to not in TRANSITIONS[order.status]:
        raise Conflict(
            _("A %(status)s order cannot become %(to)s.")
            % {"status": order.get_status_display(), "to": Status(to).label},
            code="wrong_status",
            status=order.status,
        )
    order.status = to


def _next_number(organization_id: Any) -> int:
    # Lock the organization's settings row so two drafts never take the same number.
    InventorySettings.objects.get_or_create(organization_id=organization_id)
    InventorySettings.objects.select_for_update().get(organization_id=organization_id)
    last = PurchaseOrder.objects.filter(organization_id=organization_id).aggregate(
        last=Max("number")
    )["last"]
    return (last or 0) + 1


def _clean_lines(actor: Any, lines: list[LineSpec]) -> list[tuple[Product, Decimal, Decimal]]:
    if not lines:
        raise ValidationFailed.for_field("lines", _("Add at least one product."))
    cleaned: list[tuple[Product, Decimal, Decimal]] = []
    seen: set[Any] = set()
    errors: dict[str, list[str]] = {}
    for index, line in enumerate(lines):
        check_product(actor, line.product)
        if line.product.pk in seen:
            errors[f"lines.{index}.product"] = [_("This product is already on the order.")]
            continue
        seen.add(line.product.pk)
        try:
            cleaned.append(
                (
                    line.product,
                    quantity(line.quantity, f"lines.{index}.quantity"),
                    money(line.unit_cost, f"lines.{index}.unit_cost"),
                )
            )
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)
    return cleaned


@transaction.atomic
def purchase_order_create(
    *,
    actor: Any,
    location: Any,
    supplier: Supplier,
    lines: list[LineSpec],
    expected_on: dt.date | None = None,
    note: str = "",
) -> PurchaseOrder:
    """Draft an order to a supplier for delivery to a location."""
    check_location(actor, location, Capability.INVENTORY_MANAGE)
    if supplier.organization_id != actor.organization_id:
        raise NotFound(_("Supplier not found."))
    cleaned = _clean_lines(actor, lines)
    order = PurchaseOrder.objects.create(
        organization_id=actor.organization_id,
        location=location,
        supplier=supplier,
        number=_next_number(actor.organization_id),
        expected_on=expected_on,
        note=(note or "").strip(),
        created_by=actor,
    )
    PurchaseOrderLine.objects.bulk_create(
        [
            PurchaseOrderLine(order=order, product=product, quantity_ordered=qty, unit_cost=cost)
            for product, qty, cost in cleaned
        ]
    )
    record(
        actor=actor,
        action="purchase_order.create",
        target=order,
        location=location,
        changes={
            "supplier": supplier.name,
            "lines": [{"product": p.pk, "quantity": q, "unit_cost": c} for p, q, c in cleaned],
        },
    )
    return order


@transaction.atomic
def purchase_order_send(*, actor: Any, order: PurchaseOrder) -> PurchaseOrder:
    """Mark a draft as sent to the supplier (it can then be received)."""
    order = PurchaseOrder.objects.select_for_update().select_related("location").get(pk=order.pk)
    _check_order(actor, order)
    _move(order, Status.SENT)
    order.sent_at = timezone.now()
    order.bump_version()
    order.save()
    record(
        actor=actor,
        action="purchase_order.send",
        target=order,
        location=order.location,
        changes={"status": [Status.DRAFT, Status.SENT]},
    )
    return order


@transaction.atomic
def purchase_order_cancel(*, actor: Any, order: PurchaseOrder, reason: str = "") -> PurchaseOrder:
    """Cancel an order nothing has been received against."""
    order = PurchaseOrder.objects.select_for_update().select_related("location").get(pk=order.pk)
    _check_order(actor, order)
    before = order.status
    _move(order, Status.CANCELLED)
    order.bump_version()
    order.save()
    record(
        actor=actor,
        action="purchase_order.cancel",
        target=order,
        location=order.location,
        changes={"status": [before, Status.CANCELLED], "reason": (reason or "").strip()},
    )
    return order


@transaction.atomic
def purchase_orders_from_suggestions(
    *, actor: Any, location: Any, supplier: Supplier | None = None
) -> list[PurchaseOrder]:
    """Draft one order per supplier with every product at or under its reorder level at the
    location (reorder quantity, last cost paid). Products without a supplier go to `supplier`
    when one is given, and are skipped otherwise."""
    from vetrisys.inventory.selectors import reorder_suggestions

    check_location(actor, location, Capability.INVENTORY_MANAGE)
    by_supplier: dict[Any, tuple[Supplier, list[LineSpec]]] = {}
    for suggestion in reorder_suggestions(actor=actor, location=location):
        chosen = supplier or suggestion.supplier
        if chosen is None or suggestion.quantity <= 0:
            continue
        cost = suggestion.unit_cost if chosen == suggestion.supplier else Decimal(0)
        entry = by_supplier.setdefault(chosen.pk, (chosen, []))
        entry[1].append(LineSpec(suggestion.product, suggestion.quantity, cost or Decimal(0)))
    return [
        purchase_order_create(actor=actor, location=location, supplier=chosen, lines=specs)
        for chosen, specs in by_supplier.values()
    ]
