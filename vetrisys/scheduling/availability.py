"""Working time and free slots. Everything is computed in the location's zone from a day's
data loaded in a few queries; instants come back as aware datetimes."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.models import Location, Room, StaffMembership, User
from vetrisys.core import timeutil
from vetrisys.scheduling.models import (
    DEFAULT_OPENING_HOURS,
    DEFAULT_SLOT_MINUTES,
    MAX_BUSY_SPAN,
    Appointment,
    AppointmentType,
    LocationSchedule,
    OpeningHours,
    RoomClosure,
    Shift,
    ShiftException,
)

Interval = tuple[dt.datetime, dt.datetime]
LocalInterval = tuple[dt.time, dt.time]


@dataclass(frozen=True)
class Slot:
    """A free start time for an appointment type, with the vet and room it would use."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    vet: User
    room: Room | None


# ---------------------------------------------------------------- interval arithmetic


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping union of the intervals."""
    result: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[0] < i[1]):
        if result and start <= result[-1][1]:
            result[-1] = (result[-1][0], max(result[-1][1], end))
        else:
            result.append((start, end))
    return result


def subtract(intervals: Iterable[Interval], removed: Iterable[Interval]) -> list[Interval]:
    """The parts of `intervals` not covered by `removed`."""
    result = merge(intervals)
    for cut_start, cut_end in merge(removed):
        kept: list[Interval] = []
        for start, end in result:
            if cut_end <= start or end <= cut_start:
                kept.append((start, end))
                continue
            if start < cut_start:
                kept.append((start, cut_start))
            if cut_end < end:
                kept.append((cut_end, end))
        result = kept
    return result


def intersect(first: Iterable[Interval], second: Iterable[Interval]) -> list[Interval]:
    """The parts covered by both."""
    result: list[Interval] = []
    other = merge(second)
    for start, end in merge(first):
        for o_start, o_end in other:
            low, high = max(start, o_start), min(end, o_end)
            if low < high:
                result.append((low, high))
    return merge(result)


def overlaps(interval: Interval, others: Sequence[Interval]) -> bool:
    """Whether the half-open interval meets any of the others."""
    start, end = interval
    return any(o_start < end and start < o_end for o_start, o_end in others)


def _aware(day: dt.date, clock: dt.time, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, clock, tzinfo=zone).astimezone(dt.UTC)


def to_instants(day: dt.date, local: Iterable[LocalInterval], zone: ZoneInfo) -> list[Interval]:
    """Local clock intervals of `day` as UTC instants (a DST change shortens or lengthens
    them: 01:00-04:00 on a spring-forward night lasts two hours)."""
    return merge((_aware(day, start, zone), _aware(day, end, zone)) for start, end in local)


# ---------------------------------------------------------------- a location's week


def opening_hours_of(location: Location) -> list[tuple[int, dt.time, dt.time]]:
    """The location's weekly hours as (weekday, opens_at, closes_at); the default week when
    its hours were never set."""
    schedule = LocationSchedule.objects.filter(location=location).only("hours_set_at").first()
    if schedule is None or schedule.hours_set_at is None:
        return list(DEFAULT_OPENING_HOURS)
    return [
        (row.weekday, row.opens_at, row.closes_at)
        for row in OpeningHours.objects.filter(location=location).order_by("weekday", "opens_at")
    ]


def slot_minutes_of(location: Location) -> int:
    """The length of the slot grid at the location."""
    schedule = LocationSchedule.objects.filter(location=location).only("slot_minutes").first()
    return schedule.slot_minutes if schedule else DEFAULT_SLOT_MINUTES


@dataclass
class DayData:
    """What decides who works when on one day at one location, loaded in a few queries."""

    location: Location
    day: dt.date
    zone: ZoneInfo
    opening: list[Interval]
    shifts: dict[Any, list[Shift]]
    staff_with_shifts: set[Any]
    exceptions: dict[Any, list[ShiftException]]

    @staticmethod
    def zone_of(location: Location) -> ZoneInfo:
        """The location's time zone."""
        return ZoneInfo(location.time_zone)

    @classmethod
    def load(
        cls,
        location: Location,
        day: dt.date,
        *,
        staff_ids: Iterable[Any] | None = None,
        weekly_hours: list[tuple[int, dt.time, dt.time]] | None = None,
    ) -> DayData:
        """Opening hours, shifts and exceptions of `day` (for some staff, or everyone)."""
        hours = weekly_hours if weekly_hours is not None else opening_hours_of(location)
        shift_rows = Shift.objects.filter(location=location)
        exception_rows = ShiftException.objects.filter(location=location, date=day)
        if staff_ids is not None:
            ids = list(staff_ids)
            shift_rows = shift_rows.filter(staff_id__in=ids)
            exception_rows = exception_rows.filter(staff_id__in=ids)
        return cls.from_rows(location, day, hours, list(shift_rows), list(exception_rows))

    @classmethod
    def from_rows(
        cls,
        location: Location,
        day: dt.date,
        weekly_hours: list[tuple[int, dt.time, dt.time]],
        shift_rows: Iterable[Shift],
        exception_rows: Iterable[ShiftException],
        *,
        zone: ZoneInfo | None = None,
    ) -> DayData:
        """The day built from rows already loaded (exceptions of other days are ignored)."""
        zone = zone or cls.zone_of(location)
        opening = to_instants(day, [(o, c) for w, o, c in weekly_hours if w == day.weekday()], zone)
        shifts: dict[Any, list[Shift]] = defaultdict(list)
        staff_with_shifts: set[Any] = set()
        for shift in shift_rows:
            staff_with_shifts.add(shift.staff_id)
            if shift.applies_on(day):
                shifts[shift.staff_id].append(shift)
        exceptions: dict[Any, list[ShiftException]] = defaultdict(list)
        for exception in exception_rows:
            if exception.date == day:
                exceptions[exception.staff_id].append(exception)
        return cls(location, day, zone, opening, shifts, staff_with_shifts, exceptions)

    def working(self, staff_id: Any) -> list[Interval]:
        """When the staff member works at the location that day: their shifts (or, with no
        shift there at all, the opening hours) within the opening hours, minus leave and
        holidays, plus extra hours (which may fall outside the opening hours)."""
        if staff_id in self.staff_with_shifts:
            own = to_instants(
                self.day, [(s.starts_at, s.ends_at) for s in self.shifts[staff_id]], self.zone
            )
            base = intersect(own, self.opening)
        else:
            base = list(self.opening)
        removed: list[Interval] = []
        added: list[Interval] = []
        for exception in self.exceptions.get(staff_id, []):
            if exception.starts_at is None or exception.ends_at is None:
                span = self.opening if exception.kind == exception.Kind.EXTRA else [self._day()]
            else:
                span = to_instants(self.day, [(exception.starts_at, exception.ends_at)], self.zone)
            (added if exception.kind == exception.Kind.EXTRA else removed).extend(span)
        return merge([*subtract(base, removed), *added])

    def _day(self) -> Interval:
        return timeutil.local_day_bounds(self.day, self.location.time_zone)


