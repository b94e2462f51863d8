"""Inventory reports: usage per product and period, stock valuation at FIFO cost, and the value
of what was wasted. Read-only; every figure comes from the ledger."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import DecimalField, ExpressionWrapper, F, Q, Sum
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.models import Location
from vetrisys.accounts.permissions import locations_with, require
from vetrisys.core.errors import ValidationFailed
from vetrisys.core.timeutil import local_day_bounds
from vetrisys.inventory.models import Product, StockMovement

CENT = Decimal("0.01")
Kind = StockMovement.Kind
VALUE = DecimalField(max_digits=20, decimal_places=4)


@dataclass
class ProductUsage:
    """One product's figures for the period (quantities in the product's unit)."""

    product_id: Any
    name: str = ""
    unit: str = ""
    dispensed: Decimal = Decimal(0)
    dispensed_cost: Decimal = Decimal(0)
    wasted: Decimal = Decimal(0)
    wasted_value: Decimal = Decimal(0)
    expired_wasted_value: Decimal = Decimal(0)
    on_hand: Decimal = Decimal(0)
    stock_value: Decimal = Decimal(0)


@dataclass
class InventoryReport:
    """Usage and value per product over a period, at one location or all the actor's."""

    date_from: dt.date
    date_to: dt.date
    products: list[ProductUsage] = field(default_factory=list)

    @property
    def stock_value(self) -> Decimal:
        """The whole stock at FIFO cost."""
        return sum((p.stock_value for p in self.products), Decimal(0))

    @property
    def wasted_value(self) -> Decimal:
        """Everything written off in the period, at cost."""
        return sum((p.wasted_value for p in self.products), Decimal(0))


def _scope(actor: Any, location: Location | None) -> list[Any]:
    if location is not None:
        require(actor, Capability.REPORTS_VIEW, location)
        return [location.pk]
    ids = locations_with(actor, Capability.REPORTS_VIEW)
    if not ids:
        require(actor, Capability.REPORTS_VIEW)
    return ids


def fifo_valuation(*, location_ids: list[Any]) -> dict[tuple[str, str], tuple[Decimal, Decimal]]:
    """(location, product) → (on hand, value at FIFO cost): what is left on the shelf is the
    most recently received stock, so the newest inbound layers are valued until the on-hand
    quantity is covered. The database keeps only the layers needed; the arithmetic is exact."""
    if not location_ids:
        return {}
    placeholders = ", ".join(["%s"] * len(location_ids))
    sql = f"""
        WITH totals AS (
            SELECT location_id, product_id, SUM(on_hand) AS on_hand
            FROM inventory_stockbalance
            WHERE location_id IN ({placeholders})
            GROUP BY location_id, product_id
            HAVING SUM(on_hand) > 0
        ),
        layers AS (
            SELECT m.location_id, m.product_id, m.quantity, m.unit_cost, m.occurred_at, m.id,
                   t.on_hand,
                   SUM(m.quantity) OVER (
                       PARTITION BY m.location_id, m.product_id
                       ORDER BY m.occurred_at DESC, m.id DESC
                       ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
                   ) AS running
            FROM inventory_stockmovement m
            JOIN totals t ON t.location_id = m.location_id AND t.product_id = m.product_id
            WHERE m.quantity > 0 AND m.location_id IN ({placeholders})
        )
        SELECT location_id, product_id, quantity, unit_cost, on_hand
        FROM layers
        WHERE running - quantity < on_hand
        ORDER BY location_id, product_id, occurred_at DESC, id DESC
    """
    ids = [uuid.UUID(str(i)) for i in location_ids]
    params: list[Any] = ids if connection.vendor == "postgresql" else [i.hex for i in ids]
    result: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}
    remaining: dict[tuple[str, str], Decimal] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params * 2)
        for location_id, product_id, qty, cost, on_hand in cursor.fetchall():
            key = (_key(location_id), _key(product_id))
            if key not in remaining:
                remaining[key] = _decimal(on_hand)
                result[key] = (_decimal(on_hand), Decimal(0))
            take = min(_decimal(qty), remaining[key])
            remaining[key] -= take
            total, value = result[key]
            result[key] = (total, value + take * _decimal(cost or 0))
    return result


def _key(value: Any) -> str:
    text = str(value).replace("-", "")
    return text.lower()


def _decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value)).quantize(Decimal("0.0001"))


def inventory_report(
    *, actor: Any, date_from: dt.date, date_to: dt.date, location: Location | None = None
) -> InventoryReport:
    """Usage (dispensed, wasted) per product over the period and stock value at FIFO cost."""
    if date_to < date_from:
        raise ValidationFailed.for_field("date_to", _("The end is before the start."))
    location_ids = _scope(actor, location)
    zone = location.time_zone if location is not None else "America/Lima"
    start, _end = local_day_bounds(date_from, zone)
    _start, end = local_day_bounds(date_to, zone)
    value = ExpressionWrapper(-F("quantity") * F("unit_cost"), output_field=VALUE)
    rows = (
        StockMovement.objects.filter(
            organization_id=actor.organization_id,
            location_id__in=location_ids,
            occurred_at__gte=start,
            occurred_at__lt=end,
            kind__in=[Kind.DISPENSE, Kind.WASTE],
        )
        .values("product_id")
        .order_by("product_id")
        .annotate(
            dispensed=Sum("quantity", filter=Q(kind=Kind.DISPENSE)),
            dispensed_cost=Sum(value, filter=Q(kind=Kind.DISPENSE)),
            wasted=Sum("quantity", filter=Q(kind=Kind.WASTE)),
            wasted_value=Sum(value, filter=Q(kind=Kind.WASTE)),
            expired_wasted_value=Sum(
                value, filter=Q(kind=Kind.WASTE, lot__expires_on__lt=F("occurred_at__date"))
            ),
        )
    )
    usage: dict[str, ProductUsage] = defaultdict(lambda: ProductUsage(product_id=None))
    for row in rows:
        item = ProductUsage(
            product_id=row["product_id"],
            dispensed=-_decimal(row["dispensed"] or 0),
            dispensed_cost=_money(row["dispensed_cost"]),
            wasted=-_decimal(row["wasted"] or 0),
            wasted_value=_money(row["wasted_value"]),
            expired_wasted_value=_money(row["expired_wasted_value"]),
        )
        usage[_key(row["product_id"])] = item
    for (_location, product_key), (on_hand, stock_value) in fifo_valuation(
        location_ids=location_ids
    ).items():
        item = usage[product_key]
        item.on_hand += on_hand
        item.stock_value += stock_value
    wanted = [uuid.UUID(key) for key in usage]
    products = {
        _key(p.pk): p
        for p in Product.objects.filter(organization_id=actor.organization_id, pk__in=wanted).only(
            "id", "name", "unit"
        )
    }
    report = InventoryReport(date_from=date_from, date_to=date_to)
    # One translation per unit, not one per row (get_unit_display translates every time).
    unit_labels = {value: str(label) for value, label in Product.Unit.choices}
    for key, item in usage.items():
        product = products.get(key)
        if product is None:
            continue
        item.product_id = product.pk
        item.name = product.name
        item.unit = unit_labels.get(product.unit, product.unit)
        item.stock_value = item.stock_value.quantize(CENT)
        item.dispensed = item.dispensed.normalize() if item.dispensed else Decimal(0)
        report.products.append(item)
    report.products.sort(key=lambda p: p.name.casefold())
    return report


def _money(value: Any) -> Decimal:
    return _decimal(value or 0).quantize(CENT)
