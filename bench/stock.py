"""Stock on hand and the inventory report on the generated chain: the selectors against the
bare SQL of the same answer.

    python bench/stock.py --runs 30

For random locations (and a random month for the report): the on-hand selector (first page of
50 lots, as the API lists them), the stock page's per-product totals (first 25), and the
inventory report (usage per product for the month and FIFO valuation of the location), each
against hand-written SQL through a cursor. Prints median and p95 and the ratio selector / bare.
Run `bench/generate.py` first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from _setup import django_setup

ON_HAND_SQL = """
SELECT b.id, b.on_hand, p.name, l.lot_number, l.expires_on
FROM inventory_stockbalance b
JOIN inventory_product p ON p.id = b.product_id
JOIN inventory_lot l ON l.id = b.lot_id
WHERE b.location_id = %s AND b.on_hand > 0
ORDER BY p.search_name, p.id, l.expires_on, l.lot_number, b.id
LIMIT 50
"""
TOTALS_SQL = """
SELECT p.id, p.name, t.on_hand, r.reorder_level
FROM inventory_product p
LEFT JOIN (SELECT product_id, SUM(on_hand) AS on_hand FROM inventory_stockbalance
           WHERE location_id = %s GROUP BY product_id) t ON t.product_id = p.id
LEFT JOIN inventory_reorderrule r ON r.product_id = p.id AND r.location_id = %s
WHERE p.organization_id = %s AND p.is_active AND p.kind <> 'service'
ORDER BY p.search_name, p.id
LIMIT 25
"""
USAGE_SQL = """
SELECT product_id,
       SUM(quantity) FILTER (WHERE kind = 'dispense'),
       SUM(-quantity * unit_cost) FILTER (WHERE kind = 'dispense'),
       SUM(quantity) FILTER (WHERE kind = 'waste'),
       SUM(-quantity * unit_cost) FILTER (WHERE kind = 'waste')
FROM inventory_stockmovement
WHERE location_id = %s AND occurred_at >= %s AND occurred_at < %s
  AND kind IN ('dispense', 'waste')
GROUP BY product_id
"""
FIFO_SQL = """
WITH totals AS (
    SELECT product_id, SUM(on_hand) AS on_hand FROM inventory_stockbalance
    WHERE location_id = %s GROUP BY product_id HAVING SUM(on_hand) > 0
), layers AS (
    SELECT m.product_id, m.quantity, m.unit_cost, t.on_hand,
           SUM(m.quantity) OVER (PARTITION BY m.product_id
                                 ORDER BY m.occurred_at DESC, m.id DESC) AS running
    FROM inventory_stockmovement m JOIN totals t ON t.product_id = m.product_id
    WHERE m.location_id = %s AND m.quantity > 0
)
SELECT product_id,
       SUM(LEAST(quantity, on_hand - (running - quantity)) * unit_cost)
FROM layers WHERE running - quantity < on_hand GROUP BY product_id
"""


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def _bare(sql: str, params: list[Any]) -> Callable[[], Any]:
    from django.db import connection

    def run() -> Any:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--organization", default="Cadena Benchmark")
    args = parser.parse_args(argv)

    django_setup()
    from vetrisys.accounts.models import Location, Organization, User
    from vetrisys.inventory import reports, selectors
    from vetrisys.inventory.models import StockMovement

    organization = Organization.objects.get(name=args.organization)
    actor = User.objects.filter(organization=organization, username__startswith="bench_admin")[0]
    locations = list(Location.objects.filter(organization=organization))
    movements = StockMovement.objects.filter(organization=organization).count()
    sys.stdout.write(f"{len(locations)} locations, {movements} movements\n")
    rng = random.Random(args.seed)
    timings: dict[str, tuple[list[float], list[float]]] = {}

    def measure(name: str, selector: Callable[[], Any], bare: Callable[[], Any]) -> None:
        ours, theirs = timings.setdefault(name, ([], []))
        ours.append(_timed(selector))
        theirs.append(_timed(bare))

    for _ in range(args.runs):
        location = rng.choice(locations)
        month = dt.date(2024, 1, 1) + dt.timedelta(days=30 * rng.randrange(23))
        start = dt.datetime(month.year, month.month, 1, tzinfo=dt.UTC)
        end = start + dt.timedelta(days=31)
        measure(
            "on hand (50 lots)",
            lambda loc=location: list(selectors.stock_on_hand(actor=actor, location=loc)[:50]),
            _bare(ON_HAND_SQL, [location.pk]),
        )
        measure(
            "stock page totals (25)",
            lambda loc=location: list(selectors.stock_products(actor=actor, location=loc)[:25]),
            _bare(TOTALS_SQL, [location.pk, location.pk, organization.pk]),
        )
        measure(
            "usage report (month)",
            lambda loc=location, d=month: reports.inventory_report(
                actor=actor, date_from=d, date_to=d + dt.timedelta(days=30), location=loc
            ),
            lambda loc=location, s=start, e=end: (
                _bare(USAGE_SQL, [loc.pk, s, e])(),
                _bare(FIFO_SQL, [loc.pk, loc.pk])(),
            ),
        )
    sys.stdout.write(
        f"{'query':26} {'sel p50':>9} {'sel p95':>9} {'bare p50':>9} {'bare p95':>9} ratio\n"
    )
    for name, (ours, theirs) in timings.items():
        ratio = statistics.median(ours) / statistics.median(theirs)
        sys.stdout.write(
            f"{name:26} {statistics.median(ours):9.1f} {_percentile(ours, 0.95):9.1f} "
            f"{statistics.median(theirs):9.1f} {_percentile(theirs, 0.95):9.1f} {ratio:5.2f}\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
