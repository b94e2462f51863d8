"""The daily stock alerts: low stock and lots expiring soon (or expired on the shelf)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from vetrisys.accounts.models import Location
from vetrisys.inventory.models import StockAlert
from vetrisys.inventory.services.common import location_today


@transaction.atomic
def stock_alerts_raise(*, location: Location, today: dt.date | None = None) -> int:
    """Record today's alerts of one location; running it again the same day adds nothing.
    Returns how many alerts were new."""
    from vetrisys.inventory.selectors import expiring_lots_at, low_stock_at

    day = today or location_today(location)
    alerts: list[StockAlert] = []
    common: dict[str, Any] = {
        "organization_id": location.organization_id,
        "location": location,
        "raised_on": day,
    }
    for row in low_stock_at(location=location):
        alerts.append(
            StockAlert(
                product=row.product,
                kind=StockAlert.Kind.LOW_STOCK,
                on_hand=row.on_hand,
                threshold=row.reorder_level,
                **common,
            )
        )
    seen: set[tuple[Any, str]] = set()
    for lot_row in expiring_lots_at(location=location, today=day):
        kind = StockAlert.Kind.EXPIRED if lot_row.is_expired else StockAlert.Kind.EXPIRING
        if (lot_row.product.pk, kind) in seen:
            continue  # the first to expire speaks for the product
        seen.add((lot_row.product.pk, kind))
        alerts.append(
            StockAlert(
                product=lot_row.product,
                lot=lot_row.lot,
                kind=kind,
                on_hand=lot_row.on_hand,
                expires_on=lot_row.lot.expires_on,
                **common,
            )
        )
    before = StockAlert.objects.filter(location=location, raised_on=day).count()
    StockAlert.objects.bulk_create(alerts, ignore_conflicts=True)
    return StockAlert.objects.filter(location=location, raised_on=day).count() - before


def stock_alerts_raise_everywhere(*, today: dt.date | None = None) -> int:
    """Today's alerts at every active location of every organization (the daily job)."""
    total = 0
    for location in Location.objects.filter(is_active=True).order_by("pk"):
        total += stock_alerts_raise(location=location, today=today)
    return total
