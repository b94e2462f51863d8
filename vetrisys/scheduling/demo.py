"""Demo scheduling: appointment types, the vets' shifts, and a realistic week of bookings at
every location (yesterday done or missed, today under way, the rest of the week booked).

Idempotent: types and shifts are created when missing; bookings only when the organization
has none yet.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any
from zoneinfo import ZoneInfo

from vetrisys.accounts.models import Location, Organization, Room
from vetrisys.core import timeutil
from vetrisys.core.errors import Conflict
from vetrisys.patients.models import Patient
from vetrisys.scheduling import services
from vetrisys.scheduling.availability import bookable_staff
from vetrisys.scheduling.models import Appointment, AppointmentType, Shift

# (name, minutes, color, room kind needed, buffer after)
TYPES = [
    ("Consulta general", 30, "#0d6efd", "", 0),
    ("Vacunación", 15, "#198754", "", 0),
    ("Control", 20, "#6f42c1", "", 0),
    ("Cirugía", 90, "#dc3545", Room.Kind.SURGERY, 15),
    ("Ecografía", 30, "#fd7e14", Room.Kind.IMAGING, 0),
    ("Baño y corte", 60, "#20c997", Room.Kind.GROOMING, 0),
]
REASONS = ["Vómitos desde ayer", "Cojea de la pata trasera", "Control post vacuna",
           "Revisión de piel", "No quiere comer", ""]  # fmt: skip


def load(*, organization: Organization, admin: Any, locations: list[Location]) -> None:
    """Create the demo types, shifts and bookings that are missing."""
    kinds = set(Room.objects.filter(location__in=locations).values_list("kind", flat=True))
    types = _types(organization, admin, kinds)
    for location in locations:
        _shifts(admin, location)
    if Appointment.objects.filter(organization=organization).exists():
        return
    patients = list(
        Patient.objects.filter(organization=organization, deceased_on__isnull=True)[:80]
    )
    rng = random.Random(4)
    for location in locations:
        _week(admin, location, types, patients, rng)


def _types(organization: Organization, admin: Any, kinds: set[str]) -> list[AppointmentType]:
    found = {t.name: t for t in AppointmentType.objects.filter(organization=organization)}
    for name, minutes, color, kind, after in TYPES:
        if name in found or (kind and kind not in kinds):
            continue
        found[name] = services.appointment_type_create(
            actor=admin, name=name, duration_minutes=minutes, color=color,
            requires_room_kind=kind, buffer_after_minutes=after, online_bookable=not kind,
        )  # fmt: skip
    return list(found.values())


def _shifts(admin: Any, location: Location) -> None:
    for index, vet in enumerate(bookable_staff(location)):
        if Shift.objects.filter(location=location, staff=vet).exists():
            continue
        # The first vet opens, the second closes; both overlap at midday.
        start, end = (dt.time(9), dt.time(16)) if index % 2 == 0 else (dt.time(12), dt.time(19))
        for weekday in range(5):
            services.shift_create(
                actor=admin, location=location, staff=vet, weekday=weekday,
                starts_at=start, ends_at=end,
            )  # fmt: skip
        services.shift_create(
            actor=admin, location=location, staff=vet, weekday=5,
            starts_at=dt.time(9), ends_at=dt.time(13),
        )  # fmt: skip


def _week(
    admin: Any,
    location: Location,
    types: list[AppointmentType],
    patients: list[Patient],
    rng: random.Random,
) -> None:
    from vetrisys.scheduling.availability import free_slots

    if not patients:
        return
    zone = ZoneInfo(location.time_zone)
    today = timeutil.today_in(location.time_zone)
    now = timeutil.now()
    simple = [t for t in types if not t.requires_room_kind] or types
    for offset in range(-1, 6):
        day = today + dt.timedelta(days=offset)
        for kind in rng.sample(types, k=len(types)):
            slots = free_slots(
                location=location, appointment_type=kind, day=day,
                now=dt.datetime.combine(day, dt.time(0), tzinfo=zone),
            )  # fmt: skip
            wanted = 4 if kind in simple else 1
            for slot in rng.sample(slots, k=min(wanted, len(slots))):
                try:
                    appointment = services.appointment_book(
                        actor=admin, location=location, patient=rng.choice(patients),
                        vet=slot.vet, appointment_type=kind, starts_at=slot.starts_at,
                        room=slot.room, notes=rng.choice(REASONS),
                    )  # fmt: skip
                except Conflict:
                    continue
                _advance(admin, appointment, now, rng)


def _advance(admin: Any, appointment: Appointment, now: dt.datetime, rng: random.Random) -> None:
    """Move past and current bookings along the front-desk flow."""
    if appointment.ends_at <= now:
        if rng.random() < 0.15:
            services.appointment_mark_no_show(actor=admin, appointment=appointment)
            return
        appointment = services.appointment_check_in(actor=admin, appointment=appointment)
        appointment = services.appointment_start(actor=admin, appointment=appointment)
        services.appointment_complete(actor=admin, appointment=appointment)
    elif appointment.starts_at <= now:
        appointment = services.appointment_check_in(actor=admin, appointment=appointment)
        services.appointment_start(actor=admin, appointment=appointment)
    elif appointment.starts_at <= now + dt.timedelta(minutes=45):
        services.appointment_check_in(actor=admin, appointment=appointment)
