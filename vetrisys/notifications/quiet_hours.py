"""Quiet hours: the local hours of a location when reminders wait for the morning."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from vetrisys.accounts.models import Location
from vetrisys.notifications.models import LocationMessaging, MessageChannel, MessageKind

# Kinds that answer something the owner just did: they go out at once, whatever the hour.
IMMEDIATE_KINDS = frozenset({MessageKind.RECEIPT, MessageKind.APPOINTMENT_CONFIRMATION})


def respects_quiet_hours(*, kind: str, channel: str) -> bool:
    """Whether a message of this kind on this channel waits out the quiet hours (an in-app
    message interrupts nobody)."""
    return kind not in IMMEDIATE_KINDS and channel != MessageChannel.IN_APP


def quiet_end(
    moment: dt.datetime, *, zone: str, quiet_from: dt.time, quiet_until: dt.time
) -> dt.datetime | None:
    """When the quiet period that contains `moment` ends (UTC), or None when `moment` is not
    inside one. The period may cross midnight (21:00 → 08:00)."""
    if quiet_from == quiet_until:
        return None
    tz = ZoneInfo(zone)
    local = moment.astimezone(tz)
    clock = local.time().replace(tzinfo=None)
    if quiet_from < quiet_until:
        inside = quiet_from <= clock < quiet_until
        end_day = local.date()
    else:
        inside = clock >= quiet_from or clock < quiet_until
        end_day = local.date() + dt.timedelta(days=1) if clock >= quiet_from else local.date()
    if not inside:
        return None
    # Wall time in the zone (fold=0: a repeated hour counts once, a skipped one moves on).
    end = dt.datetime.combine(end_day, quiet_until, tzinfo=tz)
    return end.astimezone(dt.UTC)


def settings_for(location: Location | None) -> LocationMessaging | None:
    """The location's messaging settings (None: no location, or never set)."""
    if location is None:
        return None
    try:
        return location.messaging
    except LocationMessaging.DoesNotExist:
        return None


def defer(
    moment: dt.datetime, *, location: Location | None, kind: str, channel: str
) -> dt.datetime:
    """`moment`, or the end of the location's quiet period when it falls inside one."""
    if not respects_quiet_hours(kind=kind, channel=channel):
        return moment
    messaging = settings_for(location)
    if messaging is None or messaging.quiet_from is None or messaging.quiet_until is None:
        return moment
    assert location is not None
    end = quiet_end(
        moment,
        zone=location.time_zone,
        quiet_from=messaging.quiet_from,
        quiet_until=messaging.quiet_until,
    )
    return end or moment
