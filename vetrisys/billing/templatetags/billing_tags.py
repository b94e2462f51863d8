"""Display of money, quantities and rates on the billing screens and documents."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from vetrisys.core.money import CURRENCY_PLACES, quantize

register = template.Library()

SYMBOLS = {"PEN": "S/", "USD": "US$", "EUR": "€"}


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return None


@register.filter
def money(value: Any, currency: str = "PEN") -> str:
    """S/ 1,234.50: rounded half-up to the currency's places, with its symbol."""
    amount = _decimal(value)
    if amount is None:
        return ""
    places = CURRENCY_PLACES.get(currency, 2)
    rounded = quantize(amount, currency)
    sign = "-" if rounded < 0 else ""
    return f"{sign}{SYMBOLS.get(currency, currency)} {abs(rounded):,.{places}f}"


@register.filter
def amount(value: Any, currency: str = "PEN") -> str:
    """1234.50: the plain figure for an input's value (no symbol, no grouping)."""
    number = _decimal(value)
    return "" if number is None else f"{quantize(number, currency):f}"


@register.filter
def qty(value: Any) -> str:
    """A quantity without trailing zeros: 2, 0.5, 1.25."""
    number = _decimal(value)
    if number is None:
        return ""
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def percent(value: Any) -> str:
    """18 %, 12.5 % (the rate as a person writes it)."""
    shown = qty(value)
    return f"{shown}%" if shown else ""
