"""Checks every inventory service shares: the location is the actor's, quantities are exact."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.permissions import require
from vetrisys.core.errors import NotFound, ValidationFailed
from vetrisys.core.timeutil import today_in
from vetrisys.inventory.models import QUANTITY_PLACES, Product

MAX_QUANTITY = Decimal("99999999999")  # 11 digits before the point: the column's capacity


def check_location(actor: Any, location: Any, capability: Capability) -> None:
    """404 when the location is another organization's; 403 without the capability there."""
    if location is None or location.organization_id != actor.organization_id:
        raise NotFound(_("Location not found."))
    require(actor, capability, location)


def check_product(actor: Any, product: Product, *, stocked: bool = True) -> None:
    """404 for another organization's product; 422 for a service where stock is meant."""
    if product.organization_id != actor.organization_id:
        raise NotFound(_("Product not found."))
    if stocked and not product.is_stocked:
        raise ValidationFailed.for_field("product", _("A service has no stock."))


def quantity(value: Any, field: str = "quantity", *, signed: bool = False) -> Decimal:
    """A positive (or, when `signed`, non-zero) quantity with at most three decimals."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationFailed.for_field(field, _("Enter a number.")) from None
    if not amount.is_finite():
        raise ValidationFailed.for_field(field, _("Enter a number."))
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -QUANTITY_PLACES:
        raise ValidationFailed.for_field(field, _("Three decimals at most."))
    if abs(amount) > MAX_QUANTITY:
        raise ValidationFailed.for_field(field, _("The quantity is too large."))
    if signed and amount == 0:
        raise ValidationFailed.for_field(field, _("The change cannot be zero."))
    if not signed and amount <= 0:
        raise ValidationFailed.for_field(field, _("The quantity must be greater than zero."))
    return amount.quantize(Decimal(1).scaleb(-QUANTITY_PLACES))


def money(value: Any, field: str, *, places: int = 4) -> Decimal:
    """A non-negative amount with at most `places` decimals."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationFailed.for_field(field, _("Enter an amount.")) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationFailed.for_field(field, _("Enter an amount of zero or more."))
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        raise ValidationFailed.for_field(
            field, _("%(places)s decimals at most.") % {"places": places}
        )
    if amount >= Decimal(10) ** 10:
        raise ValidationFailed.for_field(field, _("The amount is too large."))
    return amount.quantize(Decimal(1).scaleb(-places))


def reason_text(value: str, field: str = "reason") -> str:
    """A required reason, trimmed, 300 characters at most."""
    text = (value or "").strip()
    if not text:
        raise ValidationFailed.for_field(field, _("Say why."))
    if len(text) > 300:
        raise ValidationFailed.for_field(field, _("300 characters at most."))
    return text


def location_today(location: Any) -> dt.date:
    """Today at the location (expiry is a date there)."""
    return today_in(location.time_zone)
