"""Writes that move stock: receive, adjust, waste, return, transfer and dispense (FEFO)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.audit.services import record
from vetrisys.core.errors import Conflict, NotFound, ValidationFailed
from vetrisys.inventory import ledger
from vetrisys.inventory.ledger import Entry
from vetrisys.inventory.models import (
    Lot,
    Product,
    ProductSupplier,
    PurchaseOrder,
    PurchaseOrderLine,
    StockBalance,
    StockMovement,
    Supplier,
)
from vetrisys.inventory.services.common import (
    check_location,
    check_product,
    location_today,
    money,
    quantity,
    reason_text,
)

Kind = StockMovement.Kind
EXPIRY_REQUIRED = {Product.Kind.MEDICATION, Product.Kind.VACCINE}


def _lot_number(value: str | None) -> str:
    number = (value or "").strip()
    if len(number) > 64:
        raise ValidationFailed.for_field("lot", _("64 characters at most."))
    return number


def _existing_lot(product: Product, lot: Lot | str | None) -> Lot:
    """The product's lot by object or number (the blank lot when none is named)."""
    if isinstance(lot, Lot):
        if lot.product_id != product.pk:
            raise NotFound(_("Lot not found."))
        return lot
    found = Lot.objects.filter(product=product, lot_number=_lot_number(lot)).first()
    if found is None:
        raise NotFound(_("Lot not found."), code="lot_not_found")
    return found


def lot_cost(lot: Lot) -> Decimal | None:
    """What the lot cost when it was last received (carried onto its other movements)."""
    return (
        StockMovement.objects.filter(lot=lot, kind=Kind.RECEIVE)
        .order_by("-occurred_at")
        .values_list("unit_cost", flat=True)
        .first()
    )


def _audit_movements(
    actor: Any, action: str, product: Product, location: Any, moves: list[StockMovement]
) -> None:
    record(
        actor=actor,
        action=action,
        target=product,
        location=location,
        changes={
            "movements": [
                {
                    "id": m.pk,
                    "kind": m.kind,
                    "location": m.location_id,
                    "lot": m.lot.lot_number,
                    "quantity": m.quantity,
                    "unit_cost": m.unit_cost,
                    "reason": m.reason,
                    "reference": m.reference,
                }
                for m in moves
            ]
        },
    )


# ---------------------------------------------------------------- receive


def _receive_lot(
    product: Product, lot_number: str, expires_on: dt.date | None, today: dt.date
) -> Lot:
    if expires_on is None and product.kind in EXPIRY_REQUIRED:
        raise ValidationFailed.for_field(
            "expires_on", _("Medications and vaccines need an expiry date.")
        )
    if expires_on is not None and expires_on < today:
        raise ValidationFailed.for_field("expires_on", _("This lot has already expired."))
    lot, created = Lot.objects.get_or_create(
        product=product,
        lot_number=lot_number,
        defaults={"organization_id": product.organization_id, "expires_on": expires_on},
    )
    if not created and lot.expires_on != expires_on:
        raise ValidationFailed.for_field(
            "expires_on",
            _("Lot %(lot)s is registered as expiring on %(date)s.")
            % {"lot": lot_number or "—", "date": lot.expires_on or "—"},
        )
    return lot


def _receive_against(
    line: PurchaseOrderLine, *, actor: Any, location: Any, product: Product, amount: Decimal
) -> PurchaseOrderLine:
    order = PurchaseOrder.objects.select_for_update().get(pk=line.order_id)
    line = PurchaseOrderLine.objects.select_for_update().get(pk=line.pk)
    if order.organization_id != actor.organization_id:
        raise NotFound(_("Purchase order not found."))
    if order.location_id != location.pk or line.product_id != product.pk:
        raise ValidationFailed.for_field(
            "purchase_order_line", _("This order line is for another product or location.")
        )
    if order.status not in (PurchaseOrder.Status.SENT, PurchaseOrder.Status.PARTIALLY_RECEIVED):
        raise Conflict(
            _("Only a sent order can be received."), code="wrong_status", status=order.status
        )
    if line.quantity_received + amount > line.quantity_ordered:
        raise Conflict(
            _("That is more than the %(outstanding)s still outstanding on the order.")
            % {"outstanding": line.quantity_outstanding.normalize()},
            code="over_receipt",
            outstanding=str(line.quantity_outstanding),
        )
    line.quantity_received += amount
    line.save(update_fields=["quantity_received", "updated_at"])
    outstanding = any(
        other.quantity_received < other.quantity_ordered for other in order.lines.all()
    )
    order.status = (
        PurchaseOrder.Status.PARTIALLY_RECEIVED if outstanding else PurchaseOrder.Status.RECEIVED
    )
    if not outstanding:
        order.received_at = timezone.now()
    order.bump_version()
    order.save()
    return line


