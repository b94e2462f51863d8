"""Client retention: per location and for the whole scope, the owners active in the last N
months (a visit opened or an invoice issued there), the lapsed ones (active before, not in
those N months) and the new ones (first seen within them). Counted by the database.

The window ends with the day `on` and starts N months earlier (N = 12 unless asked, 1 to 120),
in each location's zone. Retention rate = owners seen before the window who came back within
it / owners seen before the window, in percent.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connections
from django.utils.translation import gettext as _

from vetrisys.accounts.models import Location
from vetrisys.billing.models import Invoice
from vetrisys.core.errors import ValidationFailed
from vetrisys.core.timeutil import local_day_bounds
from vetrisys.records.models import Visit
from vetrisys.reporting.scope import (
    RawParams,
    ZoneGroup,
    key_text,
    percent,
    report_location_ids,
    reports_db,
    zone_groups,
)

DEFAULT_MONTHS = 12
MAX_MONTHS = 120


@dataclass
class RetentionRow:
    """Owners active, lapsed and new at one location (or in the whole scope)."""

    location_id: str
    location: str
    active: int = 0
    lapsed: int = 0
    new: int = 0

    @property
    def returning(self) -> int:
        """Active owners who had been seen before the window."""
        return self.active - self.new

    @property
    def retention_rate(self) -> Decimal:
        """Owners seen before the window who came back within it, in percent."""
        return percent(self.returning, self.returning + self.lapsed)


@dataclass
class RetentionReport:
    """Per location, and the whole scope (an owner seen at two locations counts once)."""

    on: dt.date
    months: int
    rows: list[RetentionRow]
    total: RetentionRow


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` earlier (the month's last day when it has fewer days)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def retention_report(
    *, actor: Any, on: dt.date, months: int = DEFAULT_MONTHS, location: Location | None = None
) -> RetentionReport:
    """Owners active, lapsed and new in the `months` up to `on`."""
    if not 1 <= months <= MAX_MONTHS:
        raise ValidationFailed.for_field(
            "months", _("Between 1 and %(most)s months.") % {"most": MAX_MONTHS}
        )
    location_ids = report_location_ids(actor, location)
    return retention_rows(
        organization_id=actor.organization_id, location_ids=location_ids, on=on, months=months
    )


def retention_rows(
    *, organization_id: Any, location_ids: list[Any], on: dt.date, months: int = DEFAULT_MONTHS
) -> RetentionReport:
    """The report for locations already authorized (two queries and one for names)."""
    start_day = months_before(on, months) + dt.timedelta(days=1)
    groups = zone_groups(
        organization_id=organization_id, location_ids=location_ids, date_from=on, date_to=on
    )
    report = RetentionReport(on=on, months=months, rows=[], total=RetentionRow("", _("Total")))
    if not groups:
        return report
    cutoffs = [(g, local_day_bounds(start_day, g.zone)[0]) for g in groups]
    names = dict(
        Location.objects.using(reports_db()).filter(pk__in=location_ids).values_list("id", "name")
    )
    for found in _count(organization_id, cutoffs):
        active, lapsed, new = (int(value or 0) for value in found[1:])
        if found[0] is None:
            report.total.active, report.total.lapsed, report.total.new = active, lapsed, new
            continue
        key = key_text(found[0])
        report.rows.append(RetentionRow(key, _name(names, key), active, lapsed, new))
    report.rows.sort(key=lambda r: r.location.lower())
    return report


def _name(names: dict[Any, str], key: str) -> str:
    for pk, name in names.items():
        if str(pk) == key:
            return name
    return key


def _count(
    organization_id: Any, cutoffs: list[tuple[ZoneGroup, dt.datetime]]
) -> list[tuple[Any, ...]]:
    """One query: per (owner, location) the first and last activity, flagged recent or not
    against the location's own cutoff; summed per location, and per owner for the total (a
    row without location)."""
    alias = reports_db()
    p = RawParams(alias)

    # Placeholders are added in the order they appear in the text.
    def until(location_column: str, at_column: str) -> str:
        parts = [
            f"({location_column} IN ({p.uuids(g.location_ids)}) "
            f"AND {at_column} < {p.datetime(g.ends_at)})"
            for g, _cutoff in cutoffs
        ]
        return "(" + " OR ".join(parts) + ")"

    def since(column: str) -> str:
        return " OR ".join(
            f"(location_id IN ({p.uuids(g.location_ids)}) AND {column} >= {p.datetime(c)})"
            for g, c in cutoffs
        )

    sql = f"""
        WITH act AS (
            SELECT v.client_id AS client_id, v.location_id AS location_id,
                   MIN(v.opened_at) AS first_at, MAX(v.opened_at) AS last_at
            FROM {Visit._meta.db_table} v
            WHERE v.organization_id = {p.uuid(organization_id)}
              AND {until("v.location_id", "v.opened_at")}
            GROUP BY v.client_id, v.location_id
            UNION ALL
            SELECT i.client_id, i.location_id, MIN(i.issued_at), MAX(i.issued_at)
            FROM {Invoice._meta.db_table} i
            WHERE i.organization_id = {p.uuid(organization_id)}
              AND i.issued_at IS NOT NULL
              AND i.status NOT IN ({p.text("draft")}, {p.text("void")})
              AND {until("i.location_id", "i.issued_at")}
            GROUP BY i.client_id, i.location_id
        ),
        per AS (
            SELECT client_id, location_id, MIN(first_at) AS first_at, MAX(last_at) AS last_at
            FROM act GROUP BY client_id, location_id
        ),
        flags AS (
            SELECT client_id, location_id,
                   CASE WHEN {since("last_at")} THEN 1 ELSE 0 END AS recent,
                   CASE WHEN {since("first_at")} THEN 1 ELSE 0 END AS fresh
            FROM per
        )
        SELECT location_id, SUM(recent), SUM(1 - recent), SUM(fresh)
        FROM flags GROUP BY location_id
        UNION ALL
        SELECT NULL, SUM(r), SUM(1 - r), SUM(f)
        FROM (
            SELECT client_id, MAX(recent) AS r, MIN(fresh) AS f FROM flags GROUP BY client_id
        ) owners
    """
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, p.values)
        return list(cursor.fetchall())
