"""Writes of scheduling. Each checks the capability, validates, writes and audits in one
transaction; booking and rescheduling never let two active appointments share a vet or a room."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.models import Location, Room, StaffMembership, User
from vetrisys.accounts.permissions import has_capability, require
from vetrisys.audit.services import diff, record, snapshot
from vetrisys.core import timeutil
from vetrisys.core.errors import Conflict, NotFound, ValidationFailed
from vetrisys.patients.models import Patient, Species
from vetrisys.scheduling import transitions
from vetrisys.scheduling.models import (
    MAX_APPOINTMENT_SPAN,
    MAX_BUFFER_MINUTES,
    MAX_BUSY_SPAN,
    MAX_DURATION_MINUTES,
    Appointment,
    AppointmentType,
    LocationSchedule,
    OpeningHours,
    Shift,
    ShiftException,
)

Status = Appointment.Status
EXCLUSION_VIOLATION = "23P01"
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_UNSET: Any = object()


# ---------------------------------------------------------------- appointment types


TYPE_FIELDS = [
    "name", "duration_minutes", "color", "requires_room_kind", "price_item_id",
    "buffer_before_minutes", "buffer_after_minutes", "online_bookable", "is_active",
]  # fmt: skip


def _validate_type(fields: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if "name" in fields and not str(fields["name"]).strip():
        errors["name"] = [_("The type needs a name.")]
    duration = fields.get("duration_minutes")
    if duration is not None and not 0 < duration <= MAX_DURATION_MINUTES:
        errors["duration_minutes"] = [_("Between 1 minute and 24 hours.")]
    for name in ("buffer_before_minutes", "buffer_after_minutes"):
        value = fields.get(name)
        if value is not None and not 0 <= value <= MAX_BUFFER_MINUTES:
            errors[name] = [_("Between 0 and 240 minutes.")]
    if "color" in fields and not _COLOR.match(str(fields["color"])):
        errors["color"] = [_("A color like #1a2b3c.")]
    kind = fields.get("requires_room_kind")
    if kind and kind not in Room.Kind.values:
        errors["requires_room_kind"] = [_("Not a known room kind.")]
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)


def _check_type_references(actor: Any, fields: dict[str, Any]) -> None:
    price_item = fields.get("price_item")
    if price_item is not None and price_item.organization_id != actor.organization_id:
        raise ValidationFailed.for_field("price_item", _("Product not found."))
    for species in fields.get("species") or []:
        if species.organization_id not in (None, actor.organization_id):
            raise ValidationFailed.for_field("species", _("Species not found."))


@transaction.atomic
def appointment_type_create(
    *,
    actor: Any,
    name: str,
    duration_minutes: int,
    color: str = "#0d6efd",
    species: Iterable[Species] = (),
    requires_room_kind: str = "",
    price_item: Any = None,
    buffer_before_minutes: int = 0,
    buffer_after_minutes: int = 0,
    online_bookable: bool = False,
    is_active: bool = True,
) -> AppointmentType:
    """Add an appointment type to the organization."""
    require(actor, Capability.LOCATIONS_MANAGE)
    fields = {
        "name": name.strip(),
        "duration_minutes": duration_minutes,
        "color": color.lower(),
        "requires_room_kind": requires_room_kind or "",
        "buffer_before_minutes": buffer_before_minutes,
        "buffer_after_minutes": buffer_after_minutes,
        "online_bookable": online_bookable,
        "is_active": is_active,
    }
    _validate_type(fields)
    species = list(species)
    _check_type_references(actor, {"price_item": price_item, "species": species})
    if AppointmentType.objects.filter(
        organization_id=actor.organization_id, name__iexact=fields["name"]
    ).exists():
        raise Conflict(_("A type with this name already exists."), code="type_exists")
    appointment_type = AppointmentType.objects.create(
        organization_id=actor.organization_id, price_item=price_item, **fields
    )
    appointment_type.species.set(species)
    record(
        actor=actor,
        action="appointment_type.create",
        target=appointment_type,
        changes={**snapshot(appointment_type, TYPE_FIELDS), "species": [s.code for s in species]},
    )
    return appointment_type


@transaction.atomic
def appointment_type_update(
    *, actor: Any, appointment_type: AppointmentType, **fields: Any
) -> AppointmentType:
    """Change an appointment type; bookings already made keep their times."""
    require(actor, Capability.LOCATIONS_MANAGE)
    unknown = set(fields) - {*TYPE_FIELDS, "price_item", "species"} - {"price_item_id"}
    if unknown:
        raise ValidationFailed(
            _("Some fields are not valid."),
            fields={name: [_("Unknown field.")] for name in sorted(unknown)},
        )
    if "name" in fields:
        fields["name"] = str(fields["name"]).strip()
    if "color" in fields:
        fields["color"] = str(fields["color"]).lower()
    _validate_type(fields)
    _check_type_references(actor, fields)
    locked = AppointmentType.objects.select_for_update().get(pk=appointment_type.pk)
    if (
        "name" in fields
        and AppointmentType.objects.filter(
            organization_id=actor.organization_id, name__iexact=fields["name"]
        )
        .exclude(pk=locked.pk)
        .exists()
    ):
        raise Conflict(_("A type with this name already exists."), code="type_exists")
    before = snapshot(locked, TYPE_FIELDS)
    before_species = sorted(s.code for s in locked.species.all())
    species = fields.pop("species", None)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.bump_version()
    locked.save()
    changes = diff(before, snapshot(locked, TYPE_FIELDS))
    if species is not None:
        locked.species.set(species)
        after_species = sorted(s.code for s in species)
        if after_species != before_species:
            changes["species"] = [before_species, after_species]
    record(actor=actor, action="appointment_type.update", target=locked, changes=changes)
    return locked


# ---------------------------------------------------------------- opening hours and shifts


def _check_intervals(
    intervals: list[tuple[int, dt.time, dt.time]], field_prefix: str = "hours"
) -> None:
    errors: dict[str, list[str]] = {}
    by_day: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for index, (weekday, opens_at, closes_at) in enumerate(intervals):
        if not 0 <= weekday <= 6:
            errors[f"{field_prefix}.{index}.weekday"] = [_("0 (Monday) to 6 (Sunday).")]
        if opens_at >= closes_at:
            errors[f"{field_prefix}.{index}.closes_at"] = [_("Must be after the opening time.")]
        by_day.setdefault(weekday, []).append((opens_at, closes_at))
    for weekday, day_intervals in by_day.items():
        ordered = sorted(day_intervals)
        for (_o1, c1), (o2, _c2) in itertools.pairwise(ordered):
            if o2 < c1:
                errors[f"{field_prefix}.weekday_{weekday}"] = [_("Intervals of a day overlap.")]
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)


def _schedule_of(location: Location) -> LocationSchedule:
    schedule, _created = LocationSchedule.objects.select_for_update().get_or_create(
        location=location, defaults={"organization_id": location.organization_id}
    )
    return schedule


@transaction.atomic
def opening_hours_set(
    *, actor: Any, location: Location, hours: list[tuple[int, dt.time, dt.time]]
) -> list[OpeningHours]:
    """Replace the location's week of opening hours (an empty list: closed every day)."""
    require(actor, Capability.LOCATIONS_MANAGE, location)
    _check_intervals(hours)
    schedule = _schedule_of(location)
    before = [
        [row.weekday, row.opens_at, row.closes_at]
        for row in OpeningHours.objects.filter(location=location).order_by("weekday", "opens_at")
    ]
    OpeningHours.objects.filter(location=location).delete()
    rows = OpeningHours.objects.bulk_create(
        OpeningHours(
            organization_id=location.organization_id,
            location=location,
            weekday=weekday,
            opens_at=opens_at,
            closes_at=closes_at,
        )
        for weekday, opens_at, closes_at in sorted(hours)
    )
    schedule.hours_set_at = timeutil.now()
    schedule.bump_version()
    schedule.save()
    record(
        actor=actor,
        action="opening_hours.set",
        target=location,
        location=location,
        changes={"before": before, "after": [[w, o, c] for w, o, c in sorted(hours)]},
    )
    return rows


