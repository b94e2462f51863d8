"""The inventory step of `generate.py`: locations, products, lots and a stock ledger at chain
scale (20 locations, 2,000 products, 15 million movements by default), then balances.

Movements go in through PostgreSQL COPY (psycopg's `cursor.copy`), deterministic from the seed
(ids are UUIDv7-shaped and built from the movement's time and number). Each (location,
product) is a stream of cycles: a lot is received, then dispensed (with some waste and some
positive adjustments) without going below zero. Balances are rebuilt from the ledger with one
INSERT … SELECT. On SQLite the same rows go in with bulk inserts (use a small --movements).
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import uuid
from decimal import Decimal
from typing import Any

KINDS = ("medication", "medication", "medication", "vaccine", "food", "supply")
UNITS = {"medication": "tablet", "vaccine": "dose", "food": "bag", "supply": "unit"}
START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
SPAN_SECONDS = 2 * 365 * 24 * 3600


def _uuid7(millis: int, number: int) -> uuid.UUID:
    value = (millis & (2**48 - 1)) << 80
    value |= 0x7 << 76
    value |= (number >> 62 & 0xFFF) << 64
    value |= 0b10 << 62
    value |= number & (2**62 - 1)
    return uuid.UUID(int=value)


def _locations(ctx: Any, count: int) -> list[Any]:
    from vetrisys.accounts.models import Location

    existing = list(Location.objects.filter(organization=ctx.organization).order_by("name"))
    extra = [
        Location(organization=ctx.organization, name=f"Sede {number:02d}")
        for number in range(len(existing) + 1, count + 1)
    ]
    Location.objects.bulk_create(extra)
    return (existing + extra)[:count]


def _products(ctx: Any, count: int, rng: random.Random) -> list[Any]:
    from vetrisys.inventory.models import Product

    rows = []
    for number in range(count):
        kind = KINDS[number % len(KINDS)]
        name = f"Producto {number:05d} {rng.choice(['tab', 'susp', 'iny', 'caja'])}"
        rows.append(
            Product(
                organization=ctx.organization,
                name=name,
                search_name=name.lower(),
                kind=kind,
                unit=UNITS[kind],
                sku=f"BENCH-{number:05d}",
                sale_price=Decimal(rng.randrange(100, 20000)) / 100,
            )
        )
    Product.objects.bulk_create(rows, batch_size=5000)
    return rows


def _lots(products: list[Any], per_product: int) -> dict[Any, list[Any]]:
    from vetrisys.inventory.models import Lot

    rows = []
    for product in products:
        for number in range(per_product):
            rows.append(
                Lot(
                    organization_id=product.organization_id,
                    product=product,
                    lot_number=f"B{number:02d}",
                    expires_on=dt.date(2026, 1, 1) + dt.timedelta(days=90 * number),
                )
            )
    Lot.objects.bulk_create(rows, batch_size=5000)
    lots: dict[Any, list[Any]] = {}
    for lot in rows:
        lots.setdefault(lot.product_id, []).append(lot)
    return lots


def _stream(
    ctx: Any, locations: list[Any], products: list[Any], lots: dict[Any, list[Any]], total: int
) -> Any:
    """Yield movement tuples, `total` of them, spread evenly over the (location, product)s."""
    rng = random.Random(ctx.seed + 11)
    pairs = [(loc, prod) for loc in locations for prod in products]
    per_pair, extra = divmod(total, len(pairs))
    number = 0
    for index, (location, product) in enumerate(pairs):
        count = per_pair + (1 if index < extra else 0)
        product_lots = lots[product.pk]
        seconds = sorted(rng.randrange(SPAN_SECONDS) for _ in range(count))
        balances = [0] * len(product_lots)
        lot_index = -1
        cost = Decimal(rng.randrange(50, 5000)) / 100
        for second in seconds:
            when = START + dt.timedelta(seconds=second)
            if lot_index < 0 or balances[lot_index] < 5:
                lot_index = (lot_index + 1) % len(product_lots)
                quantity = rng.randrange(40, 200)
                kind, signed = "receive", quantity
                cost = (cost * Decimal(rng.randrange(95, 106)) / 100).quantize(Decimal("0.01"))
            else:
                roll = rng.random()
                taken = min(balances[lot_index], rng.randrange(1, 6))
                if roll < 0.03:
                    kind, signed = "waste", -taken
                elif roll < 0.05:
                    kind, signed = "adjust", rng.randrange(1, 3)
                else:
                    kind, signed = "dispense", -taken
            balances[lot_index] += signed
            number += 1
            millis = int(when.timestamp() * 1000)
            yield (
                _uuid7(millis, number),
                ctx.organization.pk,
                location.pk,
                product.pk,
                product_lots[lot_index].pk,
                kind,
                Decimal(signed),
                cost,
                when,
            )


def generate_inventory(ctx: Any) -> int:
    """Locations, products, lots, movements (COPY on PostgreSQL) and the balances."""
    from django.db import connection

    rng = random.Random(ctx.seed + 10)
    locations = _locations(ctx, ctx.locations)
    products = _products(ctx, ctx.products, rng)
    lots = _lots(products, 3)
    rows = _stream(ctx, locations, products, lots, ctx.movements)
    made = 0
    if connection.vendor == "postgresql":
        columns = (
            "id, organization_id, location_id, product_id, lot_id, kind, quantity, unit_cost, "
            "occurred_at, created_at, reason, reference"
        )
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY inventory_stockmovement ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row, row[-1], "", ""))
                    made += 1
                    if made % 1_000_000 == 0:
                        sys.stdout.write(f"  movements: {made}/{ctx.movements}\n")
                        sys.stdout.flush()
    else:
        from vetrisys.inventory.models import StockMovement

        batch: list[Any] = []
        for row in rows:
            batch.append(
                StockMovement(
                    id=row[0],
                    organization_id=row[1],
                    location_id=row[2],
                    product_id=row[3],
                    lot_id=row[4],
                    kind=row[5],
                    quantity=row[6],
                    unit_cost=row[7],
                    occurred_at=row[8],
                )
            )
            if len(batch) == 5000:
                StockMovement.objects.bulk_create(batch)
                made += len(batch)
                batch = []
        StockMovement.objects.bulk_create(batch)
        made += len(batch)
    _rebuild_balances(ctx)
    _reorder_rules(ctx, locations, products, rng)
    return made


def _rebuild_balances(ctx: Any) -> None:
    from django.db import connection

    from vetrisys.core.ids import uuid7
    from vetrisys.inventory.models import StockBalance, StockMovement

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO inventory_stockbalance
                    (id, organization_id, location_id, product_id, lot_id, on_hand, updated_at)
                SELECT gen_random_uuid(), organization_id, location_id, product_id, lot_id,
                       SUM(quantity), now()
                FROM inventory_stockmovement
                WHERE organization_id = %s
                GROUP BY organization_id, location_id, product_id, lot_id
                """,
                [ctx.organization.pk],
            )
        return
    from django.db.models import Sum

    StockBalance.objects.bulk_create(
        [
            StockBalance(
                id=uuid7(),
                organization_id=ctx.organization.pk,
                location_id=row["location_id"],
                product_id=row["product_id"],
                lot_id=row["lot_id"],
                on_hand=row["total"],
            )
            for row in StockMovement.objects.filter(organization_id=ctx.organization.pk)
            .values("location_id", "product_id", "lot_id")
            .order_by()
            .annotate(total=Sum("quantity"))
        ],
        batch_size=5000,
    )


def _reorder_rules(ctx: Any, locations: list[Any], products: list[Any], rng: random.Random) -> None:
    from vetrisys.inventory.models import ReorderRule

    ReorderRule.objects.bulk_create(
        [
            ReorderRule(
                organization=ctx.organization,
                location=location,
                product=product,
                reorder_level=Decimal(rng.randrange(5, 60)),
                reorder_quantity=Decimal(100),
            )
            for location in locations
            for product in products
        ],
        batch_size=5000,
    )
