"""The calendar screens' layout: the engine's day, week and waiting-room reads placed on a
grid of fixed steps in the location's time zone, so templates only set classes (no inline
styles under the CSP). Adds no query of its own beyond the reference rows of the forms."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils.dates import WEEKDAYS_ABBR

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.models import Location, Room, User
from vetrisys.accounts.permissions import require
from vetrisys.core import timeutil
from vetrisys.scheduling import availability, selectors
from vetrisys.scheduling.availability import Interval
from vetrisys.scheduling.models import Appointment

GRID_STEP_MINUTES = 15
MAX_ROWS = 96  # calendar.css has placement classes for 96 quarter-hours
CLOSED_DAY_HOURS = (dt.time(8), dt.time(18))
COLUMN_KINDS = ("vet", "room", "type")
HIDDEN_STATUSES = (Appointment.Status.CANCELLED,)


def zone_of(location: Location) -> ZoneInfo:
    """The location's time zone."""
    return ZoneInfo(location.time_zone)


def local_today(location: Location) -> dt.date:
    """Today's date at the location."""
    return timeutil.today_in(location.time_zone)


def find(rows: Iterable[Any], pk: Any) -> Any:
    """The row of `rows` whose id is `pk` (as text), or None."""
    return next((row for row in rows if str(row.pk) == str(pk)), None)


# ---------------------------------------------------------------- reference rows of the forms


def vets_at(*, actor: Any, location: Location) -> list[User]:
    """The vets who can be booked at the location, by name."""
    require(actor, Capability.APPOINTMENTS_VIEW, location)
    return availability.bookable_staff(location)


