"""The dashboards' figures: a handful of aggregate queries per screen, whatever the number of
locations or rows, each day in its location's zone.

Revenue figures come from `reporting.revenue` (one definition of invoiced and collected);
the rest is counted here:

- appointments today by status, and "waiting now": checked in today, consultation not started;
- no-show rate of the month so far: no-shows / appointments not cancelled (as the
  appointments report), against the same days of last month;
- outstanding receivables: today's open balance of every issued, non-void invoice, whatever
  its date (the same invoices `invoiced` counts, all periods);
- new clients this month: owners belong to the organization, not to a site. The chain counts
  every owner registered this month; a location counts those of them who had an appointment
  there this month (an owner seen at two sites counts at both, so the sites need not add up
  to the chain);
- low stock and expiring lots: the inventory alerts' definitions (`inventory.selectors`
  `low_stock_at` / `expiring_lots_at`) counted per location in one query each;
- vaccinations due this week: doses whose next due date falls in the next seven days
  (today included) and that no later dose of the same vaccine replaced, of living patients,
  counted where the last dose was given.

"Today" is the date in the zone of the first location of the scope (a chain whose sites are
in zones on different dates at that moment uses that one date); each location's day runs
from its own local midnight to the next.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, DecimalField, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.models import Location
from vetrisys.accounts.permissions import locations_with, require
from vetrisys.billing.models import Invoice
from vetrisys.clients.models import Client
from vetrisys.core.errors import NotAllowed
from vetrisys.core.timeutil import local_day_bounds, today_in
from vetrisys.inventory.models import ReorderRule, StockBalance
from vetrisys.reporting.appointments import STATUSES
from vetrisys.reporting.revenue import COUNTED, RevenueRow, revenue_rows, revenue_totals
from vetrisys.reporting.scope import ZERO, money, percent, reports_db
from vetrisys.scheduling.models import Appointment
from vetrisys.vaccinations.models import Vaccination

DUE_WINDOW_DAYS = 7


# ---------------------------------------------------------------- periods


@dataclass(frozen=True)
class Periods:
    """The days a dashboard compares: today, this month so far, the same days of last month,
    all of last month, and the same days of this month a year ago."""

    today: dt.date
    month_start: dt.date
    last_month_start: dt.date
    last_month_to_date: dt.date
    last_month_end: dt.date
    last_year_start: dt.date
    last_year_to_date: dt.date

    @classmethod
    def on(cls, today: dt.date) -> Periods:
        """The periods seen from `today` (the 31st compares with the last day of a shorter
        month; 29 February with the 28th)."""
        month_start = today.replace(day=1)
        last_month_end = month_start - dt.timedelta(days=1)
        last_month_start = last_month_end.replace(day=1)
        last_year_start = month_start.replace(year=month_start.year - 1)
        last_year_days = calendar.monthrange(last_year_start.year, last_year_start.month)[1]
        return cls(
            today=today,
            month_start=month_start,
            last_month_start=last_month_start,
            last_month_to_date=last_month_end.replace(day=min(today.day, last_month_end.day)),
            last_month_end=last_month_end,
            last_year_start=last_year_start,
            last_year_to_date=last_year_start.replace(day=min(today.day, last_year_days)),
        )


def _within(
    locations: Sequence[Location], date_from: dt.date, date_to: dt.date, at_field: str
) -> Q:
    """Rows whose instant falls in the local days date_from..date_to of their location."""
    by_zone: dict[str, list[Any]] = defaultdict(list)
    for location in locations:
        by_zone[location.time_zone].append(location.pk)
    condition = Q(pk__in=[])
    for zone, ids in sorted(by_zone.items()):
        starts_at, _end = local_day_bounds(date_from, zone)
        _start, ends_at = local_day_bounds(date_to, zone)
        condition |= Q(
            location_id__in=ids, **{f"{at_field}__gte": starts_at, f"{at_field}__lt": ends_at}
        )
    return condition


# ---------------------------------------------------------------- figures


def _change(now: Decimal, before: Decimal) -> Decimal | None:
    """now against before in percent (None when there is nothing to compare with)."""
    if not before:
        return None
    return percent(int((now - before) * 100), int(before * 100))


@dataclass
class Kpis:
    """The figures of one location, or of several added together."""

    location: Location | None = None
    appointments_today: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    month_appointments: int = 0
    month_cancelled: int = 0
    month_no_shows: int = 0
    last_month_appointments: int = 0
    last_month_cancelled: int = 0
    last_month_no_shows: int = 0
    invoiced_today: Decimal = ZERO
    collected_today: Decimal = ZERO
    invoiced_month: Decimal = ZERO
    collected_month: Decimal = ZERO
    invoiced_last_month_to_date: Decimal = ZERO
    invoiced_last_month: Decimal = ZERO
    invoiced_last_year: Decimal = ZERO
    outstanding: Decimal = ZERO
    new_clients: int = 0
    low_stock: int = 0
    expiring: int = 0
    vaccinations_due: int = 0

    @property
    def appointments_today_total(self) -> int:
        """Every appointment of today, cancelled ones included."""
        return sum(self.appointments_today.values())

    @property
    def waiting_now(self) -> int:
        """Checked in, consultation not started."""
        return self.appointments_today["checked_in"]

    @property
    def in_consultation(self) -> int:
        """In consultation now."""
        return self.appointments_today["in_progress"]

    @property
    def no_show_rate(self) -> Decimal:
        """No-shows among this month's appointments not cancelled, in percent."""
        return percent(self.month_no_shows, self.month_appointments - self.month_cancelled)

    @property
    def no_show_rate_last_month(self) -> Decimal:
        """The same for the same days of last month."""
        return percent(
            self.last_month_no_shows, self.last_month_appointments - self.last_month_cancelled
        )

    @property
    def no_show_change(self) -> Decimal:
        """Percentage points against last month (positive: more no-shows)."""
        return self.no_show_rate - self.no_show_rate_last_month

    @property
    def month_change(self) -> Decimal | None:
        """This month's invoicing so far against the same days of last month, in percent."""
        return _change(self.invoiced_month, self.invoiced_last_month_to_date)

    @property
    def year_change(self) -> Decimal | None:
        """This month's invoicing so far against the same days a year ago, in percent."""
        return _change(self.invoiced_month, self.invoiced_last_year)

    def add(self, other: Kpis) -> None:
        """Add another location's figures to these."""
        for status, count in other.appointments_today.items():
            self.appointments_today[status] += count
        for name in (
            "month_appointments", "month_cancelled", "month_no_shows", "last_month_appointments",
            "last_month_cancelled", "last_month_no_shows", "invoiced_today", "collected_today",
            "invoiced_month", "collected_month", "invoiced_last_month_to_date",
            "invoiced_last_month", "invoiced_last_year", "outstanding", "new_clients",
            "low_stock", "expiring", "vaccinations_due",
        ):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class DayPoint:
    """One day of the month in the revenue chart: this month's and last month's invoicing."""

    day: int
    this_month: Decimal | None
    last_month: Decimal | None


