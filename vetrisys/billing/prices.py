"""The price of a product at a location: the latest valid override, else the catalog price."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from vetrisys.billing.models import LocationPrice
from vetrisys.core.timeutil import now


def current_price(location: Any, product: Any, *, at: Any = None) -> Decimal:
    """The price without tax of `product` at `location` now (or at `at`)."""
    moment = at or now()
    override = (
        LocationPrice.objects.filter(location=location, product=product, valid_from__lte=moment)
        .order_by("-valid_from")
        .values_list("price", flat=True)
        .first()
    )
    if override is not None:
        return override
    price: Decimal = product.sale_price
    return price
