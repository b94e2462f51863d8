"""The filters of the report screens and exports: parsed once, the same way for a page, a CSV
or XLSX download and a background export (whose filters are stored as the query string)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.models import Location
from vetrisys.accounts.permissions import locations_with
from vetrisys.core.errors import ValidationFailed
from vetrisys.core.timeutil import today_in
from vetrisys.reporting import appointments, items, retention, revenue
from vetrisys.reporting.scope import check_choice, check_period, location_for


@dataclass(frozen=True)
class ReportSpec:
    """What a report's filter bar offers."""

    slug: str
    title: Any
    group_by: tuple[str, ...] = ()
    uses_period: bool = True
    uses_day: bool = False


REPORTS: dict[str, ReportSpec] = {
    spec.slug: spec
    for spec in (
        ReportSpec("revenue", gettext_lazy("Revenue"), revenue.GROUP_BY),
        ReportSpec("appointments", gettext_lazy("Appointments"), appointments.GROUP_BY),
        ReportSpec("inventory", gettext_lazy("Inventory usage and value")),
        ReportSpec(
            "compliance", gettext_lazy("Vaccination compliance"), uses_period=False, uses_day=True
        ),
        ReportSpec("items", gettext_lazy("Top services and products")),
        ReportSpec("retention", gettext_lazy("Client retention"), uses_period=False, uses_day=True),
        ReportSpec("invoices", gettext_lazy("Invoices of the period")),
        ReportSpec("vaccines-due", gettext_lazy("Vaccines due"), uses_period=False, uses_day=True),
    )
}

GROUP_LABELS = {
    "day": gettext_lazy("Day"),
    "month": gettext_lazy("Month"),
    "location": gettext_lazy("Location"),
    "vet": gettext_lazy("Vet"),
    "service": gettext_lazy("Service"),
    "type": gettext_lazy("Type"),
    "status": gettext_lazy("Status"),
}


@dataclass
class Filters:
    """A report's parsed filters."""

    report: str
    date_from: dt.date
    date_to: dt.date
    on: dt.date
    location: Location | None = None
    group_by: str = ""
    months: int = retention.DEFAULT_MONTHS
    kind: str = "all"
    order: str = "revenue"
    limit: int = 20
    errors: dict[str, list[str]] = field(default_factory=dict)

    def query(self, **changes: Any) -> dict[str, str]:
        """The filters as a query string mapping (for links, exports and stored jobs)."""
        values: dict[str, Any] = {
            "date_from": self.date_from.isoformat(),
            "date_to": self.date_to.isoformat(),
            "on": self.on.isoformat(),
            "location": str(self.location.pk) if self.location else "",
            "group_by": self.group_by,
            "months": str(self.months),
            "kind": self.kind,
            "order": self.order,
            "limit": str(self.limit),
        }
        values.update(changes)
        spec = REPORTS[self.report]
        wanted = {"location"}
        wanted |= {"date_from", "date_to"} if spec.uses_period else {"on"}
        if spec.group_by:
            wanted.add("group_by")
        if self.report == "retention":
            wanted.add("months")
        if self.report == "items":
            wanted |= {"kind", "order", "limit"}
        return {k: str(v) for k, v in values.items() if k in wanted or k in changes}


def _date(data: Mapping[str, Any], name: str, default: dt.date, errors: dict[str, Any]) -> Any:
    raw = (data.get(name) or "").strip() if isinstance(data.get(name), str) else data.get(name)
    if not raw:
        return default
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors[name] = [_("Enter a date as YYYY-MM-DD.")]
        return default


def _int(data: Mapping[str, Any], name: str, default: int, errors: dict[str, Any]) -> int:
    raw = data.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(str(raw))
    except ValueError:
        errors[name] = [_("Enter a whole number.")]
        return default


def home_zone(actor: Any) -> str:
    """The zone of the first location where the actor sees reports (Lima otherwise)."""
    ids = sorted(locations_with(actor, Capability.REPORTS_VIEW))
    if ids:
        found = Location.objects.filter(pk=ids[0]).values_list("time_zone", flat=True).first()
        if found:
            return str(found)
    return "America/Lima"


def parse_filters(actor: Any, report: str, data: Mapping[str, Any], *, strict: bool) -> Filters:
    """The report's filters from a query string. Missing values take defaults (this month up
    to today; the first grouping). With `strict`, any error raises ValidationFailed (422);
    otherwise errors are kept on the result and defaults used (a screen shows them)."""
    spec = REPORTS[report]
    today = today_in(home_zone(actor))
    errors: dict[str, list[str]] = {}
    date_from = _date(data, "date_from", today.replace(day=1), errors)
    date_to = _date(data, "date_to", today, errors)
    filters = Filters(
        report=report,
        date_from=date_from,
        date_to=date_to,
        on=_date(data, "on", today, errors),
        group_by=(data.get("group_by") or (spec.group_by[0] if spec.group_by else "")),
        months=_int(data, "months", retention.DEFAULT_MONTHS, errors),
        kind=data.get("kind") or "all",
        order=data.get("order") or "revenue",
        limit=_int(data, "limit", 20, errors),
    )
    if spec.uses_period:
        _collect(errors, check_period, filters.date_from, filters.date_to)
    if spec.group_by:
        _collect(errors, check_choice, "group_by", filters.group_by, spec.group_by)
    _collect(errors, check_choice, "kind", filters.kind, items.KINDS)
    _collect(errors, check_choice, "order", filters.order, items.ORDERS)
    if not 1 <= filters.months <= retention.MAX_MONTHS:
        errors["months"] = [_("Between 1 and %(most)s months.") % {"most": retention.MAX_MONTHS}]
    if not 1 <= filters.limit <= items.MAX_LIMIT:
        errors["limit"] = [_("Between 1 and %(most)s.") % {"most": items.MAX_LIMIT}]
    if errors and strict:
        raise ValidationFailed(_("Some filters are not valid."), fields=errors)
    if errors:
        _reset(filters, errors, spec, today)
    raw_location = data.get("location")
    if raw_location:
        # An unknown or unseen location is 404 (not a filter error), like every lookup.
        filters.location = location_for(actor, raw_location)
    filters.errors = errors
    return filters


def _collect(errors: dict[str, list[str]], check: Callable[..., None], *args: Any) -> None:
    try:
        check(*args)
    except ValidationFailed as error:
        errors.update(error.extra.get("fields", {}))


def _reset(filters: Filters, errors: dict[str, Any], spec: ReportSpec, today: dt.date) -> None:
    if "date_from" in errors or "date_to" in errors:
        filters.date_from, filters.date_to = today.replace(day=1), today
    if "group_by" in errors and spec.group_by:
        filters.group_by = spec.group_by[0]
    if "kind" in errors:
        filters.kind = "all"
    if "order" in errors:
        filters.order = "revenue"
    if "months" in errors:
        filters.months = retention.DEFAULT_MONTHS
    if "limit" in errors:
        filters.limit = 20
