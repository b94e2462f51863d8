"""Reads of scheduling, always within the locations where the actor may see the calendar, in a
bounded number of queries."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.models import Location, Room, User
from vetrisys.accounts.permissions import has_capability, locations_with, require
from vetrisys.core import timeutil
from vetrisys.core.errors import NotFound, ValidationFailed
from vetrisys.scheduling.availability import (
    DayData,
    Interval,
    bookable_staff,
    opening_hours_of,
    slot_minutes_of,
    subtract,
    to_instants,
)
from vetrisys.scheduling.models import (
    MAX_APPOINTMENT_SPAN,
    Appointment,
    AppointmentType,
    RoomClosure,
    Shift,
    ShiftException,
)

GroupBy = Literal["vet", "room", "type"]


def _uuid(value: Any, field_name: str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise ValidationFailed.for_field(field_name, _("Not a valid id.")) from None


def _visible_location_ids(actor: Any) -> list[str]:
    require(actor, Capability.APPOINTMENTS_VIEW)
    return locations_with(actor, Capability.APPOINTMENTS_VIEW)


def calendar_location(*, actor: Any, location_id: Any) -> Location:
    """A location whose calendar the actor may see; NotFound for any other."""
    require(actor, Capability.APPOINTMENTS_VIEW)
    location = Location.objects.filter(
        organization_id=actor.organization_id, pk=_uuid(location_id, "location")
    ).first()
    if location is None or not has_capability(actor, Capability.APPOINTMENTS_VIEW, location):
        raise NotFound(_("Location not found."))
    return location


# ---------------------------------------------------------------- settings


def appointment_type_list(
    *, actor: Any, include_inactive: bool = False
) -> QuerySet[AppointmentType]:
    """The organization's appointment types with their species."""
    require(actor, Capability.APPOINTMENTS_VIEW)
    types = AppointmentType.objects.filter(organization_id=actor.organization_id)
    if not include_inactive:
        types = types.filter(is_active=True)
    return types.prefetch_related("species").order_by("name", "id")


def appointment_type_get(*, actor: Any, type_id: Any) -> AppointmentType:
    """One appointment type of the organization, or NotFound."""
    found = (
        appointment_type_list(actor=actor, include_inactive=True)
        .filter(pk=_uuid(type_id, "appointment_type"))
        .first()
    )
    if found is None:
        raise NotFound(_("Appointment type not found."))
    return found


def opening_hours(*, actor: Any, location: Location) -> list[tuple[int, dt.time, dt.time]]:
    """The location's week as (weekday, opens_at, closes_at), the default week until set."""
    return opening_hours_of(location)


def slot_minutes(*, location: Location) -> int:
    """The length of the location's slot grid in minutes."""
    return slot_minutes_of(location)


def shift_list(
    *, actor: Any, location: Location | None = None, staff: Any = None
) -> QuerySet[Shift]:
    """Weekly shifts at the locations whose calendar the actor sees."""
    shifts = Shift.objects.filter(
        organization_id=actor.organization_id, location_id__in=_visible_location_ids(actor)
    )
    if location is not None:
        shifts = shifts.filter(location=location)
    if staff:
        shifts = shifts.filter(staff_id=_uuid(staff, "staff"))
    return shifts.select_related("staff", "location").order_by(
        "location__name", "staff__username", "weekday", "starts_at", "id"
    )


def shift_get(*, actor: Any, shift_id: Any) -> Shift:
    """One visible shift, or NotFound."""
    found = shift_list(actor=actor).filter(pk=_uuid(shift_id, "shift")).first()
    if found is None:
        raise NotFound(_("Shift not found."))
    return found


