"""The stock ledger's one write path: append a movement and move its balance in the same
transaction, race-free on both databases, and the check that balances equal the ledger.

The balance changes with a single conditional UPDATE (`on_hand = on_hand + delta WHERE
on_hand + delta >= 0`). On PostgreSQL the UPDATE takes the row lock and re-reads the row after
any concurrent writer commits, so two dispenses of the last unit cannot both succeed; on SQLite
the IMMEDIATE transaction serialises writers. The CHECK (on_hand >= 0) is the last guard.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from vetrisys.core.errors import Conflict
from vetrisys.inventory.models import Lot, StockBalance, StockMovement


@dataclass(frozen=True)
class Entry:
    """One movement to append."""

    kind: str
    location_id: Any
    lot: Lot
    quantity: Decimal
    unit_cost: Decimal | None = None
    reason: str = ""
    reference: str = ""
    purchase_order_line_id: Any = None
    transfer_group: uuid.UUID | None = None


def plain(amount: Decimal) -> str:
    """A quantity without trailing zeros or exponent: 4.000 → "4", 2.50 → "2.5"."""
    return format(Decimal(amount).normalize(), "f")


def insufficient(*, on_hand: Decimal, requested: Decimal, lot: Lot | None = None) -> Conflict:
    """The one conflict raised when stock would go below zero."""
    extra: dict[str, Any] = {"on_hand": plain(on_hand), "requested": plain(requested)}
    if lot is not None:
        extra["lot"] = lot.lot_number
    return Conflict(
        _("Not enough stock: %(on_hand)s on hand, %(requested)s requested.")
        % {"on_hand": plain(on_hand), "requested": plain(requested)},
        code="insufficient_stock",
        **extra,
    )


def _move_balance(entry: Entry, organization_id: Any) -> None:
    keys = {"location_id": entry.location_id, "product_id": entry.lot.product_id, "lot": entry.lot}
    if connection.vendor != "postgresql":
        _move_balance_serialised(entry, organization_id, keys)
        return
    now = timezone.now()
    changed = StockBalance.objects.filter(on_hand__gte=-entry.quantity, **keys).update(
        on_hand=F("on_hand") + entry.quantity, updated_at=now
    )
    if changed:
        return
    if entry.quantity > 0:
        try:
            with transaction.atomic():
                StockBalance.objects.create(
                    organization_id=organization_id, on_hand=entry.quantity, **keys
                )
            return
        except IntegrityError:
            # Another writer created the row first: add to it instead.
            StockBalance.objects.filter(**keys).update(
                on_hand=F("on_hand") + entry.quantity, updated_at=now
            )
            return
    on_hand = StockBalance.objects.filter(**keys).values_list(
        "on_hand", flat=True
    ).first() or Decimal(0)
    raise insufficient(on_hand=on_hand, requested=-entry.quantity, lot=entry.lot)


def _move_balance_serialised(entry: Entry, organization_id: Any, keys: dict[str, Any]) -> None:
    # SQLite holds the database's write lock for the whole (IMMEDIATE) transaction, so reading
    # and writing back keeps the arithmetic in exact Decimals (its NUMERIC columns are floats).
    balance = StockBalance.objects.filter(**keys).first()
    on_hand = balance.on_hand if balance is not None else Decimal(0)
    if on_hand + entry.quantity < 0:
        raise insufficient(on_hand=on_hand, requested=-entry.quantity, lot=entry.lot)
    if balance is None:
        StockBalance.objects.create(organization_id=organization_id, on_hand=entry.quantity, **keys)
    else:
        balance.on_hand = on_hand + entry.quantity
        balance.save(update_fields=["on_hand", "updated_at"])


def post(
    entries: list[Entry],
    *,
    organization_id: Any,
    actor: Any,
    occurred_at: dt.datetime | None = None,
) -> list[StockMovement]:
    """Append the movements and move their balances; all or nothing (Conflict when a balance
    would go below zero)."""
    if not entries:
        return []
    when = occurred_at or timezone.now()
    with transaction.atomic():
        # One order for every writer (location, then lot) so two transactions never wait on
        # each other's balance rows in a cycle.
        for entry in sorted(entries, key=lambda e: (str(e.location_id), str(e.lot.pk))):
            _move_balance(entry, organization_id)
        return StockMovement.objects.bulk_create(
            [
                StockMovement(
                    organization_id=organization_id,
                    location_id=entry.location_id,
                    product_id=entry.lot.product_id,
                    lot=entry.lot,
                    kind=entry.kind,
                    quantity=entry.quantity,
                    unit_cost=entry.unit_cost,
                    reason=entry.reason,
                    reference=entry.reference,
                    purchase_order_line_id=entry.purchase_order_line_id,
                    transfer_group=entry.transfer_group,
                    actor=actor if getattr(actor, "pk", None) else None,
                    occurred_at=when,
                )
                for entry in entries
            ]
        )


@dataclass(frozen=True)
class Discrepancy:
    """A (location, product, lot) whose cached balance differs from the sum of its movements."""

    location_id: Any
    product_id: Any
    lot_id: Any
    on_hand: Decimal
    ledger_sum: Decimal


def verify(*, organization_id: Any = None, location_id: Any = None) -> list[Discrepancy]:
    """Every balance that is not the sum of its movements (an empty list proves conservation)."""
    movements = StockMovement.objects.all()
    balances = StockBalance.objects.all()
    if organization_id is not None:
        movements = movements.filter(organization_id=organization_id)
        balances = balances.filter(organization_id=organization_id)
    if location_id is not None:
        movements = movements.filter(location_id=location_id)
        balances = balances.filter(location_id=location_id)
    sums = {
        (str(row["location_id"]), str(row["product_id"]), str(row["lot_id"])): row["total"]
        for row in movements.values("location_id", "product_id", "lot_id")
        .order_by()
        .annotate(total=Sum("quantity"))
    }
    found: list[Discrepancy] = []
    for row in balances.values("location_id", "product_id", "lot_id", "on_hand").iterator():
        key = (str(row["location_id"]), str(row["product_id"]), str(row["lot_id"]))
        total = Decimal(sums.pop(key, Decimal(0)))
        if Decimal(row["on_hand"]) != total:
            found.append(Discrepancy(*key, on_hand=Decimal(row["on_hand"]), ledger_sum=total))
    for key, total in sums.items():
        if Decimal(total) != 0:
            found.append(Discrepancy(*key, on_hand=Decimal(0), ledger_sum=Decimal(total)))
    return found


def lock_balances(balances: Any) -> Any:
    """Lock balance rows for the transaction (PostgreSQL; SQLite's transaction is exclusive)."""
    if connection.vendor == "postgresql":
        return balances.select_for_update(of=("self",))
    return balances
