"""The one place where document amounts are computed (docs/billing-totals.md).

Per line: gross = quantity * unit price (prices exclude tax); the line discount (a percent of
gross, or an amount no larger than gross) gives the net line; the document's discount percent
applies to every net line; that tax-exclusive amount is rounded half-up to the currency's
places; tax = that amount * rate, rounded half-up. Totals are sums of the rounded lines, so
they always add up: subtotal - discount_total = net_total and net_total + tax_total = total.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from vetrisys.core.money import quantize

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class LineInput:
    """What a line says: quantity, unit price (without tax), its discount and its tax rate."""

    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal
    discount_percent: Decimal = Decimal(0)
    discount_amount: Decimal = Decimal(0)


@dataclass(frozen=True)
class LineAmounts:
    """A line's amounts, each rounded to the currency's places."""

    gross: Decimal
    discount: Decimal
    net: Decimal
    tax: Decimal
    total: Decimal


@dataclass(frozen=True)
class DocumentTotals:
    """A document's lines and totals."""

    lines: tuple[LineAmounts, ...]
    subtotal: Decimal
    discount_total: Decimal
    net_total: Decimal
    tax_total: Decimal
    total: Decimal


def line_amounts(
    line: LineInput, *, document_discount_percent: Decimal, currency: str
) -> LineAmounts:
    """One line's amounts (the inputs are already validated: discounts within bounds)."""
    gross = line.quantity * line.unit_price
    if line.discount_percent:
        line_discount = gross * line.discount_percent / HUNDRED
    else:
        line_discount = min(line.discount_amount, gross)
    net = gross - line_discount
    if document_discount_percent:
        net = net * (HUNDRED - document_discount_percent) / HUNDRED
    gross_rounded = quantize(gross, currency)
    net_rounded = quantize(net, currency)
    tax = quantize(net_rounded * line.tax_rate / HUNDRED, currency)
    return LineAmounts(
        gross=gross_rounded,
        discount=gross_rounded - net_rounded,
        net=net_rounded,
        tax=tax,
        total=net_rounded + tax,
    )


def document_totals(
    lines: list[LineInput], *, discount_percent: Decimal, currency: str
) -> DocumentTotals:
    """Every line's amounts and the document's totals."""
    amounts = tuple(
        line_amounts(line, document_discount_percent=discount_percent, currency=currency)
        for line in lines
    )
    zero = quantize(Decimal(0), currency)
    subtotal = sum((a.gross for a in amounts), zero)
    net_total = sum((a.net for a in amounts), zero)
    tax_total = sum((a.tax for a in amounts), zero)
    return DocumentTotals(
        lines=amounts,
        subtotal=subtotal,
        discount_total=subtotal - net_total,
        net_total=net_total,
        tax_total=tax_total,
        total=net_total + tax_total,
    )