@transaction.atomic
def stock_receive(
    *,
    actor: Any,
    location: Any,
    product: Product,
    quantity: Any,
    unit_cost: Any,
    lot: str = "",
    expires_on: dt.date | None = None,
    supplier: Supplier | None = None,
    purchase_order_line: PurchaseOrderLine | None = None,
    reference: str = "",
) -> StockMovement:
    """Receive a lot (with its expiry and cost) into a location, maybe against an order line."""
    check_location(actor, location, Capability.INVENTORY_MANAGE)
    check_product(actor, product)
    amount = _quantity(quantity)
    cost = money(unit_cost, "unit_cost")
    if supplier is not None and supplier.organization_id != actor.organization_id:
        raise NotFound(_("Supplier not found."))
    the_lot = _receive_lot(product, _lot_number(lot), expires_on, location_today(location))
    if purchase_order_line is not None:
        purchase_order_line = _receive_against(
            purchase_order_line, actor=actor, location=location, product=product, amount=amount
        )
        reference = reference or purchase_order_line.order.reference
        supplier = supplier or purchase_order_line.order.supplier
    moves = ledger.post(
        [
            Entry(
                kind=Kind.RECEIVE,
                location_id=location.pk,
                lot=the_lot,
                quantity=amount,
                unit_cost=cost,
                reference=reference.strip()[:100],
                purchase_order_line_id=getattr(purchase_order_line, "pk", None),
            )
        ],
        organization_id=actor.organization_id,
        actor=actor,
    )
    if supplier is not None:
        ProductSupplier.objects.update_or_create(
            product=product,
            supplier=supplier,
            defaults={"organization_id": actor.organization_id, "last_cost": cost},
        )
    _audit_movements(actor, "stock.receive", product, location, moves)
    return moves[0]


def _quantity(value: Any) -> Decimal:
    return quantity(value, "quantity")


# ---------------------------------------------------------------- adjust, waste, return


@transaction.atomic
def stock_adjust(
    *,
    actor: Any,
    location: Any,
    product: Product,
    quantity_delta: Any,
    reason: str,
    lot: Lot | str | None = None,
) -> StockMovement:
    """Correct the stock of a lot by a signed amount, saying why (409 below zero)."""
    check_location(actor, location, Capability.INVENTORY_MANAGE)
    check_product(actor, product)
    delta = quantity(quantity_delta, "quantity_delta", signed=True)
    why = reason_text(reason)
    the_lot = _existing_lot(product, lot)
    moves = ledger.post(
        [
            Entry(
                kind=Kind.ADJUST,
                location_id=location.pk,
                lot=the_lot,
                quantity=delta,
                unit_cost=lot_cost(the_lot),
                reason=why,
            )
        ],
        organization_id=actor.organization_id,
        actor=actor,
    )
    _audit_movements(actor, "stock.adjust", product, location, moves)
    return moves[0]


def _stock_out(
    *,
    actor: Any,
    location: Any,
    product: Product,
    amount: Any,
    reason: str,
    lot: Lot | str | None,
    kind: str,
    reference: str = "",
) -> StockMovement:
    check_location(actor, location, Capability.INVENTORY_MANAGE)
    check_product(actor, product)
    taken = _quantity(amount)
    why = reason_text(reason)
    the_lot = _existing_lot(product, lot)
    moves = ledger.post(
        [
            Entry(
                kind=kind,
                location_id=location.pk,
                lot=the_lot,
                quantity=-taken,
                unit_cost=lot_cost(the_lot),
                reason=why,
                reference=reference.strip()[:100],
            )
        ],
        organization_id=actor.organization_id,
        actor=actor,
    )
    _audit_movements(actor, f"stock.{kind}", product, location, moves)
    return moves[0]


@transaction.atomic
def stock_waste(
    *,
    actor: Any,
    location: Any,
    product: Product,
    quantity: Any,
    reason: str,
    lot: Lot | str | None = None,
) -> StockMovement:
    """Write off stock that cannot be used (expired, broken, contaminated), saying why."""
    return _stock_out(
        actor=actor, location=location, product=product, amount=quantity, reason=reason,
        lot=lot, kind=Kind.WASTE,
    )  # fmt: skip


@transaction.atomic
def stock_return(
    *,
    actor: Any,
    location: Any,
    product: Product,
    quantity: Any,
    reason: str,
    lot: Lot | str | None = None,
    reference: str = "",
) -> StockMovement:
    """Send stock back to the supplier (a recall, a damaged delivery), saying why."""
    return _stock_out(
        actor=actor, location=location, product=product, amount=quantity, reason=reason,
        lot=lot, kind=Kind.RETURN, reference=reference,
    )  # fmt: skip


# ---------------------------------------------------------------- FEFO


@dataclass(frozen=True)
class Pick:
    """A quantity taken from one lot."""

    lot: Lot
    quantity: Decimal


def _is_expired(lot: Lot, today: dt.date) -> bool:
    return lot.expires_on is not None and lot.expires_on < today


def _lot_expired(lot: Lot) -> Conflict:
    return Conflict(
        _("Lot %(lot)s expired on %(date)s.") % {"lot": lot.lot_number, "date": lot.expires_on},
        code="lot_expired",
        lot=lot.lot_number,
        expires_on=str(lot.expires_on),
    )


