"""The revenue report: invoiced, credited, collected and outstanding per day, month, location,
vet or service. Every figure is summed by the database; docs/reports.md defines them.

- invoiced: totals (tax included) of the issued, non-void invoices whose issue date, in their
  location's zone, falls in the period;
- credited: credit notes issued in the period (shown apart; `invoiced` is not reduced by them);
- collected: payments received in the period (any method, client credit included) minus what
  credit notes of the period refunded;
- outstanding: today's open balance of the invoices counted in `invoiced`.

By vet and by service, each invoice, payment and credit note is shared among its invoice's
lines in proportion to the lines' totals, with cumulative rounding, when it is written
(billing.RevenueShare, docs/reports.md): the shares of a document add up to it to the cent, so
every grouping has the same grand total, and a period's figures are the sum of its days'.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.db.models import DateField, F, Q, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils.translation import gettext as _

from vetrisys.accounts.models import Location, User
from vetrisys.billing.models import CreditNote, Invoice, Payment, RevenueShare
from vetrisys.inventory.models import Product
from vetrisys.reporting.scope import (
    ZERO,
    ZoneGroup,
    check_choice,
    check_period,
    key_text,
    money,
    report_location_ids,
    reports_db,
    zone_groups,
)

GroupBy = Literal["day", "month", "location", "vet", "service"]
GROUP_BY: tuple[str, ...] = ("day", "month", "location", "vet", "service")
COUNTED = Q(issued_at__isnull=False) & ~Q(status__in=[Invoice.Status.DRAFT, Invoice.Status.VOID])


@dataclass
class RevenueRow:
    """One group of the revenue report."""

    key: str
    label: str
    invoiced: Decimal = ZERO
    credited: Decimal = ZERO
    collected: Decimal = ZERO
    outstanding: Decimal = ZERO


@dataclass
class RevenueTotals:
    """The revenue report's grand totals."""

    invoiced: Decimal = ZERO
    collected: Decimal = ZERO
    outstanding: Decimal = ZERO
    credited: Decimal = ZERO


@dataclass
class RevenueReport:
    """Rows and totals of a revenue report."""

    date_from: dt.date
    date_to: dt.date
    group_by: str
    rows: list[RevenueRow] = field(default_factory=list)

    @property
    def totals(self) -> RevenueTotals:
        """The sums of the rows (a handful of groups, not database rows)."""
        return RevenueTotals(
            invoiced=sum((r.invoiced for r in self.rows), ZERO),
            collected=sum((r.collected for r in self.rows), ZERO),
            outstanding=sum((r.outstanding for r in self.rows), ZERO),
            credited=sum((r.credited for r in self.rows), ZERO),
        )


def check_group_by(group_by: str, allowed: tuple[str, ...]) -> None:
    """422 unless `group_by` is one of `allowed`."""
    check_choice("group_by", group_by, allowed)


def _in_period(groups: list[ZoneGroup], location_field: str, at_field: str) -> Q:
    condition = Q(pk__in=[])
    for group in groups:
        condition |= Q(
            **{
                f"{location_field}__in": list(group.location_ids),
                f"{at_field}__gte": group.starts_at,
                f"{at_field}__lt": group.ends_at,
            }
        )
    return condition


def revenue_report(
    *,
    actor: Any,
    date_from: dt.date,
    date_to: dt.date,
    location: Location | None = None,
    group_by: str,
) -> list[RevenueRow]:
    """The revenue rows of the period at `location` (or every location where the actor may
    see reports), grouped by day, month, location, vet or service."""
    check_group_by(group_by, GROUP_BY)
    check_period(date_from, date_to)
    location_ids = report_location_ids(actor, location)
    return revenue_rows(
        organization_id=actor.organization_id,
        location_ids=location_ids,
        date_from=date_from,
        date_to=date_to,
        group_by=group_by,
    )


def revenue_rows(
    *,
    organization_id: Any,
    location_ids: list[Any],
    date_from: dt.date,
    date_to: dt.date,
    group_by: str,
) -> list[RevenueRow]:
    """The rows for locations already authorized (callers check the actor)."""
    groups = zone_groups(
        organization_id=organization_id,
        location_ids=location_ids,
        date_from=date_from,
        date_to=date_to,
    )
    if group_by in ("vet", "service"):
        return _by_line(organization_id, groups, group_by)
    rows: dict[str, RevenueRow] = {}
    if group_by == "location":
        _by_document(organization_id, groups, "location_id", rows)
    else:
        for group in groups:
            _by_document(organization_id, [group], group_by, rows)
    _label(rows, group_by, organization_id)
    return _ordered(rows, group_by)


def _key_expression(group_by: str, at_field: str, zone: str) -> Any:
    tz = ZoneInfo(zone)
    if group_by == "day":
        return TruncDate(at_field, tzinfo=tz)
    return TruncMonth(at_field, output_field=DateField(), tzinfo=tz)


def _by_document(
    organization_id: Any, groups: list[ZoneGroup], group_by: str, rows: dict[str, RevenueRow]
) -> None:
    """Three aggregate queries: invoices by issue date, payments by receipt date, credit notes
    by issue date."""
    alias = reports_db()
    sources: list[tuple[Any, str, dict[str, Any]]] = [
        (
            Invoice.objects.using(alias).filter(COUNTED),
            "issued_at",
            {"invoiced": Sum("total"), "outstanding": Sum("balance")},
        ),
        (Payment.objects.using(alias), "received_at", {"paid": Sum("amount")}),
        (
            CreditNote.objects.using(alias),
            "issued_at",
            {"credited": Sum("amount"), "refunded": Sum("refunded_amount")},
        ),
    ]
    for queryset, at_field, sums in sources:
        scoped = queryset.filter(
            _in_period(groups, "location_id", at_field), organization_id=organization_id
        )
        if group_by == "location_id":
            grouped = scoped.values(group_key=F("location_id"))
        else:
            grouped = scoped.annotate(
                group_key=_key_expression(group_by, at_field, groups[0].zone)
            ).values("group_key")
        for found in grouped.order_by().annotate(**sums):
            key = _format_key(found["group_key"], group_by)
            row = rows.setdefault(key, RevenueRow(key=key, label=key))
            row.invoiced += money(found.get("invoiced"))
            row.outstanding += money(found.get("outstanding"))
            row.credited += money(found.get("credited"))
            row.collected += money(found.get("paid")) - money(found.get("refunded"))