@dataclass
class Dashboard:
    """What a dashboard shows: the figures of its scope, the daily revenue of this month and
    the last, and for a chain, every location's figures."""

    periods: Periods
    locations: list[Location]
    totals: Kpis
    days: list[DayPoint]
    currency: str
    is_chain: bool
    sites: list[Kpis] = field(default_factory=list)

    @property
    def has_mixed_currencies(self) -> bool:
        """Whether the locations invoice in different currencies (sums would mix them)."""
        return len({location.currency for location in self.locations}) > 1


# ---------------------------------------------------------------- scope


def location_scope(*, actor: Any, location: Location | None) -> list[Location]:
    """The current location, when the actor may see its reports (403 otherwise)."""
    if location is None or location.organization_id != actor.organization_id:
        raise NotAllowed(_no_location_message(), code="no_location")
    require(actor, Capability.REPORTS_VIEW, location)
    return [location]


def chain_scope(*, actor: Any) -> list[Location]:
    """Every location where the actor holds reports.chain (403 for anyone else)."""
    require(actor, Capability.REPORTS_CHAIN)
    ids = locations_with(actor, Capability.REPORTS_CHAIN)
    return list(
        Location.objects.using(reports_db())
        .filter(organization_id=actor.organization_id, pk__in=ids)
        .order_by("name", "id")
    )


def _no_location_message() -> str:
    from django.utils.translation import gettext as _

    return _("Choose a location to see its dashboard.")


# ---------------------------------------------------------------- selectors


def location_dashboard(
    *, actor: Any, location: Location | None, today: dt.date | None = None
) -> Dashboard:
    """The dashboard of the current location (reports.view there); `today` defaults to the
    date in the location's zone."""
    locations = location_scope(actor=actor, location=location)
    return _dashboard(locations, chain=False, today=today)


def chain_dashboard(*, actor: Any, today: dt.date | None = None) -> Dashboard:
    """The dashboard of the whole organization (reports.chain)."""
    return _dashboard(chain_scope(actor=actor), chain=True, today=today)


