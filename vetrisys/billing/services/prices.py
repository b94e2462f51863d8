"""The price list: per-location prices of products, kept as an append-only history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.audit.services import record
from vetrisys.billing.models import UNIT_PRICE_PLACES, LocationPrice
from vetrisys.billing.services.common import (
    check_location,
    check_same_organization,
    decimal,
    raise_if,
)
from vetrisys.core.timeutil import now


@transaction.atomic
def price_set(
    *, actor: Any, location: Any, product: Any, price: Any, valid_from: dt.datetime | None = None
) -> LocationPrice:
    """From `valid_from` (now by default) on, the product costs `price` (without tax) here."""
    check_location(actor, location, Capability.PRICES_MANAGE)
    check_same_organization(actor, product, _("Price item"))
    errors: dict[str, list[str]] = {}
    amount = decimal(price, "price", errors, places=UNIT_PRICE_PLACES)
    raise_if(errors)
    entry = LocationPrice.objects.create(
        organization_id=actor.organization_id,
        location=location,
        product=product,
        price=amount,
        valid_from=valid_from or now(),
        created_by=actor,
    )
    record(
        actor=actor,
        action="price.set",
        target=product,
        location=location,
        changes={"price": amount, "valid_from": entry.valid_from},
    )
    return entry
