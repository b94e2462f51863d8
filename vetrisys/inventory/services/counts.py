"""Stocktakes: start a count, enter counted quantities, close it with correction movements."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.audit.services import record
from vetrisys.core.errors import Conflict, NotFound
from vetrisys.inventory import ledger
from vetrisys.inventory.ledger import Entry
from vetrisys.inventory.models import (
    Lot,
    Product,
    StockBalance,
    StockCount,
    StockCountLine,
    StockMovement,
)
from vetrisys.inventory.services.common import check_location, check_product, quantity
from vetrisys.inventory.services.stock import _existing_lot, lot_cost


def _check_count(actor: Any, count: StockCount) -> None:
    if count.organization_id != actor.organization_id:
        raise NotFound(_("Count not found."))
    check_location(actor, count.location, Capability.INVENTORY_MANAGE)
    if count.status != StockCount.Status.OPEN:
        raise Conflict(
            _("This count is already %(status)s.") % {"status": count.get_status_display()},
            code="wrong_status",
            status=count.status,
        )


@transaction.atomic
def stock_count_start(*, actor: Any, location: Any, note: str = "") -> StockCount:
    """Open a stocktake at a location, listing every lot with stock there."""
    check_location(actor, location, Capability.INVENTORY_MANAGE)
    if StockCount.objects.filter(location=location, status=StockCount.Status.OPEN).exists():
        raise Conflict(_("A count is already open at this location."), code="count_open")
    try:
        with transaction.atomic():
            count = StockCount.objects.create(
                organization_id=actor.organization_id,
                location=location,
                note=(note or "").strip()[:300],
                started_by=actor,
            )
    except IntegrityError:
        raise Conflict(_("A count is already open at this location."), code="count_open") from None
    balances = StockBalance.objects.filter(location=location, on_hand__gt=0).values_list(
        "product_id", "lot_id", "on_hand"
    )
    StockCountLine.objects.bulk_create(
        [
            StockCountLine(count=count, product_id=product_id, lot_id=lot_id, expected_quantity=qty)
            for product_id, lot_id, qty in balances
        ]
    )
    record(actor=actor, action="stock_count.start", target=count, location=location)
    return count


@transaction.atomic
def stock_count_enter(
    *,
    actor: Any,
    count: StockCount,
    product: Product,
    counted_quantity: Any,
    lot: Lot | str | None = None,
) -> StockCountLine:
    """Enter what was counted of one lot (adding the lot to the count when it was not listed)."""
    _check_count(actor, count)
    check_product(actor, product)
    counted = Decimal(0)
    if str(counted_quantity).strip() not in {"0", "0.0", "0.00", "0.000"}:
        counted = quantity(counted_quantity, "counted_quantity")
    the_lot = _existing_lot(product, lot)
    line, _created = StockCountLine.objects.get_or_create(
        count=count,
        lot=the_lot,
        defaults={"product": product, "expected_quantity": Decimal(0)},
    )
    line.counted_quantity = counted
    line.save(update_fields=["counted_quantity", "updated_at"])
    return line


@transaction.atomic
def stock_count_close(*, actor: Any, count: StockCount) -> list[StockMovement]:
    """Close the count: each counted lot is corrected to what was counted, against the stock
    at this moment (movements during the count are kept). Lots not counted are left alone."""
    count = StockCount.objects.select_for_update().select_related("location").get(pk=count.pk)
    _check_count(actor, count)
    lines = list(
        count.lines.filter(counted_quantity__isnull=False).select_related("lot").order_by("lot_id")
    )
    on_hand = dict(
        ledger.lock_balances(
            StockBalance.objects.filter(
                location=count.location, lot_id__in=[line.lot_id for line in lines]
            ).order_by("lot_id")
        ).values_list("lot_id", "on_hand")
    )
    entries: list[Entry] = []
    for line in lines:
        line.expected_quantity = on_hand.get(line.lot_id, Decimal(0))
        assert line.counted_quantity is not None
        variance = line.counted_quantity - line.expected_quantity
        if variance:
            entries.append(
                Entry(
                    kind=StockMovement.Kind.COUNT_CORRECTION,
                    location_id=count.location_id,
                    lot=line.lot,
                    quantity=variance,
                    unit_cost=lot_cost(line.lot),
                    reason=_("Stock count"),
                    reference=str(count.pk),
                )
            )
    StockCountLine.objects.bulk_update(lines, ["expected_quantity"])
    moves = ledger.post(entries, organization_id=actor.organization_id, actor=actor)
    count.status = StockCount.Status.CLOSED
    count.closed_by = actor
    count.closed_at = timezone.now()
    count.bump_version()
    count.save()
    record(
        actor=actor,
        action="stock_count.close",
        target=count,
        location=count.location,
        changes={
            "corrections": [
                {"lot": m.lot.lot_number, "product": m.product_id, "quantity": m.quantity}
                for m in moves
            ]
        },
    )
    return moves


@transaction.atomic
def stock_count_cancel(*, actor: Any, count: StockCount) -> StockCount:
    """Abandon an open count; nothing moves."""
    count = StockCount.objects.select_for_update().select_related("location").get(pk=count.pk)
    _check_count(actor, count)
    count.status = StockCount.Status.CANCELLED
    count.closed_by = actor
    count.closed_at = timezone.now()
    count.bump_version()
    count.save()
    record(actor=actor, action="stock_count.cancel", target=count, location=count.location)
    return count
