"""The dashboard's stock card: low stock and expiring lots at the current location."""

from __future__ import annotations

from typing import Any

from django import template

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.permissions import has_capability
from vetrisys.inventory import selectors

register = template.Library()


@register.inclusion_tag("inventory/partials/_dashboard_card.html", takes_context=True)
def stock_card(context: dict[str, Any]) -> dict[str, Any]:
    """Five low-stock products and five expiring lots at most (two bounded queries)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    location = getattr(request, "location", None)
    if location is None or not has_capability(user, Capability.INVENTORY_VIEW, location):
        return {"show": False}
    return {
        "show": True,
        "low": selectors.low_stock_at(location=location, limit=5),
        "expiring": selectors.expiring_lots_at(location=location, limit=5),
    }
