"""Lines of estimates and invoices: validating what a caller sends, writing the lines and the
totals that totals.py computes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from vetrisys.billing import totals
from vetrisys.billing.models import (
    QUANTITY_PLACES,
    UNIT_PRICE_PLACES,
    DocumentLine,
    Estimate,
    EstimateLine,
    Invoice,
    InvoiceLine,
)
from vetrisys.billing.prices import current_price
from vetrisys.billing.services.common import decimal, percent, raise_if
from vetrisys.core.errors import NotFound
from vetrisys.inventory.models import Product

MAX_LINES = 200


@dataclass(frozen=True)
class LineSpec:
    """A line as a caller sends it; price and rate default to the price item's."""

    description: str = ""
    quantity: Any = Decimal(1)
    product: Product | None = None
    unit_price: Any = None
    discount_percent: Any = None
    discount_amount: Any = None
    tax_rate: Any = None


@dataclass(frozen=True)
class CleanLine:
    """A validated line, its price and rate copied."""

    product: Product | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    discount_amount: Decimal
    tax_rate: Decimal

    def as_input(self) -> totals.LineInput:
        return totals.LineInput(
            quantity=self.quantity,
            unit_price=self.unit_price,
            tax_rate=self.tax_rate,
            discount_percent=self.discount_percent,
            discount_amount=self.discount_amount,
        )


def clean_lines(actor: Any, location: Any, specs: list[LineSpec]) -> list[CleanLine]:
    """Validate every line (422 naming `lines.N.field`); copy price and rate from the price
    list where the line does not say them."""
    errors: dict[str, list[str]] = {}
    if len(specs) > MAX_LINES:
        errors["lines"] = [_("%(count)s lines at most.") % {"count": MAX_LINES}]
    cleaned: list[CleanLine] = []
    for index, spec in enumerate(specs[:MAX_LINES]):
        prefix = f"lines.{index}."
        product = spec.product
        if product is not None and product.organization_id != actor.organization_id:
            raise NotFound(_("Price item not found."))
        description = (spec.description or "").strip() or (product.name if product else "")
        if not description:
            errors.setdefault(prefix + "description", []).append(
                _("A line without a price item needs a description.")
            )
        elif len(description) > 300:
            errors.setdefault(prefix + "description", []).append(_("300 characters at most."))
        quantity = decimal(
            spec.quantity, prefix + "quantity", errors, places=QUANTITY_PLACES, positive=True
        )
        if spec.unit_price is not None:
            unit_price = decimal(
                spec.unit_price, prefix + "unit_price", errors, places=UNIT_PRICE_PLACES
            )
        elif product is not None:
            unit_price = current_price(location, product)
        else:
            errors.setdefault(prefix + "unit_price", []).append(
                _("A line without a price item needs a unit price.")
            )
            unit_price = Decimal(0)
        if spec.tax_rate is not None:
            tax_rate = percent(spec.tax_rate, prefix + "tax_rate", errors)
        elif product is not None:
            tax_rate = product.tax_rate
        else:
            tax_rate = location.tax_rate
        discount_percent = (
            percent(spec.discount_percent, prefix + "discount_percent", errors)
            if spec.discount_percent is not None
            else Decimal(0)
        )
        discount_amount = (
            decimal(spec.discount_amount, prefix + "discount_amount", errors, places=2)
            if spec.discount_amount is not None
            else Decimal(0)
        )
        if discount_percent and discount_amount:
            errors.setdefault(prefix + "discount_amount", []).append(
                _("Give the discount as a percentage or as an amount, not both.")
            )
        if discount_amount > quantity * unit_price:
            errors.setdefault(prefix + "discount_amount", []).append(
                _("The discount cannot be larger than the line.")
            )
        cleaned.append(
            CleanLine(
                product=product,
                description=description,
                quantity=quantity,
                unit_price=unit_price,
                discount_percent=discount_percent,
                discount_amount=discount_amount,
                tax_rate=tax_rate,
            )
        )
    raise_if(errors)
    return cleaned


def _fill(line: DocumentLine, clean: CleanLine, amounts: totals.LineAmounts, position: int) -> None:
    line.position = position
    line.product = clean.product
    line.description = clean.description
    line.quantity = clean.quantity
    line.unit_price = clean.unit_price
    line.discount_percent = clean.discount_percent
    line.discount_amount = clean.discount_amount
    line.tax_rate = clean.tax_rate
    line.gross_amount = amounts.gross
    line.net_amount = amounts.net
    line.tax_amount = amounts.tax
    line.total_amount = amounts.total


def _clean_from_row(row: DocumentLine) -> CleanLine:
    return CleanLine(
        product=row.product,
        description=row.description,
        quantity=row.quantity,
        unit_price=row.unit_price,
        discount_percent=row.discount_percent,
        discount_amount=row.discount_amount,
        tax_rate=row.tax_rate,
    )


def recompute(document: Invoice | Estimate) -> None:
    """Recompute every line's amounts and the document's totals from the stored lines."""
    rows: list[DocumentLine] = list(document.lines.order_by("position", "id"))
    cleans = [_clean_from_row(row) for row in rows]
    computed = totals.document_totals(
        [c.as_input() for c in cleans],
        discount_percent=document.discount_percent,
        currency=document.currency,
    )
    model: Any = type(rows[0]) if rows else None
    for position, (row, clean, amounts) in enumerate(
        zip(rows, cleans, computed.lines, strict=True)
    ):
        _fill(row, clean, amounts, position)
    if model is not None:
        model.objects.bulk_update(
            rows, ["position", "gross_amount", "net_amount", "tax_amount", "total_amount"]
        )
    document.subtotal = computed.subtotal
    document.discount_total = computed.discount_total
    document.tax_total = computed.tax_total
    document.total = computed.total
    if isinstance(document, Invoice):
        document.balance = document.total - document.paid_total - document.credited_total


def write_lines(
    document: Invoice | Estimate, cleans: list[CleanLine], *, replace: bool
) -> list[DocumentLine]:
    """Store the lines (replacing the old ones of a draft when asked) and the totals."""
    start = 0
    if replace:
        document.lines.all().delete()
    else:
        start = document.lines.count()
    created: list[DocumentLine] = []
    computed = totals.document_totals(
        [c.as_input() for c in cleans],
        discount_percent=document.discount_percent,
        currency=document.currency,
    )
    for offset, (clean, amounts) in enumerate(zip(cleans, computed.lines, strict=True)):
        line: DocumentLine
        if isinstance(document, Invoice):
            line = InvoiceLine(invoice=document)
        else:
            line = EstimateLine(estimate=document)
        _fill(line, clean, amounts, start + offset)
        created.append(line)
    if created:
        line_model: Any = type(created[0])
        line_model.objects.bulk_create(created)
    recompute(document)
    return created


def totals_snapshot(document: Invoice | Estimate) -> dict[str, Any]:
    """The figures an audit event records."""
    return {
        "discount_percent": document.discount_percent,
        "subtotal": document.subtotal,
        "discount_total": document.discount_total,
        "tax_total": document.tax_total,
        "total": document.total,
    }