# ---------------------------------------------------------------- who can be booked


def bookable_staff(location: Location, *, include: Iterable[Any] = ()) -> list[User]:
    """The vets of a location: staff whose role there lets them sign clinical records, and
    anyone with a shift there; `include` adds more (e.g. vets with bookings that day)."""
    signing_role_ids = [
        membership.pk
        for membership in StaffMembership.objects.filter(location=location).select_related("role")
        if Capability.RECORDS_SIGN.value in membership.role.capabilities
        and not membership.role.is_organization_wide
    ]
    users = User.objects.filter(organization_id=location.organization_id).filter(
        Q(is_active=True) & (Q(memberships__pk__in=signing_role_ids) | Q(shifts__location=location))
        | Q(pk__in=list(include))
    )
    return list(users.distinct().order_by("first_name", "last_name", "username"))


def busy_intervals(
    *,
    vet_ids: Iterable[Any],
    room_ids: Iterable[Any],
    window: Interval,
    exclude_appointment: Any = None,
) -> tuple[dict[Any, list[Interval]], dict[Any, list[Interval]]]:
    """Busy time (buffers included) of vets and rooms within `window`, wherever booked, and
    room closures: one query for appointments, one for closures."""
    vet_ids, room_ids = list(vet_ids), list(room_ids)
    start, end = window
    rows = Appointment.objects.filter(
        Q(vet_id__in=vet_ids) | Q(room_id__in=room_ids),
        status__in=Appointment.ACTIVE_STATUSES,
        busy_from__gt=start - MAX_BUSY_SPAN,
        busy_from__lt=end,
        busy_until__gt=start,
    )
    if exclude_appointment is not None:
        rows = rows.exclude(pk=exclude_appointment)
    by_vet: dict[Any, list[Interval]] = defaultdict(list)
    by_room: dict[Any, list[Interval]] = defaultdict(list)
    for vet_id, room_id, busy_from, busy_until in rows.values_list(
        "vet_id", "room_id", "busy_from", "busy_until"
    ):
        by_vet[vet_id].append((busy_from, busy_until))
        if room_id is not None:
            by_room[room_id].append((busy_from, busy_until))
    if room_ids:
        closures = RoomClosure.objects.filter(
            room_id__in=room_ids, starts_at__lt=end, ends_at__gt=start
        ).values_list("room_id", "starts_at", "ends_at")
        for room_id, closed_from, closed_until in closures:
            by_room[room_id].append((closed_from, closed_until))
    return by_vet, by_room


