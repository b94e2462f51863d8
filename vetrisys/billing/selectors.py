"""Reads of billing. Every query starts from what the actor may see."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.permissions import locations_with
from vetrisys.billing.models import (
    Charge,
    ClientCreditEntry,
    CreditNote,
    DayClose,
    Estimate,
    EstimateLine,
    Installment,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentPlan,
)
from vetrisys.billing.prices import current_price as current_price
from vetrisys.core.errors import NotFound


def _visible_locations(actor: Any) -> list[str]:
    return locations_with(actor, Capability.BILLING_VIEW)


def pending_charges(*, actor: Any, client: Any, location: Any = None) -> QuerySet[Charge]:
    """The client's charges not yet invoiced (oldest first), at locations the actor sees."""
    rows = Charge.objects.filter(
        organization_id=actor.organization_id,
        client=client,
        status=Charge.Status.PENDING,
        location_id__in=_visible_locations(actor),
    )
    if location is not None:
        rows = rows.filter(location=location)
    return rows.select_related("product", "patient", "location").order_by("created_at", "id")


def _scoped(rows: QuerySet[Any], actor: Any) -> QuerySet[Any]:
    return rows.filter(
        organization_id=actor.organization_id, location_id__in=_visible_locations(actor)
    )


def charge_list(*, actor: Any, client: Any = None, status: str | None = None) -> QuerySet[Charge]:
    """Charges at locations the actor sees billing of (pending ones unless told)."""
    rows = _scoped(Charge.objects.all(), actor)
    if client is not None:
        rows = rows.filter(client=client)
    rows = rows.filter(status=status or Charge.Status.PENDING)
    return rows.select_related("product", "patient", "location").order_by("created_at", "id")


def invoice_list(
    *,
    actor: Any,
    location: Any = None,
    client: Any = None,
    status: str | None = None,
) -> QuerySet[Invoice]:
    """Invoices the actor may see, newest first."""
    rows = _scoped(Invoice.objects.all(), actor)
    if location is not None:
        rows = rows.filter(location=location)
    if client is not None:
        rows = rows.filter(client=client)
    if status:
        rows = rows.filter(status=status)
    return rows.select_related("client", "patient", "location").order_by("-created_at", "-id")


def invoice_get(*, actor: Any, invoice_id: Any) -> Invoice:
    """One invoice with its lines, payments and credit notes (404 unless visible)."""
    found = (
        invoice_list(actor=actor)
        .prefetch_related(
            Prefetch("lines", queryset=InvoiceLine.objects.order_by("position", "id")),
            Prefetch("payments", queryset=Payment.objects.order_by("received_at", "id")),
            "credit_notes",
        )
        .filter(pk=invoice_id)
        .first()
    )
    if found is None:
        raise NotFound(_("Invoice not found."))
    return found


def estimate_list(*, actor: Any, location: Any = None, client: Any = None) -> QuerySet[Estimate]:
    """Estimates the actor may see, newest first."""
    rows = _scoped(Estimate.objects.all(), actor)
    if location is not None:
        rows = rows.filter(location=location)
    if client is not None:
        rows = rows.filter(client=client)
    return rows.select_related("client", "patient", "location").order_by("-created_at", "-id")


def estimate_get(*, actor: Any, estimate_id: Any) -> Estimate:
    """One estimate with its lines (404 unless visible)."""
    found = (
        estimate_list(actor=actor)
        .prefetch_related(Prefetch("lines", queryset=EstimateLine.objects.order_by("position")))
        .filter(pk=estimate_id)
        .first()
    )
    if found is None:
        raise NotFound(_("Estimate not found."))
    return found


def client_credit_balance(*, actor: Any, client: Any) -> Decimal:
    """The client's credit (sum of the credit ledger)."""
    if client.organization_id != actor.organization_id:
        raise NotFound(_("Owner not found."))
    total: Decimal | None = ClientCreditEntry.objects.filter(client=client).aggregate(
        total=Sum("amount")
    )["total"]
    return total if total is not None else Decimal("0.00")


OPEN = [Invoice.Status.ISSUED, Invoice.Status.PARTIALLY_PAID]
BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "days_over_90")