def comparison(*, actor: Any, today: dt.date | None = None) -> Dashboard:
    """Every location's figures side by side, and the chain's (reports.chain)."""
    locations = chain_scope(actor=actor)
    periods = _periods_of(locations, today)
    sites = site_kpis(locations, periods)
    totals = Kpis()
    for site in sites:
        totals.add(site)
    if locations:
        totals.new_clients = _new_clients_of_organization(locations, periods)
    return Dashboard(
        periods=periods,
        locations=locations,
        totals=totals,
        days=[],
        currency=_currency(locations),
        is_chain=True,
        sites=sites,
    )


def _periods_of(locations: Sequence[Location], today: dt.date | None) -> Periods:
    if today is not None:
        return Periods.on(today)
    zone = locations[0].time_zone if locations else settings.TIME_ZONE
    return Periods.on(today_in(zone))


def _currency(locations: Sequence[Location]) -> str:
    return locations[0].currency if locations else "PEN"


def _dashboard(locations: list[Location], *, chain: bool, today: dt.date | None) -> Dashboard:
    periods = _periods_of(locations, today)
    totals = Kpis(location=None if chain else (locations[0] if locations else None))
    days: list[DayPoint] = []
    if locations:
        ids = [location.pk for location in locations]
        for site in _counted(locations, periods).values():
            totals.add(site)
        days = _revenue_days(locations, periods, totals)
        totals.invoiced_last_year = _invoiced(
            locations, periods.last_year_start, periods.last_year_to_date
        )
        totals.outstanding = sum(_outstanding(ids).values(), ZERO)
        totals.new_clients = (
            _new_clients_of_organization(locations, periods)
            if chain
            else sum(_new_clients_by_location(locations, periods).values())
        )
    return Dashboard(
        periods=periods,
        locations=locations,
        totals=totals,
        days=days,
        currency=_currency(locations),
        is_chain=chain,
    )


def site_kpis(locations: Sequence[Location], periods: Periods) -> list[Kpis]:
    """Each location's figures (a fixed number of grouped queries for any number of sites)."""
    if not locations:
        return []
    ids = [location.pk for location in locations]
    sites = _counted(locations, periods)
    for attribute, collected_attribute, date_from, date_to in (
        ("invoiced_today", "collected_today", periods.today, periods.today),
        ("invoiced_month", "collected_month", periods.month_start, periods.today),
        ("invoiced_last_month_to_date", "", periods.last_month_start, periods.last_month_to_date),
        ("invoiced_last_year", "", periods.last_year_start, periods.last_year_to_date),
    ):
        rows = _revenue_by_location(locations, date_from, date_to)
        for location_id, row in rows.items():
            site = sites[location_id]
            setattr(site, attribute, row.invoiced)
            if collected_attribute:
                setattr(site, collected_attribute, row.collected)
    for location_id, amount in _outstanding(ids).items():
        sites[location_id].outstanding = amount
    for location_id, count in _new_clients_by_location(locations, periods).items():
        sites[location_id].new_clients = count
    return [sites[str(location.pk)] for location in locations]


def _counted(locations: Sequence[Location], periods: Periods) -> dict[str, Kpis]:
    """Per location: appointments, low stock, expiring lots and vaccinations due (four
    queries)."""
    sites = {str(location.pk): Kpis(location=location) for location in locations}
    for location_id, counts in _appointment_counts(locations, periods).items():
        site = sites[location_id]
        for status in STATUSES:
            site.appointments_today[status] = counts[f"today_{status}"]
        site.month_appointments = counts["month_total"]
        site.month_cancelled = counts["month_cancelled"]
        site.month_no_shows = counts["month_no_show"]
        site.last_month_appointments = counts["last_total"]
        site.last_month_cancelled = counts["last_cancelled"]
        site.last_month_no_shows = counts["last_no_show"]
    ids = [location.pk for location in locations]
    for location_id, count in _low_stock(ids).items():
        sites[location_id].low_stock = count
    for location_id, count in _expiring(ids, periods.today).items():
        sites[location_id].expiring = count
    for location_id, count in _vaccinations_due(locations, periods.today).items():
        sites[location_id].vaccinations_due = count
    return sites


