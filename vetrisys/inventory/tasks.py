"""Jobs of inventory: thin wrappers over services."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from vetrisys.inventory.services import stock_alerts_raise_everywhere


@db_periodic_task(crontab(hour="6", minute="5"))  # type: ignore[untyped-decorator]
def raise_stock_alerts() -> int:
    """Every morning: low-stock and expiry alerts for the stock keepers (once per day)."""
    return stock_alerts_raise_everywhere()
