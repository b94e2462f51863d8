"""Money: Decimal only, rounded half-up to the currency's places in this one place."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# ISO 4217 minor units for the currencies a clinic in the region uses.
CURRENCY_PLACES: dict[str, int] = {"PEN": 2, "USD": 2, "EUR": 2, "CLP": 0, "COP": 2, "BOB": 2}
CURRENCY_CHOICES = [(code, code) for code in CURRENCY_PLACES]


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round an amount half-up to the currency's minor unit."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"money must be Decimal, not {type(amount).__name__}")
    places = CURRENCY_PLACES.get(currency, 2)
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