def fefo_picks(
    *, location: Any, product: Product, amount: Decimal, lot: Lot | None, today: dt.date
) -> list[Pick]:
    """Lock the product's balances at the location and choose what to take: the named lot, or
    the first-expiring usable lots (several when one is not enough). 409 when short."""
    balances = ledger.lock_balances(
        StockBalance.objects.filter(location=location, product=product, on_hand__gt=0)
        .select_related("lot")
        .order_by("lot_id")
    )
    held = list(balances)
    if lot is not None:
        if _is_expired(lot, today):
            raise _lot_expired(lot)
        on_hand = next((b.on_hand for b in held if b.lot_id == lot.pk), Decimal(0))
        if on_hand < amount:
            raise ledger.insufficient(on_hand=on_hand, requested=amount, lot=lot)
        return [Pick(lot, amount)]
    usable = [b for b in held if not _is_expired(b.lot, today)]
    usable.sort(key=lambda b: (b.lot.expires_on or dt.date.max, b.lot.lot_number, str(b.lot_id)))
    total = sum((b.on_hand for b in usable), Decimal(0))
    if total < amount:
        expired = sum((b.on_hand for b in held if _is_expired(b.lot, today)), Decimal(0))
        error = ledger.insufficient(on_hand=total, requested=amount)
        error.extra["expired_on_hand"] = ledger.plain(expired)
        raise error
    picks: list[Pick] = []
    remaining = amount
    for balance in usable:
        if remaining <= 0:
            break
        take = min(balance.on_hand, remaining)
        picks.append(Pick(balance.lot, take))
        remaining -= take
    return picks


@transaction.atomic
def stock_dispense(
    *,
    actor: Any,
    location: Any,
    product: Product,
    quantity: Any,
    lot: Lot | str | None = None,
    reference: str = "",
    reason: str = "",
    capability: Capability = Capability.PHARMACY_DISPENSE,
) -> list[StockMovement]:
    """Dispense (sell or use) stock: the named lot, or first-expiring-first-out across lots.
    Expired lots are refused (409 lot_expired); short stock is 409 insufficient_stock.
    `capability` is what authorizes the use: dispensing, or e.g. giving a vaccine."""
    check_location(actor, location, capability)
    check_product(actor, product)
    amount = _quantity(quantity)
    the_lot = _existing_lot(product, lot) if lot not in (None, "") else None
    picks = fefo_picks(
        location=location, product=product, amount=amount, lot=the_lot,
        today=location_today(location),
    )  # fmt: skip
    moves = ledger.post(
        [
            Entry(
                kind=Kind.DISPENSE,
                location_id=location.pk,
                lot=pick.lot,
                quantity=-pick.quantity,
                unit_cost=lot_cost(pick.lot),
                reason=(reason or "").strip()[:300],
                reference=(reference or "").strip()[:100],
            )
            for pick in picks
        ],
        organization_id=actor.organization_id,
        actor=actor,
    )
    _audit_movements(actor, "stock.dispense", product, location, moves)
    return moves


# ---------------------------------------------------------------- transfer


@transaction.atomic
def stock_transfer(
    *,
    actor: Any,
    from_location: Any,
    to_location: Any,
    product: Product,
    quantity: Any,
    lot: Lot | str | None = None,
    reason: str = "",
) -> list[StockMovement]:
    """Move stock between two locations of the organization: both legs in one transaction
    under one transfer group (the named lot, or first-expiring usable lots)."""
    check_location(actor, from_location, Capability.INVENTORY_MANAGE)
    if to_location is None or to_location.organization_id != actor.organization_id:
        raise NotFound(_("Location not found."))
    check_product(actor, product)
    if to_location.pk == from_location.pk:
        raise ValidationFailed.for_field(
            "to_location", _("Choose a location other than the one the stock leaves.")
        )
    amount = _quantity(quantity)
    the_lot = _existing_lot(product, lot) if lot not in (None, "") else None
    if the_lot is not None:
        # A named lot travels whatever its expiry (expired stock goes back to the warehouse).
        picks = [Pick(the_lot, amount)]
    else:
        picks = fefo_picks(
            location=from_location, product=product, amount=amount, lot=None,
            today=location_today(from_location),
        )  # fmt: skip
    group = uuid.uuid4()
    why = (reason or "").strip()[:300]
    entries: list[Entry] = []
    for pick in picks:
        cost = lot_cost(pick.lot)
        for kind, location, sign in (
            (Kind.TRANSFER_OUT, from_location, -1),
            (Kind.TRANSFER_IN, to_location, 1),
        ):
            entries.append(
                Entry(
                    kind=kind,
                    location_id=location.pk,
                    lot=pick.lot,
                    quantity=pick.quantity * sign,
                    unit_cost=cost,
                    reason=why,
                    reference=str(group),
                    transfer_group=group,
                )
            )
    moves = ledger.post(entries, organization_id=actor.organization_id, actor=actor)
    _audit_movements(actor, "stock.transfer", product, from_location, moves)
    return moves