def shift_exception_list(
    *,
    actor: Any,
    location: Location | None = None,
    staff: Any = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[ShiftException]:
    """Exceptions to the weekly pattern at the locations whose calendar the actor sees."""
    rows = ShiftException.objects.filter(
        organization_id=actor.organization_id, location_id__in=_visible_location_ids(actor)
    )
    if location is not None:
        rows = rows.filter(location=location)
    if staff:
        rows = rows.filter(staff_id=_uuid(staff, "staff"))
    if date_from:
        rows = rows.filter(date__gte=date_from)
    if date_to:
        rows = rows.filter(date__lte=date_to)
    return rows.select_related("staff", "location").order_by("date", "starts_at", "id")


# ---------------------------------------------------------------- appointments


def _with_relations(appointments: QuerySet[Appointment]) -> QuerySet[Appointment]:
    return appointments.select_related(
        "patient", "patient__species", "client", "vet", "room", "appointment_type", "location"
    )


def appointment_list(
    *,
    actor: Any,
    location: Location | None = None,
    vet: Any = None,
    room: Any = None,
    patient: Any = None,
    status: str | list[str] | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Appointment]:
    """Appointments at the locations whose calendar the actor sees, soonest first; dates are
    local days of each appointment's location."""
    visible = _visible_location_ids(actor)
    appointments = Appointment.objects.filter(
        organization_id=actor.organization_id, location_id__in=visible
    )
    if location is not None:
        appointments = appointments.filter(location=location)
    if vet:
        appointments = appointments.filter(vet_id=_uuid(vet, "vet"))
    if room:
        appointments = appointments.filter(room_id=_uuid(room, "room"))
    if patient:
        appointments = appointments.filter(patient_id=_uuid(patient, "patient"))
    if status:
        statuses = [status] if isinstance(status, str) else list(status)
        unknown = [s for s in statuses if s not in Appointment.Status.values]
        if unknown:
            raise ValidationFailed.for_field("status", _("Not a known status."))
        appointments = appointments.filter(status__in=statuses)
    if date_from or date_to:
        zones: list[tuple[Any, str]] = (
            [(location.pk, location.time_zone)]
            if location is not None
            else list(Location.objects.filter(pk__in=visible).values_list("pk", "time_zone"))
        )
        by_zone: dict[str, list[Any]] = defaultdict(list)
        for location_id, zone in zones:
            by_zone[zone].append(location_id)
        match = Q()
        for zone, location_ids in by_zone.items():
            part = Q(location_id__in=location_ids)
            if date_from:
                part &= Q(starts_at__gte=timeutil.local_day_bounds(date_from, zone)[0])
            if date_to:
                part &= Q(starts_at__lt=timeutil.local_day_bounds(date_to, zone)[1])
            match |= part
        appointments = appointments.filter(match)
    return _with_relations(appointments).order_by("starts_at", "id")


def appointment_get(*, actor: Any, appointment_id: Any) -> Appointment:
    """One appointment the actor may see, or NotFound."""
    found = (
        _with_relations(
            Appointment.objects.filter(
                organization_id=actor.organization_id,
                location_id__in=_visible_location_ids(actor),
            )
        )
        .filter(pk=_uuid(appointment_id, "appointment"))
        .first()
    )
    if found is None:
        raise NotFound(_("Appointment not found."))
    return found


def _day_appointments(
    location: Location, start: dt.datetime, end: dt.datetime
) -> list[Appointment]:
    return list(
        _with_relations(
            Appointment.objects.filter(
                location=location,
                starts_at__gt=start - MAX_APPOINTMENT_SPAN,
                starts_at__lt=end,
                ends_at__gt=start,
            )
        ).order_by("starts_at", "id")
    )


# ---------------------------------------------------------------- calendars


@dataclass
class CalendarColumn:
    """One column of the day calendar: a vet, a room or a type, its bookings and the time
    it works or is open (empty for a column that only holds bookings)."""

    key: str
    label: str
    kind: GroupBy
    color: str = ""
    working: list[Interval] = field(default_factory=list)
    appointments: list[Appointment] = field(default_factory=list)


@dataclass
class DayCalendar:
    """A location's day: the visible range, the opening hours, and one column per vet, room
    or type. Cancelled appointments are included (the screen may hide them)."""

    location: Location
    day: dt.date
    group_by: GroupBy
    starts_at: dt.datetime
    ends_at: dt.datetime
    opening: list[Interval]
    slot_minutes: int
    columns: list[CalendarColumn]

    @property
    def appointments(self) -> list[Appointment]:
        """Every appointment of the day, soonest first."""
        found = [a for column in self.columns for a in column.appointments]
        return sorted(found, key=lambda a: (a.starts_at, str(a.pk)))


NO_ROOM = "none"


def day_calendar(
    *, actor: Any, location: Location, day: dt.date, group_by: GroupBy = "vet"
) -> DayCalendar:
    """The day calendar of a location in one column per vet, room or appointment type, in a
    fixed number of queries whatever the number of bookings."""
    require(actor, Capability.APPOINTMENTS_VIEW, location)
    if group_by not in ("vet", "room", "type"):
        raise ValidationFailed.for_field("group_by", _("Group by vet, room or type."))
    day_start, day_end = timeutil.local_day_bounds(day, location.time_zone)
    appointments = _day_appointments(location, day_start, day_end)
    weekly = opening_hours_of(location)
    opening = to_instants(
        day,
        [(o, c) for w, o, c in weekly if w == day.weekday()],
        DayData.zone_of(location),
    )
    columns: list[CalendarColumn]
    if group_by == "vet":
        vets = bookable_staff(location, include={a.vet_id for a in appointments})
        data = DayData.load(location, day, staff_ids=[v.pk for v in vets], weekly_hours=weekly)
        columns = [
            CalendarColumn(str(v.pk), v.display_name, "vet", working=data.working(v.pk))
            for v in vets
        ]
        place = {str(v.pk): c for v, c in zip(vets, columns, strict=True)}
        for appointment in appointments:
            place[str(appointment.vet_id)].appointments.append(appointment)
    elif group_by == "room":
        rooms = list(
            Room.objects.filter(
                Q(location=location, is_active=True)
                | Q(pk__in={a.room_id for a in appointments if a.room_id})
            ).order_by("name")
        )
        closures: dict[Any, list[Interval]] = defaultdict(list)
        for room_id, closed_from, closed_until in RoomClosure.objects.filter(
            location=location, starts_at__lt=day_end, ends_at__gt=day_start
        ).values_list("room_id", "starts_at", "ends_at"):
            closures[room_id].append((closed_from, closed_until))
        columns = [
            CalendarColumn(
                str(r.pk), r.name, "room", working=subtract(opening, closures.get(r.pk, []))
            )
            for r in rooms
        ]
        place = {str(r.pk): c for r, c in zip(rooms, columns, strict=True)}
        unplaced = [a for a in appointments if a.room_id is None]
        if unplaced:
            columns.append(CalendarColumn(NO_ROOM, _("No room"), "room", working=list(opening)))
            place[NO_ROOM] = columns[-1]
        for appointment in appointments:
            place[str(appointment.room_id or NO_ROOM)].appointments.append(appointment)
    else:
        used = {a.appointment_type_id for a in appointments}
        types = list(
            AppointmentType.objects.filter(
                Q(organization_id=location.organization_id, is_active=True) | Q(pk__in=used)
            ).order_by("name")
        )
        columns = [
            CalendarColumn(str(t.pk), t.name, "type", color=t.color, working=list(opening))
            for t in types
        ]
        place = {str(t.pk): c for t, c in zip(types, columns, strict=True)}
        for appointment in appointments:
            place[str(appointment.appointment_type_id)].appointments.append(appointment)
    return DayCalendar(
        location=location,
        day=day,
        group_by=group_by,
        starts_at=day_start,
        ends_at=day_end,
        opening=opening,
        slot_minutes=slot_minutes_of(location),
        columns=columns,
    )


@dataclass
class CalendarDay:
    """One day of a vet's week: the bookings and the working time."""

    day: dt.date
    starts_at: dt.datetime
    ends_at: dt.datetime
    working: list[Interval]
    appointments: list[Appointment]


@dataclass
class WeekCalendar:
    """A vet's week at a location, Monday (or the given first day) and the six days after."""

    location: Location
    vet: User
    week_start: dt.date
    slot_minutes: int
    days: list[CalendarDay]


def week_calendar(
    *, actor: Any, location: Location, vet: User, week_start: dt.date
) -> WeekCalendar:
    """Seven days of one vet at one location, in a fixed number of queries."""
    require(actor, Capability.APPOINTMENTS_VIEW, location)
    if vet.organization_id != actor.organization_id:
        raise NotFound(_("Staff member not found."))
    week_end = week_start + dt.timedelta(days=7)
    start, _unused = timeutil.local_day_bounds(week_start, location.time_zone)
    end, _unused = timeutil.local_day_bounds(week_end, location.time_zone)
    appointments = list(
        _with_relations(
            Appointment.objects.filter(
                location=location,
                vet=vet,
                starts_at__gt=start - MAX_APPOINTMENT_SPAN,
                starts_at__lt=end,
                ends_at__gt=start,
            )
        ).order_by("starts_at", "id")
    )
    weekly = opening_hours_of(location)
    shifts = list(Shift.objects.filter(location=location, staff=vet))
    exceptions = list(
        ShiftException.objects.filter(
            location=location, staff=vet, date__gte=week_start, date__lt=week_end
        )
    )
    zone = DayData.zone_of(location)
    days: list[CalendarDay] = []
    for offset in range(7):
        day = week_start + dt.timedelta(days=offset)
        data = DayData.from_rows(location, day, weekly, shifts, exceptions, zone=zone)
        day_start, day_end = timeutil.local_day_bounds(day, location.time_zone)
        days.append(
            CalendarDay(
                day=day,
                starts_at=day_start,
                ends_at=day_end,
                working=data.working(vet.pk),
                appointments=[a for a in appointments if day_start <= a.starts_at < day_end],
            )
        )
    return WeekCalendar(location, vet, week_start, slot_minutes_of(location), days)


@dataclass
class WaitingRoom:
    """Who is waiting (checked in, longest wait first) and who is in consultation."""

    location: Location
    waiting: list[Appointment]
    in_consultation: list[Appointment]


def waiting_room(*, actor: Any, location: Location) -> WaitingRoom:
    """Today's checked-in and in-progress appointments of a location, in one query."""
    require(actor, Capability.APPOINTMENTS_VIEW, location)
    today = timeutil.today_in(location.time_zone)
    start, end = timeutil.local_day_bounds(today, location.time_zone)
    rows = list(
        _with_relations(
            Appointment.objects.filter(
                location=location,
                status__in=[Appointment.Status.CHECKED_IN, Appointment.Status.IN_PROGRESS],
                starts_at__lt=end,
                ends_at__gt=start - dt.timedelta(hours=12),
            )
        ).order_by("checked_in_at", "starts_at", "id")
    )
    waiting = [a for a in rows if a.status == Appointment.Status.CHECKED_IN]
    in_consultation = sorted(
        (a for a in rows if a.status == Appointment.Status.IN_PROGRESS),
        key=lambda a: (a.started_at or a.starts_at, str(a.pk)),
    )
    return WaitingRoom(location, waiting, in_consultation)


def day_status_counts(*, actor: Any, location: Location, day: dt.date) -> dict[str, int]:
    """How many of a location's appointments of a local day are in each status (one query)."""
    require(actor, Capability.APPOINTMENTS_VIEW, location)
    start, end = timeutil.local_day_bounds(day, location.time_zone)
    counts = {str(status): 0 for status in Appointment.Status.values}
    rows = (
        Appointment.objects.filter(location=location, starts_at__gte=start, starts_at__lt=end)
        .order_by()
        .values("status")
        .annotate(total=Count("id"))
    )
    for row in rows:
        counts[row["status"]] = row["total"]
    return counts