# ---------------------------------------------------------------- free slots


def free_slots(
    *,
    location: Location,
    appointment_type: AppointmentType,
    day: dt.date,
    vet: User | None = None,
    room: Room | None = None,
    step_minutes: int | None = None,
    now: dt.datetime | None = None,
) -> list[Slot]:
    """Free start times on a local day for the type, for one vet or any vet, each with a free
    room of the kind the type needs (or the room asked for). Past start times are left out."""
    zone = ZoneInfo(location.time_zone)
    step = dt.timedelta(minutes=step_minutes or slot_minutes_of(location))
    vets = [vet] if vet is not None else bookable_staff(location)
    if not vets:
        return []
    rooms: list[Room] = []
    if room is not None:
        rooms = [room]
    elif appointment_type.requires_room_kind:
        rooms = list(
            Room.objects.filter(
                location=location, kind=appointment_type.requires_room_kind, is_active=True
            ).order_by("name")
        )
        if not rooms:
            return []
    data = DayData.load(location, day, staff_ids=[v.pk for v in vets])
    day_start, day_end = timeutil.local_day_bounds(day, location.time_zone)
    margin = dt.timedelta(minutes=24 * 60)
    by_vet, by_room = busy_intervals(
        vet_ids=[v.pk for v in vets],
        room_ids=[r.pk for r in rooms],
        window=(day_start - margin, day_end + margin),
    )
    earliest = now or timeutil.now()
    duration = appointment_type.duration
    before, after = appointment_type.buffer_before, appointment_type.buffer_after
    slots: list[Slot] = []
    for candidate in vets:
        vet_busy = by_vet.get(candidate.pk, [])
        for window_start, window_end in data.working(candidate.pk):
            start = _first_on_grid(window_start, step, zone)
            while start + duration <= window_end:
                busy = (start - before, start + duration + after)
                if start >= earliest and not overlaps(busy, vet_busy):
                    free_room = next((r for r in rooms if not overlaps(busy, by_room[r.pk])), None)
                    if free_room is not None or not rooms:
                        slots.append(Slot(start, start + duration, candidate, free_room))
                start += step
    slots.sort(key=lambda slot: (slot.starts_at, slot.vet.get_full_name(), str(slot.vet.pk)))
    return slots


def _first_on_grid(instant: dt.datetime, step: dt.timedelta, zone: ZoneInfo) -> dt.datetime:
    """The first instant at or after `instant` whose local clock sits on the slot grid."""
    local = instant.astimezone(zone)
    minutes = local.hour * 60 + local.minute
    step_minutes = int(step.total_seconds() // 60)
    remainder = minutes % step_minutes
    if remainder == 0 and local.second == 0 and local.microsecond == 0:
        return instant
    rounded = instant.replace(second=0, microsecond=0)
    return rounded + dt.timedelta(minutes=step_minutes - remainder)