def receivables(*, actor: Any, location: Any = None, on: dt.date | None = None) -> QuerySet[Any]:
    """Per client: open balance and its aging by days past due (the due date, else the issue
    date) on `on` (today by default), largest balance first."""
    day = on or timezone.localdate()
    rows = _scoped(Invoice.objects.filter(status__in=OPEN), actor)
    if location is not None:
        rows = rows.filter(location=location)
    due = Coalesce("due_on", TruncDate("issued_at"))
    zero = Value(Decimal("0.00"), output_field=DecimalField(max_digits=14, decimal_places=2))

    def bucket(condition: Q) -> Coalesce:
        return Coalesce(Sum("balance", filter=condition), zero)

    aging: QuerySet[Any] = (
        rows.annotate(due_date=due)
        .values("client_id", "client__first_name", "client__last_name")
        .annotate(
            outstanding=Sum("balance"),
            invoices=Count("id"),
            current=bucket(Q(due_date__gte=day)),
            days_1_30=bucket(Q(due_date__lt=day, due_date__gte=day - dt.timedelta(days=30))),
            days_31_60=bucket(
                Q(
                    due_date__lt=day - dt.timedelta(days=30),
                    due_date__gte=day - dt.timedelta(days=60),
                )
            ),
            days_61_90=bucket(
                Q(
                    due_date__lt=day - dt.timedelta(days=60),
                    due_date__gte=day - dt.timedelta(days=90),
                )
            ),
            days_over_90=bucket(Q(due_date__lt=day - dt.timedelta(days=90))),
        )
        .order_by("-outstanding", "client_id")
    )
    return aging


def client_statement(*, actor: Any, client: Any) -> dict[str, Any]:
    """A client's statement: issued invoices, payments, credit notes, balance and credit."""
    if client.organization_id != actor.organization_id:
        raise NotFound(_("Owner not found."))
    invoices = list(
        invoice_list(actor=actor, client=client).exclude(status=Invoice.Status.DRAFT)[:500]
    )
    payments = list(
        _scoped(Payment.objects.filter(client=client), actor).order_by("received_at")[:500]
    )
    notes = list(
        _scoped(CreditNote.objects.filter(client=client), actor).order_by("issued_at")[:500]
    )
    balance = sum((i.balance for i in invoices if i.status in OPEN), Decimal("0.00"))
    return {
        "client": client,
        "invoices": invoices,
        "payments": payments,
        "credit_notes": notes,
        "balance": balance,
        "credit": client_credit_balance(actor=actor, client=client),
    }


def installments_due(
    *, actor: Any, on: dt.date | None = None, location: Any = None, overdue_only: bool = False
) -> QuerySet[Installment]:
    """Installments of active plans not yet covered and due by `on` (or overdue: before it)."""
    day = on or timezone.localdate()
    rows = Installment.objects.filter(
        plan__organization_id=actor.organization_id,
        plan__location_id__in=_visible_locations(actor),
        plan__status=PaymentPlan.Status.ACTIVE,
        plan__invoice__status__in=OPEN,
    ).filter(
        cumulative_amount__gt=F("plan__invoice__paid_total")
        + F("plan__invoice__credited_total")
        - F("plan__settled_before")
    )
    rows = rows.filter(due_on__lt=day) if overdue_only else rows.filter(due_on__lte=day)
    if location is not None:
        rows = rows.filter(plan__location=location)
    return rows.select_related("plan__invoice", "plan__client").order_by("due_on", "id")


def payment_plan_list(*, actor: Any, invoice: Any = None) -> QuerySet[PaymentPlan]:
    """Payment plans the actor may see, with their installments."""
    rows = _scoped(PaymentPlan.objects.all(), actor)
    if invoice is not None:
        rows = rows.filter(invoice=invoice)
    return rows.select_related("invoice").prefetch_related("installments").order_by("-created_at")


def day_close_list(*, actor: Any, location: Any = None) -> QuerySet[DayClose]:
    """Closed days the actor may see, newest first."""
    rows = _scoped(DayClose.objects.all(), actor)
    if location is not None:
        rows = rows.filter(location=location)
    return (
        rows.select_related("cashier")
        .prefetch_related("lines")
        .order_by("-business_date", "-closed_at")
    )
