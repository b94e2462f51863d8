"""Reads shaped for the billing screens: receivables with aging, a client's statement, due
installments and the price list of a location. Bounded queries, organization first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Case, DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.permissions import locations_with
from vetrisys.billing.models import (
    ZERO,
    DayClose,
    Estimate,
    Installment,
    Invoice,
    LocationPrice,
    PaymentPlan,
)
from vetrisys.core.errors import NotFound
from vetrisys.core.timeutil import local_day_bounds, now
from vetrisys.inventory.models import Product

OPEN = (Invoice.Status.ISSUED, Invoice.Status.PARTIALLY_PAID)
BUCKETS = ("current", "days_30", "days_60", "days_90")


def _open_invoices(actor: Any) -> QuerySet[Invoice]:
    return Invoice.objects.filter(
        organization_id=actor.organization_id,
        location_id__in=locations_with(actor, Capability.BILLING_VIEW),
        status__in=OPEN,
        balance__gt=0,
    )


def _money_sum(condition: Q | None) -> Coalesce:
    field = DecimalField(max_digits=14, decimal_places=2)
    if condition is None:
        return Coalesce(Sum("balance"), Value(ZERO), output_field=field)
    return Coalesce(
        Sum(Case(When(condition, then="balance"), default=Value(ZERO), output_field=field)),
        Value(ZERO),
        output_field=field,
    )


def receivables(*, actor: Any, today: dt.date, zone: str) -> QuerySet[Any]:
    """Clients who owe, with their balance by age of the invoice (current, 31-60, 61-90,
    90+ days since issue), largest balance first: one grouped query."""

    def start_of(days: int) -> dt.datetime:
        return local_day_bounds(today - dt.timedelta(days=days), zone)[0]

    return (
        _open_invoices(actor)
        .values("client_id", "client__first_name", "client__last_name")
        .annotate(
            total=_money_sum(None),
            current=_money_sum(Q(issued_at__gte=start_of(30))),
            days_30=_money_sum(Q(issued_at__lt=start_of(30), issued_at__gte=start_of(60))),
            days_60=_money_sum(Q(issued_at__lt=start_of(60), issued_at__gte=start_of(90))),
            days_90=_money_sum(Q(issued_at__lt=start_of(90))),
        )
        .order_by("-total", "client__last_name", "client_id")
    )


def receivable_totals(rows: list[dict[str, Any]]) -> dict[str, Decimal]:
    """The column sums of the receivables shown."""
    return {key: sum((row[key] for row in rows), ZERO) for key in ("total", *BUCKETS)}


@dataclass(frozen=True)
class StatementLine:
    """One movement of a client's account: an invoice (debit) or a payment/credit (credit)."""

    on: dt.date
    kind: str
    reference: str
    debit: Decimal
    credit: Decimal
    balance: Decimal


def statement_invoices(*, actor: Any, client: Any, limit: int = 200) -> list[Invoice]:
    """The client's issued invoices (not void) with their payments and credit notes."""
    return list(
        Invoice.objects.filter(
            organization_id=actor.organization_id,
            client=client,
            location_id__in=locations_with(actor, Capability.BILLING_VIEW),
        )
        .exclude(status__in=(Invoice.Status.DRAFT, Invoice.Status.VOID))
        .select_related("location")
        .prefetch_related("payments", "credit_notes")
        .order_by("issued_at", "id")[:limit]
    )


def statement_lines(invoices: list[Invoice], zone: str) -> list[StatementLine]:
    """Invoices, payments and credit notes in date order with the running balance."""
    tz = ZoneInfo(zone)
    events: list[tuple[dt.datetime, int, str, str, Decimal, Decimal]] = []
    for invoice in invoices:
        assert invoice.issued_at is not None
        events.append((invoice.issued_at, 0, "invoice", invoice.full_number, invoice.total, ZERO))
        for payment in invoice.payments.all():
            events.append(
                (payment.received_at, 1, "payment", invoice.full_number, ZERO, payment.amount)
            )
        for note in invoice.credit_notes.all():
            events.append(
                (note.issued_at, 2, "credit_note", note.full_number, ZERO, note.applied_to_balance
                 + note.refunded_amount + note.credited_to_client)
            )  # fmt: skip
    events.sort(key=lambda event: (event[0], event[1]))
    running = ZERO
    lines = []
    for moment, _order, kind, reference, debit, credit in events:
        running += debit - credit
        lines.append(
            StatementLine(moment.astimezone(tz).date(), kind, reference, debit, credit, running)
        )
    return lines