def _appointment_counts(
    locations: Sequence[Location], periods: Periods
) -> dict[str, dict[str, int]]:
    """One query: today's appointments by status, this month's and last month's (to the same
    day) totals, cancellations and no-shows, per location."""
    today = _within(locations, periods.today, periods.today, "starts_at")
    month = _within(locations, periods.month_start, periods.today, "starts_at")
    last = _within(locations, periods.last_month_start, periods.last_month_to_date, "starts_at")
    counts: dict[str, Any] = {
        f"today_{status}": Count("id", filter=today & Q(status=status)) for status in STATUSES
    }
    for prefix, period in (("month", month), ("last", last)):
        counts[f"{prefix}_total"] = Count("id", filter=period)
        counts[f"{prefix}_cancelled"] = Count("id", filter=period & Q(status="cancelled"))
        counts[f"{prefix}_no_show"] = Count("id", filter=period & Q(status="no_show"))
    rows = (
        Appointment.objects.using(reports_db())
        .filter(today | month | last, organization_id=locations[0].organization_id)
        .values("location_id")
        .order_by()
        .annotate(**counts)
    )
    found: dict[str, dict[str, int]] = {}
    for row in rows:
        values: dict[str, Any] = dict(row)
        found[str(values.pop("location_id"))] = values
    return found


def _revenue_by_location(
    locations: Sequence[Location], date_from: dt.date, date_to: dt.date
) -> dict[str, RevenueRow]:
    rows = revenue_rows(
        organization_id=locations[0].organization_id,
        location_ids=[location.pk for location in locations],
        date_from=date_from,
        date_to=date_to,
        group_by="location",
    )
    return {row.key: row for row in rows}


def _invoiced(locations: Sequence[Location], date_from: dt.date, date_to: dt.date) -> Decimal:
    """Invoicing of the period at all the locations together."""
    return revenue_totals(
        organization_id=locations[0].organization_id,
        location_ids=[location.pk for location in locations],
        date_from=date_from,
        date_to=date_to,
    ).invoiced


def _revenue_days(locations: Sequence[Location], periods: Periods, totals: Kpis) -> list[DayPoint]:
    """Revenue per day from the first of last month to today (one report); fills today's,
    this month's and last month's figures of `totals` and returns the chart's days."""
    rows = revenue_rows(
        organization_id=locations[0].organization_id,
        location_ids=[location.pk for location in locations],
        date_from=periods.last_month_start,
        date_to=periods.today,
        group_by="day",
    )
    by_day = {row.key: row for row in rows}
    for row in rows:
        day = dt.date.fromisoformat(row.key)
        if day == periods.today:
            totals.invoiced_today += row.invoiced
            totals.collected_today += row.collected
        if day >= periods.month_start:
            totals.invoiced_month += row.invoiced
            totals.collected_month += row.collected
        elif day <= periods.last_month_to_date:
            totals.invoiced_last_month_to_date += row.invoiced
        if periods.last_month_start <= day <= periods.last_month_end:
            totals.invoiced_last_month += row.invoiced
    points = []
    for number in range(1, 32):
        this_day = _day_of(periods.month_start, number)
        last_day = _day_of(periods.last_month_start, number)
        points.append(
            DayPoint(
                day=number,
                this_month=_amount_on(by_day, this_day, until=periods.today),
                last_month=_amount_on(by_day, last_day, until=periods.last_month_end),
            )
        )
    return points


def _day_of(month_start: dt.date, number: int) -> dt.date | None:
    if number > calendar.monthrange(month_start.year, month_start.month)[1]:
        return None
    return month_start.replace(day=number)


def _amount_on(
    by_day: dict[str, RevenueRow], day: dt.date | None, *, until: dt.date
) -> Decimal | None:
    if day is None or day > until:
        return None
    row = by_day.get(day.isoformat())
    return row.invoiced if row else ZERO


def _outstanding(location_ids: Iterable[Any]) -> dict[str, Decimal]:
    """Open balance of every counted invoice, per location (one query)."""
    rows = (
        Invoice.objects.using(reports_db())
        .filter(COUNTED, location_id__in=list(location_ids), balance__gt=0)
        .values("location_id")
        .order_by()
        .annotate(open=Sum("balance"))
    )
    return {str(row["location_id"]): money(row["open"]) for row in rows}


def _month_bounds(
    locations: Sequence[Location], periods: Periods
) -> tuple[dt.datetime, dt.datetime]:
    zone = locations[0].time_zone
    starts_at, _end = local_day_bounds(periods.month_start, zone)
    _start, ends_at = local_day_bounds(periods.today, zone)
    return starts_at, ends_at


def _new_clients_of_organization(locations: Sequence[Location], periods: Periods) -> int:
    """Owners of the organization registered this month (one query)."""
    starts_at, ends_at = _month_bounds(locations, periods)
    return (
        Client.objects.using(reports_db())
        .filter(
            organization_id=locations[0].organization_id,
            created_at__gte=starts_at,
            created_at__lt=ends_at,
        )
        .count()
    )


