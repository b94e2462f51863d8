"""Top services and products: what was sold in a period, by revenue or by quantity, from the
lines of the issued, non-void invoices of the period (the same invoices as the revenue
report's `invoiced`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from vetrisys.accounts.models import Location
from vetrisys.billing.models import Invoice, InvoiceLine
from vetrisys.inventory.models import Product
from vetrisys.reporting.scope import (
    check_choice,
    check_period,
    key_text,
    money,
    report_location_ids,
    reports_db,
    zone_groups,
)

KINDS: tuple[str, ...] = ("all", "services", "products")
ORDERS: tuple[str, ...] = ("revenue", "quantity")
MAX_LIMIT = 200


@dataclass
class ItemRow:
    """One price item: how much was sold, on how many invoices, for how much."""

    product_id: str
    name: str
    kind: str
    quantity: Decimal
    invoices: int
    net: Decimal
    revenue: Decimal


def top_items(
    *,
    actor: Any,
    date_from: dt.date,
    date_to: dt.date,
    location: Location | None = None,
    kind: str = "all",
    order: str = "revenue",
    limit: int = 20,
) -> list[ItemRow]:
    """The best-selling price items of the period (services, products or both), biggest first
    by revenue (total with tax) or by quantity."""
    check_choice("kind", kind, KINDS)
    check_choice("order", order, ORDERS)
    check_period(date_from, date_to)
    location_ids = report_location_ids(actor, location)
    return item_rows(
        organization_id=actor.organization_id,
        location_ids=location_ids,
        date_from=date_from,
        date_to=date_to,
        kind=kind,
        order=order,
        limit=max(1, min(int(limit), MAX_LIMIT)),
    )


def item_rows(
    *,
    organization_id: Any,
    location_ids: list[Any],
    date_from: dt.date,
    date_to: dt.date,
    kind: str = "all",
    order: str = "revenue",
    limit: int = 20,
) -> list[ItemRow]:
    """The rows for locations already authorized (one aggregate query and one for names)."""
    groups = zone_groups(
        organization_id=organization_id,
        location_ids=location_ids,
        date_from=date_from,
        date_to=date_to,
    )
    if not groups:
        return []
    period = Q(pk__in=[])
    for group in groups:
        period |= Q(
            invoice__location_id__in=list(group.location_ids),
            invoice__issued_at__gte=group.starts_at,
            invoice__issued_at__lt=group.ends_at,
        )
    lines = (
        InvoiceLine.objects.using(reports_db())
        .filter(
            period,
            invoice__organization_id=organization_id,
            product_id__isnull=False,
        )
        .exclude(invoice__status__in=[Invoice.Status.DRAFT, Invoice.Status.VOID])
    )
    if kind == "services":
        lines = lines.filter(product__kind=Product.Kind.SERVICE)
    elif kind == "products":
        lines = lines.exclude(product__kind=Product.Kind.SERVICE)
    ranking = "-revenue" if order == "revenue" else "-quantity"
    found = list(
        lines.values("product_id")
        .annotate(
            quantity=Sum("quantity"),
            invoices=Count("invoice_id", distinct=True),
            net=Sum("net_amount"),
            revenue=Sum("total_amount"),
        )
        .order_by(ranking, "product_id")[:limit]
    )
    products = {
        p.pk: p
        for p in Product.objects.using(reports_db())
        .filter(pk__in=[row["product_id"] for row in found])
        .only("id", "name", "kind")
    }
    kinds = dict(Product.Kind.choices)
    rows = []
    for row in found:
        product = products.get(row["product_id"])
        rows.append(
            ItemRow(
                product_id=key_text(row["product_id"]),
                name=product.name if product else "",
                kind=str(kinds.get(product.kind, "")) if product else "",
                quantity=Decimal(str(row["quantity"] or 0)).quantize(Decimal("0.001")),
                invoices=row["invoices"],
                net=money(row["net"]),
                revenue=money(row["revenue"]),
            )
        )
    return rows