def _format_key(value: Any, group_by: str) -> str:
    if group_by == "month" and isinstance(value, dt.date):
        return value.strftime("%Y-%m")
    if isinstance(value, dt.date):
        return value.isoformat()
    return key_text(value)


def _by_line(organization_id: Any, groups: list[ZoneGroup], group_by: str) -> list[RevenueRow]:
    """Two aggregate queries over the revenue shares (billing.RevenueShare), each read from
    its covering index: what the period's documents put on each vet's or service's lines, and
    what is still owed on the lines of the period's invoices."""
    alias = reports_db()
    key = "vet_id" if group_by == "vet" else "product_id"
    shares = RevenueShare.objects.using(alias).filter(organization_id=organization_id)
    rows: dict[str, RevenueRow] = {}
    happened = (
        shares.filter(_in_period(groups, "location_id", "occurred_at"))
        .values(group_key=F(key))
        .order_by()
        .annotate(invoiced=Sum("invoiced"), credited=Sum("credited"), collected=Sum("collected"))
    )
    for found in happened:
        row = _row(rows, found["group_key"])
        row.invoiced += money(found["invoiced"])
        row.credited += money(found["credited"])
        row.collected += money(found["collected"])
    owed = (
        shares.filter(_in_period(groups, "location_id", "invoice_issued_at"))
        .values(group_key=F(key))
        .order_by()
        .annotate(outstanding=Sum("outstanding"))
    )
    for owed_row in owed:
        _row(rows, owed_row["group_key"]).outstanding += money(owed_row["outstanding"])
    # A group whose period nets to nothing (an invoice issued and voided) is not a row.
    for name in [k for k, r in rows.items() if not any(_amounts(r))]:
        del rows[name]
    _label(rows, group_by, organization_id)
    return _ordered(rows, group_by)


def _row(rows: dict[str, RevenueRow], value: Any) -> RevenueRow:
    key = key_text(value)
    return rows.setdefault(key, RevenueRow(key=key, label=key))


def _amounts(row: RevenueRow) -> tuple[Decimal, ...]:
    return (row.invoiced, row.credited, row.collected, row.outstanding)


def _label(rows: dict[str, RevenueRow], group_by: str, organization_id: Any) -> None:
    """Names for location, vet and service keys (one query)."""
    keys = [k for k in rows if k]
    alias = reports_db()
    names: dict[str, str] = {}
    if group_by == "location" and keys:
        names = {
            str(pk): name
            for pk, name in Location.objects.using(alias)
            .filter(organization_id=organization_id, pk__in=keys)
            .values_list("id", "name")
        }
    elif group_by == "vet" and keys:
        names = {
            str(u.pk): u.display_name
            for u in User.objects.using(alias)
            .filter(pk__in=keys)
            .only("id", "username", "first_name", "last_name")
        }
    elif group_by == "service" and keys:
        names = {
            str(pk): name
            for pk, name in Product.objects.using(alias)
            .filter(organization_id=organization_id, pk__in=keys)
            .values_list("id", "name")
        }
    for key, row in rows.items():
        if group_by in ("location", "vet", "service"):
            row.label = names.get(key, key)
        if not key and group_by == "vet":
            row.label = _("No vet (counter sales)")
        elif not key and group_by == "service":
            row.label = _("Lines without a price item")


def _ordered(rows: dict[str, RevenueRow], group_by: str) -> list[RevenueRow]:
    if group_by in ("day", "month"):
        return [rows[k] for k in sorted(rows)]
    if group_by == "location":
        return sorted(rows.values(), key=lambda r: r.label.lower())
    # Vets and services: the biggest first; the unattributed group last.
    return sorted(rows.values(), key=lambda r: (not r.key, -r.invoiced, r.label.lower()))


def revenue_totals(
    *, organization_id: Any, location_ids: list[Any], date_from: dt.date, date_to: dt.date
) -> RevenueTotals:
    """The period's totals for locations already authorized (four queries: the zones and one
    sum per kind of document)."""
    groups = zone_groups(
        organization_id=organization_id,
        location_ids=location_ids,
        date_from=date_from,
        date_to=date_to,
    )
    if not groups:
        return RevenueTotals()
    alias = reports_db()
    invoices = (
        Invoice.objects.using(alias)
        .filter(COUNTED, _in_period(groups, "location_id", "issued_at"))
        .filter(organization_id=organization_id)
        .aggregate(invoiced=Sum("total"), outstanding=Sum("balance"))
    )
    paid = (
        Payment.objects.using(alias)
        .filter(_in_period(groups, "location_id", "received_at"), organization_id=organization_id)
        .aggregate(paid=Sum("amount"))
    )
    notes = (
        CreditNote.objects.using(alias)
        .filter(_in_period(groups, "location_id", "issued_at"), organization_id=organization_id)
        .aggregate(credited=Sum("amount"), refunded=Sum("refunded_amount"))
    )
    return RevenueTotals(
        invoiced=money(invoices["invoiced"]),
        outstanding=money(invoices["outstanding"]),
        collected=money(paid["paid"]) - money(notes["refunded"]),
        credited=money(notes["credited"]),
    )
