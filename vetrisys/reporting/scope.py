"""What every report shares: the period check, the locations an actor may report on, the
UTC bounds of local days, and the database alias reports read from."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.models import Location
from vetrisys.accounts.permissions import capability_map, locations_with, require
from vetrisys.core.errors import NotFound, ValidationFailed
from vetrisys.core.timeutil import local_day_bounds

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_YEARS = 10


def reports_db() -> str:
    """The database alias report selectors read from: the replica when one is configured."""
    return str(getattr(settings, "REPORTS_DB", "default"))


def check_period(date_from: dt.date, date_to: dt.date) -> None:
    """A period runs forwards and spans at most ten years (422 otherwise)."""
    if date_to < date_from:
        raise ValidationFailed.for_field("date_to", _("The end is before the start."))
    try:
        limit = date_from.replace(year=date_from.year + MAX_YEARS)
    except ValueError:  # 29 February
        limit = date_from.replace(year=date_from.year + MAX_YEARS, day=28)
    if date_to >= limit:
        raise ValidationFailed.for_field(
            "date_to", _("A report covers ten years at most; choose a shorter period.")
        )


def check_choice(field: str, value: str, allowed: tuple[str, ...]) -> None:
    """422 on `field` unless `value` is one of `allowed`."""
    if value not in allowed:
        raise ValidationFailed.for_field(
            field, _("Choose one of: %(choices)s.") % {"choices": ", ".join(allowed)}
        )


def report_location_ids(actor: Any, location: Location | None) -> list[str]:
    """The ids of the locations the report covers: the one asked for (404 when the actor
    cannot see it, 403 without reports.view there), or every location where the actor holds
    reports.view (reports.chain holders hold it everywhere)."""
    if location is not None:
        if location.organization_id != actor.organization_id or str(
            location.pk
        ) not in capability_map(actor):
            raise NotFound(_("Location not found."))
        require(actor, Capability.REPORTS_VIEW, location)
        return [str(location.pk)]
    ids = locations_with(actor, Capability.REPORTS_VIEW)
    if not ids:
        require(actor, Capability.REPORTS_VIEW)
    return sorted(ids)


def location_for(actor: Any, location_id: Any) -> Location:
    """A location of the actor's organization that the actor can see, or 404."""
    try:
        key = uuid.UUID(str(location_id))
    except ValueError:
        raise NotFound(_("Location not found.")) from None
    if str(key) not in capability_map(actor):
        raise NotFound(_("Location not found."))
    found = Location.objects.filter(organization_id=actor.organization_id, pk=key).first()
    if found is None:
        raise NotFound(_("Location not found."))
    return found


@dataclass(frozen=True)
class ZoneGroup:
    """Locations sharing a time zone, and the UTC instants of the period's start and end."""

    zone: str
    location_ids: tuple[str, ...]
    starts_at: dt.datetime
    ends_at: dt.datetime


def zone_groups(
    *, organization_id: Any, location_ids: Iterable[Any], date_from: dt.date, date_to: dt.date
) -> list[ZoneGroup]:
    """The locations grouped by zone, each group with the period's bounds in that zone (one
    query)."""
    wanted = [uuid.UUID(str(i)) for i in location_ids]
    if not wanted:
        return []
    by_zone: dict[str, list[str]] = defaultdict(list)
    rows = (
        Location.objects.using(reports_db())
        .filter(organization_id=organization_id, pk__in=wanted)
        .values_list("id", "time_zone")
    )
    for pk, zone in rows:
        by_zone[zone].append(str(pk))
    groups = []
    for zone, ids in sorted(by_zone.items()):
        starts_at, _end = local_day_bounds(date_from, zone)
        _start, ends_at = local_day_bounds(date_to, zone)
        groups.append(ZoneGroup(zone, tuple(sorted(ids)), starts_at, ends_at))
    return groups


def money(value: Any) -> Decimal:
    """A database sum as Decimal cents (SQLite hands back floats)."""
    if value is None:
        return ZERO
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    rounded: Decimal = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return rounded


def percent(part: int, whole: int) -> Decimal:
    """part / whole in percent with two places (0.00 when whole is 0)."""
    if not whole:
        return ZERO
    return (Decimal(part) * 100 / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)


class RawParams:
    """Parameters of a hand-written query, adapted to the connection's types."""

    def __init__(self, alias: str) -> None:
        self.connection = connections[alias]
        self.values: list[Any] = []

    @property
    def is_postgres(self) -> bool:
        return bool(self.connection.vendor == "postgresql")

    def uuid(self, value: Any) -> str:
        key = uuid.UUID(str(value))
        self.values.append(key if self.is_postgres else key.hex)
        return "%s"

    def uuids(self, values: Iterable[Any]) -> str:
        return ", ".join(self.uuid(v) for v in values)

    def datetime(self, value: dt.datetime) -> str:
        self.values.append(self.connection.ops.adapt_datetimefield_value(value))
        return "%s"

    def text(self, value: str) -> str:
        self.values.append(value)
        return "%s"

    def period(self, groups: Iterable[ZoneGroup], location_column: str, at_column: str) -> str:
        """An SQL condition: the row's instant falls in the period of its location's zone."""
        parts = [
            f"({location_column} IN ({self.uuids(g.location_ids)}) "
            f"AND {at_column} >= {self.datetime(g.starts_at)} "
            f"AND {at_column} < {self.datetime(g.ends_at)})"
            for g in groups
        ]
        return "(" + " OR ".join(parts or ["1 = 0"]) + ")"


def key_text(value: Any) -> str:
    """A key from the database (UUID, hex text, date) as text; "" for none."""
    if value is None:
        return ""
    if isinstance(value, uuid.UUID):
        return str(value)
    text = str(value)
    if len(text) == 32 and all(c in "0123456789abcdef" for c in text.lower()):
        return str(uuid.UUID(text))
    return text