def _new_clients_by_location(locations: Sequence[Location], periods: Periods) -> dict[str, int]:
    """Owners registered this month who had an appointment at the location this month (one
    query)."""
    starts_at, ends_at = _month_bounds(locations, periods)
    rows = (
        Appointment.objects.using(reports_db())
        .filter(
            _within(locations, periods.month_start, periods.today, "starts_at"),
            organization_id=locations[0].organization_id,
            client__created_at__gte=starts_at,
            client__created_at__lt=ends_at,
        )
        .values("location_id")
        .order_by()
        .annotate(clients=Count("client_id", distinct=True))
    )
    return {str(row["location_id"]): row["clients"] for row in rows}


def _low_stock(location_ids: list[Any]) -> dict[str, int]:
    """Products at or under their reorder level, per location (one query; the definition of
    `inventory.selectors.low_stock_at`)."""
    on_hand = Subquery(
        StockBalance.objects.filter(
            location_id=OuterRef("location_id"), product_id=OuterRef("product_id")
        )
        .order_by()
        .values("product_id")
        .annotate(total=Sum("on_hand"))
        .values("total")[:1],
        output_field=DecimalField(max_digits=14, decimal_places=3),
    )
    rows = (
        ReorderRule.objects.using(reports_db())
        .filter(location_id__in=location_ids, reorder_level__gt=0, product__is_active=True)
        .annotate(on_hand=Coalesce(on_hand, Decimal(0)))
        .filter(on_hand__lte=F("reorder_level"))
        .values("location_id")
        .order_by()
        .annotate(products=Count("id"))
    )
    return {str(row["location_id"]): row["products"] for row in rows}


def _expiring(location_ids: list[Any], today: dt.date) -> dict[str, int]:
    """Lots with stock expiring within the warning window or expired, per location (one
    query; the definition of `inventory.selectors.expiring_lots_at`)."""
    limit = today + dt.timedelta(days=settings.INVENTORY_EXPIRY_WARNING_DAYS)
    rows = (
        StockBalance.objects.using(reports_db())
        .filter(
            location_id__in=location_ids,
            on_hand__gt=0,
            lot__expires_on__isnull=False,
            lot__expires_on__lte=limit,
        )
        .values("location_id")
        .order_by()
        .annotate(lots=Count("id"))
    )
    return {str(row["location_id"]): row["lots"] for row in rows}


def _vaccinations_due(locations: Sequence[Location], today: dt.date) -> dict[str, int]:
    """Last doses due in the next seven days, per location where they were given (one
    query)."""
    later = (
        Vaccination.objects.annotate(dose_key=Coalesce("protocol_id", "product_id"))
        .filter(patient_id=OuterRef("patient_id"), dose_key=OuterRef("dose_key"))
        .filter(
            Q(administered_on__gt=OuterRef("administered_on"))
            | Q(
                administered_on=OuterRef("administered_on"),
                created_at__gt=OuterRef("created_at"),
            )
        )
    )
    rows = (
        Vaccination.objects.using(reports_db())
        .annotate(dose_key=Coalesce("protocol_id", "product_id"))
        .filter(
            organization_id=locations[0].organization_id,
            location_id__in=[location.pk for location in locations],
            next_due_on__gte=today,
            next_due_on__lt=today + dt.timedelta(days=DUE_WINDOW_DAYS),
            patient__deceased_on__isnull=True,
        )
        .filter(~Exists(later))
        .values("location_id")
        .order_by()
        .annotate(doses=Count("id"))
    )
    return {str(row["location_id"]): row["doses"] for row in rows}


@dataclass
class HomeCard:
    """The home page's revenue card: today and the month so far at the current location."""

    currency: str
    invoiced_today: Decimal
    invoiced_month: Decimal
    month_change: Decimal | None


def home_card(*, actor: Any, location: Location | None) -> HomeCard | None:
    """The card for a user with reports.view at the current location, else None (one
    revenue report by day: four queries)."""
    from vetrisys.accounts.permissions import has_capability

    if location is None or not has_capability(actor, Capability.REPORTS_VIEW, location):
        return None
    periods = _periods_of([location], None)
    totals = Kpis(location=location)
    _revenue_days([location], periods, totals)
    return HomeCard(
        currency=location.currency,
        invoiced_today=totals.invoiced_today,
        invoiced_month=totals.invoiced_month,
        month_change=totals.month_change,
    )
