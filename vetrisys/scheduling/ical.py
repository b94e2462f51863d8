"""Each vet's private iCalendar feed (RFC 5545), written by hand: the token, its rotation,
and the text a phone's calendar reads."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from vetrisys.audit.services import record
from vetrisys.core import timeutil
from vetrisys.scheduling.models import Appointment, CalendarFeed

WINDOW_BEFORE = dt.timedelta(days=30)
WINDOW_AFTER = dt.timedelta(days=180)
PRODUCT_ID = "-//VetriSys//Scheduling//EN"


def token_hash(token: str) -> str:
    """The stored form of a feed token."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedFeed:
    """A new feed token: shown once, only its hash is kept."""

    token: str
    feed: CalendarFeed


@transaction.atomic
def calendar_feed_rotate(*, actor: Any) -> IssuedFeed:
    """Create the actor's feed, or replace its token (the old address stops working)."""
    token = secrets.token_urlsafe(32)
    feed, created = CalendarFeed.objects.select_for_update().get_or_create(
        user=actor,
        defaults={
            "organization_id": actor.organization_id,
            "token_hash": token_hash(token),
            "prefix": token[:8],
        },
    )
    if not created:
        feed.token_hash, feed.prefix = token_hash(token), token[:8]
        feed.last_fetched_at = None
        feed.bump_version()
        feed.save()
    record(
        actor=actor,
        action="calendar_feed.create" if created else "calendar_feed.rotate",
        target=feed,
        changes={"prefix": feed.prefix},
    )
    return IssuedFeed(token, feed)


@transaction.atomic
def calendar_feed_revoke(*, actor: Any) -> None:
    """Stop the actor's feed."""
    feed = CalendarFeed.objects.filter(user=actor).first()
    if feed is not None:
        record(actor=actor, action="calendar_feed.revoke", target=feed, changes={})
        feed.delete()


def calendar_feed_of(*, actor: Any) -> CalendarFeed | None:
    """The actor's feed, if any."""
    return CalendarFeed.objects.filter(user=actor).first()


def feed_by_token(token: str) -> CalendarFeed | None:
    """The active feed for a token, or None (unknown or rotated)."""
    if not token or len(token) > 100:
        return None
    return (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=token_hash(token), user__is_active=True)
        .first()
    )


def feed_appointments(feed: CalendarFeed, *, now: dt.datetime | None = None) -> list[Appointment]:
    """The vet's appointments from 30 days back to 180 days ahead, in one query."""
    moment = now or timeutil.now()
    return list(
        Appointment.objects.filter(
            vet_id=feed.user_id,
            organization_id=feed.organization_id,
            starts_at__gte=moment - WINDOW_BEFORE,
            starts_at__lt=moment + WINDOW_AFTER,
        )
        .select_related("patient", "appointment_type", "location", "room", "client")
        .order_by("starts_at", "id")
    )


# ---------------------------------------------------------------- RFC 5545 text


def escape(value: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and newlines."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets (continuations start with one space), never
    splitting a UTF-8 character."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current = ""
    limit = 75
    for char in line:
        if len((current + char).encode()) > limit:
            parts.append(current)
            current = ""
            limit = 74  # the leading space of a continuation counts
        current += char
    parts.append(current)
    return "\r\n ".join(parts)


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def render(
    appointments: Iterable[Appointment], *, host: str, name: str, now: dt.datetime | None = None
) -> str:
    """The feed as iCalendar text with CRLF line ends."""
    stamp = _utc(now or timeutil.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT_ID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
    ]
    for appointment in appointments:
        cancelled = appointment.status == Appointment.Status.CANCELLED
        where = appointment.location.name
        if appointment.room is not None:
            where = f"{where}, {appointment.room.name}"
        summary = f"{appointment.appointment_type.name}: {appointment.patient.name}"
        description = f"{appointment.client.full_name}"
        if appointment.notes:
            description = f"{description}\n{appointment.notes}"
        lines += [
            "BEGIN:VEVENT",
            f"UID:{appointment.pk}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_utc(appointment.starts_at)}",
            f"DTEND:{_utc(appointment.ends_at)}",
            f"SEQUENCE:{appointment.ical_sequence}",
            f"LAST-MODIFIED:{_utc(appointment.updated_at)}",
            f"SUMMARY:{escape(summary)}",
            f"LOCATION:{escape(where)}",
            f"DESCRIPTION:{escape(description)}",
            f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
            "TRANSP:OPAQUE" if not cancelled else "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