def staff_at(*, actor: Any, location: Location) -> QuerySet[User]:
    """Active staff holding a membership at the location, by name (for shifts)."""
    require(actor, Capability.APPOINTMENTS_VIEW, location)
    return (
        User.objects.filter(
            organization_id=location.organization_id,
            is_active=True,
            memberships__location=location,
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def rooms_at(*, actor: Any, location: Location) -> QuerySet[Room]:
    """Active rooms of the location."""
    require(actor, Capability.APPOINTMENTS_VIEW, location)
    return Room.objects.filter(location=location, is_active=True).order_by("name")


def week_hours(location: Location) -> dict[int, list[tuple[dt.time, dt.time]]]:
    """Weekday → opening intervals in local time (the default week until they are set)."""
    week: dict[int, list[tuple[dt.time, dt.time]]] = {weekday: [] for weekday in range(7)}
    for weekday, opens_at, closes_at in availability.opening_hours_of(location):
        week[weekday].append((opens_at, closes_at))
    return week


# ---------------------------------------------------------------- the grid


@dataclass
class Slot:
    """One step of a column: a link to book at that time when the location is open."""

    row: int
    starts_at: dt.datetime
    label: str
    local_value: str
    is_open: bool
    is_hour: bool

    @property
    def is_bookable(self) -> bool:
        return self.is_open


@dataclass
class Card:
    """An appointment placed on the grid: first row and rows spanned."""

    appointment: Appointment
    row: int
    span: int
    detail: str
    is_overlap: bool = False


@dataclass
class Column:
    """A vet, a room, a service or a day, with its slots and its appointments."""

    key: str
    kind: str
    label: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    slots: list[Slot]
    query: str = ""
    color: str = ""
    url: str = ""
    is_today: bool = False
    cards: list[Card] = field(default_factory=list)


@dataclass
class AxisRow:
    row: int
    span: int
    label: str


@dataclass
class CalendarGrid:
    """What the grid template draws."""

    columns: list[Column]
    axis: list[AxisRow]
    step_minutes: int
    appointments: list[Appointment]
    is_open_day: bool = True
    is_week: bool = False


@dataclass
class _Frame:
    """The drawn range of one day: `rows` steps from `starts_at`."""

    starts_at: dt.datetime
    rows: int
    step: dt.timedelta

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + self.rows * self.step


def _clock_minutes(instant: dt.datetime, zone: ZoneInfo, day: dt.date) -> int:
    """Minutes after local midnight of `day` (clamped to the day)."""
    local = instant.astimezone(zone)
    if local.date() < day:
        return 0
    if local.date() > day:
        return 24 * 60
    return local.hour * 60 + local.minute


def _frame_clock(
    day: dt.date, zone: ZoneInfo, intervals: Iterable[Interval], appointments: Sequence[Appointment]
) -> tuple[int, int]:
    """First and last minute of the day to draw, on the step grid."""
    starts = [_clock_minutes(start, zone, day) for start, _end in intervals]
    ends = [_clock_minutes(end, zone, day) for _start, end in intervals]
    starts += [_clock_minutes(a.starts_at, zone, day) for a in appointments]
    ends += [_clock_minutes(a.ends_at, zone, day) for a in appointments]
    if not starts:
        starts = [CLOSED_DAY_HOURS[0].hour * 60]
        ends = [CLOSED_DAY_HOURS[1].hour * 60]
    first = min(starts) // GRID_STEP_MINUTES * GRID_STEP_MINUTES
    last = math.ceil(max(ends) / GRID_STEP_MINUTES) * GRID_STEP_MINUTES
    return first, max(last, first + GRID_STEP_MINUTES)


def _frame(day: dt.date, zone: ZoneInfo, first: int, last: int) -> _Frame:
    rows = max(1, min(MAX_ROWS, (last - first) // GRID_STEP_MINUTES))
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    local = midnight + dt.timedelta(minutes=first)  # wall-clock arithmetic in the zone
    return _Frame(
        starts_at=local.astimezone(dt.UTC),
        rows=rows,
        step=dt.timedelta(minutes=GRID_STEP_MINUTES),
    )


def _slots(frame: _Frame, zone: ZoneInfo, working: Sequence[Interval]) -> list[Slot]:
    slots = []
    for index in range(frame.rows):
        at = (frame.starts_at + index * frame.step).astimezone(zone)
        slots.append(
            Slot(
                row=index + 1,
                starts_at=at,
                label=at.strftime("%H:%M"),
                local_value=at.strftime("%Y-%m-%dT%H:%M"),
                is_open=any(start <= at < end for start, end in working),
                is_hour=at.minute == 0,
            )
        )
    return slots


def _axis(frame: _Frame, zone: ZoneInfo) -> list[AxisRow]:
    marks: list[tuple[int, str]] = []
    for index in range(frame.rows):
        at = (frame.starts_at + index * frame.step).astimezone(zone)
        if index == 0 or at.minute == 0:
            marks.append((index + 1, at.strftime("%H:%M")))
    axis = []
    for position, (row, label) in enumerate(marks):
        next_row = marks[position + 1][0] if position + 1 < len(marks) else frame.rows + 1
        axis.append(AxisRow(row=row, span=max(1, next_row - row), label=label))
    return axis


def _place(
    column: Column,
    appointments: Iterable[Appointment],
    frame: _Frame,
    detail: Callable[[Appointment], str],
) -> None:
    step_seconds = frame.step.total_seconds()
    busy_until: dt.datetime | None = None
    for appointment in appointments:
        if appointment.status in HIDDEN_STATUSES:
            continue
        first = int((appointment.starts_at - frame.starts_at).total_seconds() // step_seconds) + 1
        last = math.ceil((appointment.ends_at - frame.starts_at).total_seconds() / step_seconds) + 1
        row = max(1, min(frame.rows, first))
        span = max(1, min(frame.rows + 1, last) - row)
        column.cards.append(
            Card(
                appointment=appointment,
                row=row,
                span=span,
                detail=detail(appointment),
                is_overlap=busy_until is not None and appointment.starts_at < busy_until,
            )
        )
        if busy_until is None or appointment.ends_at > busy_until:
            busy_until = appointment.ends_at


def _detail(by: str) -> Callable[[Appointment], str]:
    if by == "vet":
        return lambda a: a.room.name if a.room else a.client.full_name
    return lambda a: a.vet.display_name


def calendar_day(*, actor: Any, location: Location, day: dt.date, by: str) -> CalendarGrid:
    """The day at a location in columns per vet, per room or per service (`by`)."""
    calendar = selectors.day_calendar(actor=actor, location=location, day=day, group_by=by)  # type: ignore[arg-type]
    zone = zone_of(location)
    shown = [a for a in calendar.appointments if a.status not in HIDDEN_STATUSES]
    spans = [*calendar.opening, *(i for c in calendar.columns for i in c.working)]
    frame = _frame(day, zone, *_frame_clock(day, zone, spans, shown))
    is_today = day == local_today(location)
    detail = _detail(by)
    query_key = {"vet": "vet", "room": "room", "type": "appointment_type"}[by]
    columns = []
    for source in calendar.columns:
        has_key = source.key != selectors.NO_ROOM
        column = Column(
            key=source.key if has_key else "",
            kind=by,
            label=source.label,
            starts_at=frame.starts_at,
            ends_at=frame.ends_at,
            slots=_slots(frame, zone, source.working),
            query=f"{query_key}={source.key}" if has_key else "",
            color=source.color,
            is_today=is_today,
        )
        _place(column, source.appointments, frame, detail)
        columns.append(column)
    return CalendarGrid(
        columns=columns,
        axis=_axis(frame, zone),
        step_minutes=GRID_STEP_MINUTES,
        appointments=shown,
        is_open_day=bool(calendar.opening),
    )


def calendar_week(
    *, actor: Any, location: Location, vet: User, week_start: dt.date, day_url: str
) -> CalendarGrid:
    """Seven days of one vet at a location, one column per day on a shared time axis."""
    week = selectors.week_calendar(actor=actor, location=location, vet=vet, week_start=week_start)
    zone = zone_of(location)
    first, last = 24 * 60, 0
    for entry in week.days:
        shown = [a for a in entry.appointments if a.status not in HIDDEN_STATUSES]
        if entry.working or shown:
            day_first, day_last = _frame_clock(entry.day, zone, entry.working, shown)
            first, last = min(first, day_first), max(last, day_last)
    if first >= last:
        first, last = CLOSED_DAY_HOURS[0].hour * 60, CLOSED_DAY_HOURS[1].hour * 60
    today = local_today(location)
    columns = []
    appointments: list[Appointment] = []
    frames = []
    for entry in week.days:
        frame = _frame(entry.day, zone, first, last)
        frames.append(frame)
        column = Column(
            key=str(vet.pk),
            kind="vet",
            label=f"{WEEKDAYS_ABBR[entry.day.weekday()]} {entry.day.day}",
            starts_at=frame.starts_at,
            ends_at=frame.ends_at,
            slots=_slots(frame, zone, entry.working),
            query=f"vet={vet.pk}",
            url=f"{day_url}?date={entry.day.isoformat()}",
            is_today=entry.day == today,
        )
        _place(column, entry.appointments, frame, lambda a: a.client.full_name)
        appointments += [c.appointment for c in column.cards]
        columns.append(column)
    return CalendarGrid(
        columns=columns,
        axis=_axis(frames[0], zone),
        step_minutes=GRID_STEP_MINUTES,
        appointments=appointments,
        is_week=True,
    )