def installments_due(
    *, actor: Any, location: Any, until: dt.date, limit: int = 200
) -> list[Installment]:
    """Installments of active plans at the location, due by `until`, not yet covered."""
    rows = (
        Installment.objects.filter(
            plan__organization_id=actor.organization_id,
            plan__location=location,
            plan__status="active",
            due_on__lte=until,
        )
        .select_related("plan__invoice", "plan__client")
        .order_by("due_on", "sequence")
    )
    due = []
    for installment in rows[:limit]:
        plan = installment.plan
        paid_on_plan = plan.invoice.paid_total + plan.invoice.credited_total - plan.settled_before
        if paid_on_plan < installment.cumulative_amount:
            due.append(installment)
    return due


def price_rows(*, actor: Any, location: Any, q: str = "") -> QuerySet[Product]:
    """Active products with the location's current override price (None: the catalog's)."""
    current = LocationPrice.objects.filter(
        location=location, product=OuterRef("pk"), valid_from__lte=now()
    ).order_by("-valid_from")
    products = Product.objects.filter(organization_id=actor.organization_id, is_active=True)
    if q:
        products = products.filter(Q(name__icontains=q) | Q(sku__iexact=q) | Q(barcode=q))
    return products.annotate(location_price=Subquery(current.values("price")[:1])).order_by("name")


def price_history(*, location: Any, product: Any, limit: int = 50) -> QuerySet[LocationPrice]:
    """The location's price entries of a product, newest first."""
    return (
        LocationPrice.objects.filter(location=location, product=product)
        .select_related("created_by")
        .order_by("-valid_from")[:limit]
    )


def local_day(day: dt.date, zone: str) -> tuple[dt.datetime, dt.datetime]:
    """The bounds of a day at a location."""
    return local_day_bounds(day, zone)


def day_close_of(*, location: Any, cashier: Any, day: dt.date) -> DayClose | None:
    """The cashier's close of that day at the location, if made."""
    return (
        DayClose.objects.filter(location=location, cashier=cashier, business_date=day)
        .select_related("closed_by")
        .prefetch_related("lines")
        .first()
    )


def _visible(actor: Any) -> list[str]:
    return locations_with(actor, Capability.BILLING_VIEW)


def invoice_list(
    *,
    actor: Any,
    location: Any,
    status: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    client: Any = None,
) -> QuerySet[Invoice]:
    """Invoices of a location, newest first; dates are the location's local days of issue
    (drafts: of creation)."""
    rows = Invoice.objects.filter(
        organization_id=actor.organization_id, location=location, location_id__in=_visible(actor)
    )
    if status:
        rows = rows.filter(status=status)
    if client is not None:
        rows = rows.filter(client=client)
    if date_from is not None:
        start = local_day_bounds(date_from, location.time_zone)[0]
        rows = rows.filter(
            Q(issued_at__gte=start) | Q(issued_at__isnull=True, created_at__gte=start)
        )
    if date_to is not None:
        end = local_day_bounds(date_to, location.time_zone)[1]
        rows = rows.filter(Q(issued_at__lt=end) | Q(issued_at__isnull=True, created_at__lt=end))
    return rows.select_related("client", "patient").order_by("-created_at", "-id")


def invoice_get(*, actor: Any, invoice_id: Any) -> Invoice:
    """One invoice the actor may see, with what its pages show; else 404."""
    invoice = (
        Invoice.objects.filter(
            organization_id=actor.organization_id, location_id__in=_visible(actor), pk=invoice_id
        )
        .select_related(
            "location__organization", "client", "patient__species", "issued_by", "series"
        )
        .prefetch_related("lines", "payments", "credit_notes")
        .first()
    )
    if invoice is None:
        raise NotFound(_("Invoice not found."))
    return invoice


def invoice_active_plan(*, invoice: Invoice) -> PaymentPlan | None:
    """The invoice's active payment plan with its installments."""
    return (
        PaymentPlan.objects.filter(invoice=invoice, status=PaymentPlan.Status.ACTIVE)
        .prefetch_related("installments")
        .first()
    )


def estimate_list(*, actor: Any, location: Any) -> QuerySet[Estimate]:
    """Estimates of a location, newest first."""
    return (
        Estimate.objects.filter(
            organization_id=actor.organization_id,
            location=location,
            location_id__in=_visible(actor),
        )
        .select_related("client", "patient")
        .order_by("-created_at", "-id")
    )


def estimate_get(*, actor: Any, estimate_id: Any) -> Estimate:
    """One estimate the actor may see; else 404."""
    estimate = (
        Estimate.objects.filter(
            organization_id=actor.organization_id, location_id__in=_visible(actor), pk=estimate_id
        )
        .select_related("location__organization", "client", "patient__species")
        .prefetch_related("lines")
        .first()
    )
    if estimate is None:
        raise NotFound(_("Estimate not found."))
    return estimate