def _check_staff_at(location: Location, staff: User) -> None:
    if staff.organization_id != location.organization_id:
        raise ValidationFailed.for_field("staff", _("Staff member not found."))
    works_there = StaffMembership.objects.filter(user=staff, location=location).exists()
    if not works_there and not staff.is_organization_wide():
        raise ValidationFailed.for_field("staff", _("This person does not work at the location."))


@transaction.atomic
def shift_create(
    *,
    actor: Any,
    location: Location,
    staff: User,
    weekday: int,
    starts_at: dt.time,
    ends_at: dt.time,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
) -> Shift:
    """Add a recurring weekly shift of a staff member at a location."""
    require(actor, Capability.LOCATIONS_MANAGE, location)
    _check_staff_at(location, staff)
    _check_intervals([(weekday, starts_at, ends_at)], field_prefix="shift")
    if valid_from and valid_until and valid_until < valid_from:
        raise ValidationFailed.for_field("valid_until", _("Must not be before valid from."))
    shift = Shift.objects.create(
        organization_id=location.organization_id,
        location=location,
        staff=staff,
        weekday=weekday,
        starts_at=starts_at,
        ends_at=ends_at,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    record(
        actor=actor,
        action="shift.create",
        target=shift,
        location=location,
        changes=snapshot(
            shift, ["staff_id", "weekday", "starts_at", "ends_at", "valid_from", "valid_until"]
        ),
    )
    return shift


@transaction.atomic
def shift_delete(*, actor: Any, shift: Shift) -> None:
    """Remove a weekly shift (bookings already made stay)."""
    require(actor, Capability.LOCATIONS_MANAGE, shift.location_id)
    record(
        actor=actor,
        action="shift.delete",
        target=shift,
        location=shift.location_id,
        changes=snapshot(shift, ["staff_id", "weekday", "starts_at", "ends_at"]),
    )
    shift.delete()


@transaction.atomic
def shift_exception_create(
    *,
    actor: Any,
    location: Location,
    staff: User,
    date: dt.date,
    kind: str,
    starts_at: dt.time | None = None,
    ends_at: dt.time | None = None,
    reason: str = "",
) -> ShiftException:
    """Record leave, a holiday or extra hours of a staff member on one date."""
    require(actor, Capability.LOCATIONS_MANAGE, location)
    _check_staff_at(location, staff)
    if kind not in ShiftException.Kind.values:
        raise ValidationFailed.for_field("kind", _("Leave, holiday or extra."))
    if (starts_at is None) != (ends_at is None):
        raise ValidationFailed.for_field("ends_at", _("Give both times, or none for the day."))
    if starts_at is not None and ends_at is not None and starts_at >= ends_at:
        raise ValidationFailed.for_field("ends_at", _("Must be after the start."))
    exception = ShiftException.objects.create(
        organization_id=location.organization_id,
        location=location,
        staff=staff,
        date=date,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason.strip()[:200],
    )
    record(
        actor=actor,
        action="shift_exception.create",
        target=exception,
        location=location,
        changes=snapshot(exception, ["staff_id", "date", "kind", "starts_at", "ends_at", "reason"]),
    )
    return exception


# ---------------------------------------------------------------- booking


def _require_aware(value: dt.datetime | None, field: str) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValidationFailed.for_field(field, _("Give the time with its UTC offset."))


def _check_vet(location: Location, vet: User) -> None:
    if vet.organization_id != location.organization_id or not vet.is_active:
        raise ValidationFailed.for_field("vet", _("Staff member not found."))
    if not (
        StaffMembership.objects.filter(user=vet, location=location).exists()
        or Shift.objects.filter(staff=vet, location=location).exists()
    ):
        raise ValidationFailed.for_field("vet", _("This vet does not work at the location."))


def _check_room(location: Location, room: Room | None, appointment_type: AppointmentType) -> None:
    if room is None:
        return
    if room.location_id != location.pk or not room.is_active:
        raise ValidationFailed.for_field("room", _("Room not found at this location."))
    kind = appointment_type.requires_room_kind
    if kind and room.kind != kind:
        raise ValidationFailed.for_field(
            "room", _("This type needs a room of kind %(kind)s.") % {"kind": Room.Kind(kind).label}
        )


def _check_span(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    """An appointment ends after it starts and lasts at most a day."""
    if ends_at <= starts_at:
        raise ValidationFailed.for_field("ends_at", _("Must be after the start."))
    if ends_at - starts_at > MAX_APPOINTMENT_SPAN:
        raise ValidationFailed.for_field("ends_at", _("An appointment lasts 24 hours at most."))


def _blocker(
    *, vet: Any, room: Any, busy_from: dt.datetime, busy_until: dt.datetime, exclude: Any = None
) -> Appointment | None:
    """The first active appointment holding the vet or the room in the busy range."""
    holder = Q(vet=vet)
    if room is not None:
        holder |= Q(room=room)
    found = Appointment.objects.filter(
        holder,
        status__in=Appointment.ACTIVE_STATUSES,
        busy_from__gt=busy_from - MAX_BUSY_SPAN,
        busy_from__lt=busy_until,
        busy_until__gt=busy_from,
    ).select_related("patient", "vet", "room")
    if exclude is not None:
        found = found.exclude(pk=exclude)
    return found.order_by("busy_from", "id").first()


def slot_taken(blocker: Appointment | None, *, vet: Any, room: Any) -> Conflict:
    """The 409 that names the appointment holding the vet or the room."""
    extra: dict[str, Any] = {}
    if blocker is not None:
        extra["blocking_appointment"] = {
            "id": str(blocker.pk),
            "starts_at": blocker.starts_at.isoformat(),
            "ends_at": blocker.ends_at.isoformat(),
            "patient": blocker.patient.name,
            "vet": str(blocker.vet_id),
            "vet_name": blocker.vet.display_name,
            "room": str(blocker.room_id) if blocker.room_id else None,
            "room_name": blocker.room.name if blocker.room else None,
        }
        extra["busy"] = "vet" if blocker.vet_id == getattr(vet, "pk", vet) else "room"
    return Conflict(
        _("This time is already taken for the vet or the room."), code="slot_taken", **extra
    )


def _pick_room(
    location: Location, appointment_type: AppointmentType, busy: tuple[dt.datetime, dt.datetime]
) -> Room:
    """A free room of the kind the type needs, or 409 slot_taken."""
    kind = appointment_type.requires_room_kind
    rooms = Room.objects.filter(location=location, kind=kind, is_active=True).order_by("name")
    taken = set(
        Appointment.objects.filter(
            room__in=rooms,
            status__in=Appointment.ACTIVE_STATUSES,
            busy_from__gt=busy[0] - MAX_BUSY_SPAN,
            busy_from__lt=busy[1],
            busy_until__gt=busy[0],
        ).values_list("room_id", flat=True)
    )
    for room in rooms:
        if room.pk not in taken:
            return room
    raise Conflict(
        _("No room of kind %(kind)s is free at this time.") % {"kind": Room.Kind(kind).label},
        code="slot_taken",
        room_kind=kind,
    )


def _save_without_overlap(appointment: Appointment, *, update_fields: list[str] | None) -> None:
    """Save in a savepoint; on PostgreSQL a lost race with another booking hits the exclusion
    constraint (SQLSTATE 23P01) and becomes the same 409 as the check before it."""
    try:
        with transaction.atomic():
            if update_fields is None:
                appointment.save(force_insert=True)
            else:
                appointment.save(update_fields=update_fields)
    except IntegrityError as error:
        if getattr(error.__cause__, "sqlstate", None) != EXCLUSION_VIOLATION:
            raise
        blocker = _blocker(
            vet=appointment.vet_id,
            room=appointment.room_id,
            busy_from=appointment.busy_from,
            busy_until=appointment.busy_until,
            exclude=appointment.pk,
        )
        raise slot_taken(blocker, vet=appointment.vet_id, room=appointment.room_id) from None


@dataclass(frozen=True)
class _Overlap:
    allowed: bool
    reason: str


def _overlap_request(
    actor: Any, location: Location, allow_overlap: bool, overlap_reason: str
) -> _Overlap:
    if not allow_overlap:
        return _Overlap(False, "")
    require(actor, Capability.APPOINTMENTS_OVERBOOK, location)
    reason = overlap_reason.strip()
    if not reason:
        raise ValidationFailed.for_field("overlap_reason", _("Say why this is overbooked."))
    return _Overlap(True, reason[:300])


AUDITED = [
    "patient_id", "vet_id", "room_id", "appointment_type_id", "starts_at", "ends_at", "status",
    "is_overbooked", "overbook_reason", "notes",
]  # fmt: skip


@transaction.atomic
def appointment_book(
    *,
    actor: Any,
    location: Location,
    patient: Patient,
    vet: User,
    appointment_type: AppointmentType,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None = None,
    room: Room | None = None,
    notes: str = "",
    allow_overlap: bool = False,
    overlap_reason: str = "",
) -> Appointment:
    """Book a patient with a vet (and a room: the one given, or a free one of the kind the
    type needs). A busy vet or room is 409 slot_taken unless the actor deliberately overbooks."""
    require(actor, Capability.APPOINTMENTS_MANAGE, location)
    overlap = _overlap_request(actor, location, allow_overlap, overlap_reason)
    _require_aware(starts_at, "starts_at")
    _require_aware(ends_at, "ends_at")
    if patient.organization_id != location.organization_id:
        raise NotFound(_("Patient not found."))
    if appointment_type.organization_id != location.organization_id:
        raise ValidationFailed.for_field("appointment_type", _("Appointment type not found."))
    if not appointment_type.is_active:
        raise ValidationFailed.for_field("appointment_type", _("This type is no longer offered."))
    if patient.is_deceased:
        raise Conflict(_("This patient has died and cannot be booked."), code="patient_deceased")
    allowed_species = {s.pk for s in appointment_type.species.all()}
    if allowed_species and patient.species_id not in allowed_species:
        raise ValidationFailed.for_field(
            "appointment_type", _("This type is not offered for this species.")
        )
    ends_at = ends_at or starts_at + appointment_type.duration
    _check_span(starts_at, ends_at)
    _check_vet(location, vet)
    _check_room(location, room, appointment_type)
    busy_from = starts_at - appointment_type.buffer_before
    busy_until = ends_at + appointment_type.buffer_after
    if room is None and appointment_type.requires_room_kind:
        room = _pick_room(location, appointment_type, (busy_from, busy_until))
    blocker = _blocker(vet=vet, room=room, busy_from=busy_from, busy_until=busy_until)
    if blocker is not None and not overlap.allowed:
        raise slot_taken(blocker, vet=vet, room=room)
    appointment = Appointment(
        organization_id=location.organization_id,
        location=location,
        patient=patient,
        client_id=patient.client_id,
        vet=vet,
        room=room,
        appointment_type=appointment_type,
        starts_at=starts_at,
        ends_at=ends_at,
        busy_from=busy_from,
        busy_until=busy_until,
        notes=notes.strip(),
        is_overbooked=blocker is not None,
        overbook_reason=overlap.reason if blocker is not None else "",
        created_by=actor,
    )
    try:
        _save_without_overlap(appointment, update_fields=None)
    except Conflict:
        if not overlap.allowed:
            raise
        # Another booking took the time in the meantime: keep this one as a deliberate overbooking.
        appointment.is_overbooked, appointment.overbook_reason = True, overlap.reason
        appointment.save(force_insert=True)
    record(
        actor=actor,
        action="appointment.overbook" if appointment.is_overbooked else "appointment.book",
        target=appointment,
        location=location,
        changes=snapshot(appointment, AUDITED),
    )
    return appointment


def _locked(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update()
        .select_related("appointment_type", "location")
        .get(pk=appointment.pk)
    )


@transaction.atomic
def appointment_reschedule(
    *,
    actor: Any,
    appointment: Appointment,
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
    vet: User | None = None,
    room: Room | None = _UNSET,
    allow_overlap: bool = False,
    overlap_reason: str = "",
) -> Appointment:
    """Move an appointment in time, to another vet or room (a new start keeps the length
    unless a new end is given); the same conflict rules as booking."""
    require(actor, Capability.APPOINTMENTS_MANAGE, appointment.location_id)
    location = appointment.location
    overlap = _overlap_request(actor, location, allow_overlap, overlap_reason)
    _require_aware(starts_at, "starts_at")
    _require_aware(ends_at, "ends_at")
    locked = _locked(appointment)
    if locked.status not in (Status.SCHEDULED, Status.CHECKED_IN):
        raise Conflict(
            _("Only a scheduled or checked-in appointment can be moved."),
            code="invalid_transition",
            status=locked.status,
        )
    before = snapshot(locked, AUDITED)
    appointment_type = locked.appointment_type
    new_start = starts_at or locked.starts_at
    new_end = ends_at or (new_start + (locked.ends_at - locked.starts_at))
    _check_span(new_start, new_end)
    new_vet = vet or locked.vet
    new_room = locked.room if room is _UNSET else room
    if vet is not None and vet.pk != locked.vet_id:
        _check_vet(location, vet)
    if room is not _UNSET:
        _check_room(location, new_room, appointment_type)
    busy_from = new_start - appointment_type.buffer_before
    busy_until = new_end + appointment_type.buffer_after
    if new_room is None and appointment_type.requires_room_kind:
        new_room = _pick_room(location, appointment_type, (busy_from, busy_until))
    blocker = _blocker(
        vet=new_vet, room=new_room, busy_from=busy_from, busy_until=busy_until, exclude=locked.pk
    )
    if blocker is not None and not overlap.allowed:
        raise slot_taken(blocker, vet=new_vet, room=new_room)
    locked.starts_at, locked.ends_at = new_start, new_end
    locked.busy_from, locked.busy_until = busy_from, busy_until
    locked.vet, locked.room = new_vet, new_room
    locked.is_overbooked = blocker is not None
    locked.overbook_reason = overlap.reason if blocker is not None else ""
    locked.ical_sequence += 1
    locked.bump_version()
    fields = [
        "starts_at", "ends_at", "busy_from", "busy_until", "vet", "room", "is_overbooked",
        "overbook_reason", "ical_sequence", "version", "updated_at",
    ]  # fmt: skip
    _save_without_overlap(locked, update_fields=fields)
    record(
        actor=actor,
        action="appointment.reschedule",
        target=locked,
        location=location,
        changes=diff(before, snapshot(locked, AUDITED)),
    )
    return locked


# ---------------------------------------------------------------- the front-desk flow


def _transition(
    *, actor: Any, appointment: Appointment, target: str, action: str, **fields: Any
) -> Appointment:
    require(actor, Capability.APPOINTMENTS_MANAGE, appointment.location_id)
    locked = _locked(appointment)
    transitions.check(locked, target)
    previous = locked.status
    locked.status = target
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.bump_version()
    locked.save(update_fields=["status", "version", "updated_at", *fields])
    record(
        actor=actor,
        action=action,
        target=locked,
        location=locked.location_id,
        changes={"status": [previous, target], **dict(fields.items())},
    )
    return locked


@transaction.atomic
def appointment_check_in(*, actor: Any, appointment: Appointment) -> Appointment:
    """The patient has arrived and waits."""
    return _transition(
        actor=actor,
        appointment=appointment,
        target=Status.CHECKED_IN,
        action="appointment.check_in",
        checked_in_at=timeutil.now(),
    )


@transaction.atomic
def appointment_start(*, actor: Any, appointment: Appointment) -> Appointment:
    """The consultation begins."""
    return _transition(
        actor=actor,
        appointment=appointment,
        target=Status.IN_PROGRESS,
        action="appointment.start",
        started_at=timeutil.now(),
    )


@transaction.atomic
def appointment_complete(*, actor: Any, appointment: Appointment) -> Appointment:
    """The consultation is over."""
    return _transition(
        actor=actor,
        appointment=appointment,
        target=Status.COMPLETED,
        action="appointment.complete",
        completed_at=timeutil.now(),
    )


@transaction.atomic
def appointment_cancel(*, actor: Any, appointment: Appointment, reason: str) -> Appointment:
    """Cancel with a reason; the vet and the room are free again."""
    require(actor, Capability.APPOINTMENTS_MANAGE, appointment.location_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.for_field("reason", _("Say why the appointment is cancelled."))
    return _transition(
        actor=actor,
        appointment=appointment,
        target=Status.CANCELLED,
        action="appointment.cancel",
        cancel_reason=reason[:300],
        cancelled_at=timeutil.now(),
        ical_sequence=appointment.ical_sequence + 1,
    )


@transaction.atomic
def appointment_mark_no_show(*, actor: Any, appointment: Appointment) -> Appointment:
    """The patient did not come."""
    return _transition(
        actor=actor,
        appointment=appointment,
        target=Status.NO_SHOW,
        action="appointment.no_show",
        no_show_at=timeutil.now(),
    )


def can_overbook(*, actor: Any, location: Location) -> bool:
    """Whether the actor may overbook at the location (for showing the option)."""
    return has_capability(actor, Capability.APPOINTMENTS_OVERBOOK, location)
