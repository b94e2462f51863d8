"""The appointments report: counts per status by day, vet, type or status, with the no-show
and cancellation rates. Counted by the database; docs/reports.md defines the rates.

An appointment belongs to the local day (in its location's zone) on which it starts.
no-show rate = no-shows / appointments not cancelled * 100; cancellation rate = cancelled /
all appointments * 100; both in percent with two places (0.00 when nothing to divide by).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate

from vetrisys.accounts.models import Location, User
from vetrisys.reporting.revenue import check_group_by
from vetrisys.reporting.scope import (
    ZoneGroup,
    check_period,
    key_text,
    percent,
    report_location_ids,
    reports_db,
    zone_groups,
)
from vetrisys.scheduling.models import Appointment, AppointmentType

GROUP_BY: tuple[str, ...] = ("day", "vet", "type", "status")
Status = Appointment.Status
STATUSES: tuple[str, ...] = tuple(Status.values)


@dataclass
class AppointmentRow:
    """One group of the appointments report: how many, per status, and the rates."""

    key: str
    label: str
    total: int = 0
    scheduled: int = 0
    checked_in: int = 0
    in_progress: int = 0
    completed: int = 0
    cancelled: int = 0
    no_show: int = 0

    @property
    def no_show_rate(self) -> Decimal:
        """No-shows among the appointments that were not cancelled, in percent."""
        return percent(self.no_show, self.total - self.cancelled)

    @property
    def cancellation_rate(self) -> Decimal:
        """Cancelled among all appointments, in percent."""
        return percent(self.cancelled, self.total)

    def add(self, other: AppointmentRow) -> None:
        """Add another row's counts to this one."""
        self.total += other.total
        for status in STATUSES:
            setattr(self, status, getattr(self, status) + getattr(other, status))


@dataclass
class AppointmentTotals(AppointmentRow):
    """The appointments report's grand totals."""

    key: str = ""
    label: str = ""


@dataclass
class AppointmentReport:
    """Rows and totals of an appointments report."""

    date_from: dt.date
    date_to: dt.date
    group_by: str
    rows: list[AppointmentRow] = field(default_factory=list)

    @property
    def totals(self) -> AppointmentTotals:
        """The sums of the rows."""
        totals = AppointmentTotals()
        for row in self.rows:
            totals.add(row)
        return totals


def _counts() -> dict[str, Any]:
    sums: dict[str, Any] = {"total": Count("id")}
    for status in STATUSES:
        sums[status] = Count("id", filter=Q(status=status))
    return sums


def _in_period(groups: list[ZoneGroup]) -> Q:
    condition = Q(pk__in=[])
    for group in groups:
        condition |= Q(
            location_id__in=list(group.location_ids),
            starts_at__gte=group.starts_at,
            starts_at__lt=group.ends_at,
        )
    return condition


def _scoped(organization_id: Any, groups: list[ZoneGroup]) -> Any:
    return Appointment.objects.using(reports_db()).filter(
        _in_period(groups), organization_id=organization_id
    )


def appointment_report(
    *,
    actor: Any,
    date_from: dt.date,
    date_to: dt.date,
    location: Location | None = None,
    group_by: str,
) -> list[AppointmentRow]:
    """Appointments of the period at `location` (or every location where the actor may see
    reports) counted per status, grouped by day, vet, type or status."""
    check_group_by(group_by, GROUP_BY)
    check_period(date_from, date_to)
    location_ids = report_location_ids(actor, location)
    return appointment_rows(
        organization_id=actor.organization_id,
        location_ids=location_ids,
        date_from=date_from,
        date_to=date_to,
        group_by=group_by,
    )


def appointment_rows(
    *,
    organization_id: Any,
    location_ids: list[Any],
    date_from: dt.date,
    date_to: dt.date,
    group_by: str,
) -> list[AppointmentRow]:
    """The rows for locations already authorized (callers check the actor)."""
    groups = zone_groups(
        organization_id=organization_id,
        location_ids=location_ids,
        date_from=date_from,
        date_to=date_to,
    )
    rows: dict[str, AppointmentRow] = {}
    if group_by == "day":
        for group in groups:
            grouped = (
                _scoped(organization_id, [group])
                .annotate(group_key=TruncDate("starts_at", tzinfo=ZoneInfo(group.zone)))
                .values("group_key")
            )
            _collect(grouped, rows)
    elif groups:
        column = {"vet": "vet_id", "type": "appointment_type_id", "status": "status"}[group_by]
        _collect(_scoped(organization_id, groups).values(group_key=F(column)), rows)
    _label(rows, group_by, organization_id)
    if group_by == "day":
        return [rows[k] for k in sorted(rows)]
    if group_by == "status":
        return [rows[s] for s in STATUSES if s in rows]
    return sorted(rows.values(), key=lambda r: (-r.total, r.label.lower()))


def _collect(grouped: Any, rows: dict[str, AppointmentRow]) -> None:
    for found in grouped.order_by().annotate(**_counts()):
        value = found["group_key"]
        key = value.isoformat() if isinstance(value, dt.date) else key_text(value)
        row = rows.setdefault(key, AppointmentRow(key=key, label=key))
        row.add(AppointmentRow(key=key, label=key, **{k: found[k] for k in ("total", *STATUSES)}))


def _label(rows: dict[str, AppointmentRow], group_by: str, organization_id: Any) -> None:
    keys = list(rows)
    if not keys or group_by == "day":
        return
    alias = reports_db()
    if group_by == "status":
        names = {value: str(label) for value, label in Status.choices}
    elif group_by == "vet":
        names = {
            str(u.pk): u.display_name
            for u in User.objects.using(alias)
            .filter(pk__in=keys)
            .only("id", "username", "first_name", "last_name")
        }
    else:
        names = {
            str(pk): name
            for pk, name in AppointmentType.objects.using(alias)
            .filter(organization_id=organization_id, pk__in=keys)
            .values_list("id", "name")
        }
    for key, row in rows.items():
        row.label = names.get(key, key)


def appointment_totals(
    *, organization_id: Any, location_ids: list[Any], date_from: dt.date, date_to: dt.date
) -> AppointmentTotals:
    """The period's counts for locations already authorized (two queries)."""
    groups = zone_groups(
        organization_id=organization_id,
        location_ids=location_ids,
        date_from=date_from,
        date_to=date_to,
    )
    totals = AppointmentTotals()
    if not groups:
        return totals
    found = _scoped(organization_id, groups).aggregate(**_counts())
    totals.total = found["total"] or 0
    for status in STATUSES:
        setattr(totals, status, found[status] or 0)
    return totals
