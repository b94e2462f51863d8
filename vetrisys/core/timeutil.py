"""Time helpers: UTC storage, local days computed in the location's zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, available_timezones

from django.utils import timezone


def now() -> dt.datetime:
    """The current aware UTC time."""
    return timezone.now()


def is_valid_time_zone(name: str) -> bool:
    """Whether `name` is an IANA zone this machine knows."""
    return name in _zones()


_ZONES: frozenset[str] | None = None


def _zones() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    return _ZONES


def local_day_bounds(day: dt.date, zone: str) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants where `day` starts and ends in `zone` (correct across DST)."""
    tz = ZoneInfo(zone)
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def today_in(zone: str) -> dt.date:
    """Today's date in `zone`."""
    return now().astimezone(ZoneInfo(zone)).date()
