"""Chain-scale schedule: 20 locations, 60 vets with shifts, and years of appointments.

    python bench/generate_schedule.py --seed 7 --years 10

Runs on the organization `generate.py` made (it is also that script's last step). Adds the
locations, rooms, vets (three per location, with a vet membership and weekly shifts) and
appointment types that are missing, then ~12 back-to-back appointments per vet per working
day (half a day on Saturdays) from `--years` ago to a year ahead, through PostgreSQL COPY
(bulk_create elsewhere). Past appointments are completed, cancelled or no-shows, future ones
scheduled (a few cancelled); a vet's or a room's active appointments never overlap, so the
exclusion constraints accept them. Patients and their owners are the generated ones.
Deterministic from the seed (ids are fresh UUIDv7s).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import sys
import time
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from _setup import django_setup

LOCATIONS = 20
VETS_PER_LOCATION = 3
APPOINTMENTS_PER_DAY = 12
DAYS_AHEAD = 365
COPY_ROWS = 100_000

BRANCHES = [
    "Miraflores", "San Isidro", "Surco", "San Borja", "Jesús María", "Lince", "Los Olivos",
    "Barranco", "La Molina", "Pueblo Libre", "Magdalena", "San Miguel", "Chorrillos", "Callao",
    "Cayma", "Yanahuara", "Cusco", "Trujillo", "Piura", "Chiclayo",
]  # fmt: skip
# (name, minutes, color, room kind needed, buffer after) as the demo offers them.
TYPES = [
    ("Consulta general", 30, "#0d6efd", "", 0),
    ("Vacunación", 15, "#198754", "", 0),
    ("Control", 20, "#6f42c1", "", 0),
    ("Cirugía", 90, "#dc3545", "surgery", 15),
    ("Ecografía", 30, "#fd7e14", "imaging", 0),
    ("Baño y corte", 60, "#20c997", "grooming", 0),
]
# Each location's rooms; the n-th vet of a location uses the n-th exam room and, for the
# type that needs one, the n-th special room (so no room is shared by two vets at once).
EXAM_ROOMS = ["Consultorio 1", "Consultorio 2", "Consultorio 3"]
SPECIAL_ROOMS = [("Quirófano", "surgery"), ("Ecografía", "imaging"), ("Peluquería", "grooming")]
# The n-th vet of a location starts at 09:00, 10:00 or 11:00 for eight hours on weekdays;
# all of them work 09:00-13:00 on Saturdays.
WEEKDAY_STARTS = [dt.time(9), dt.time(10), dt.time(11)]
WEEKDAY_HOURS = 8
SATURDAY = (dt.time(9), dt.time(13))
NOTES = ["", "", "", "Vómitos desde ayer", "Cojea de la pata trasera", "Revisión de piel"]
COLUMNS = [
    "id", "created_at", "updated_at", "version", "organization_id", "location_id", "patient_id",
    "client_id", "vet_id", "room_id", "appointment_type_id", "starts_at", "ends_at", "busy_from",
    "busy_until", "status", "notes", "is_overbooked", "overbook_reason", "cancel_reason",
    "checked_in_at", "started_at", "completed_at", "cancelled_at", "no_show_at", "ical_sequence",
]  # fmt: skip


@dataclass(frozen=True)
class VetDesk:
    """One vet at one location: where they work and which rooms and types they use."""

    location_id: Any
    zone: ZoneInfo
    vet_id: Any
    exam_room_id: Any
    special_room_id: Any
    special_type: Any
    weekday_start: dt.time


def _locations(organization: Any) -> list[Any]:
    from vetrisys.accounts.models import Location

    have = list(Location.objects.filter(organization=organization).order_by("created_at", "id"))
    names = {location.name for location in have}
    missing = [f"Sede {b}" for b in BRANCHES if f"Sede {b}" not in names]
    first = have[0] if have else None
    Location.objects.bulk_create(
        Location(
            organization=organization,
            name=name,
            time_zone=first.time_zone if first else "America/Lima",
            currency=first.currency if first else "PEN",
            tax_rate=first.tax_rate if first else 18,
        )
        for name in missing[: max(0, LOCATIONS - len(have))]
    )
    return list(Location.objects.filter(organization=organization).order_by("created_at", "id"))[
        :LOCATIONS
    ]


def _rooms(organization: Any, location: Any) -> tuple[list[Any], list[Any]]:
    from vetrisys.accounts.models import Room

    wanted = [(name, "exam") for name in EXAM_ROOMS] + SPECIAL_ROOMS
    have = {room.name: room for room in Room.objects.filter(location=location)}
    Room.objects.bulk_create(
        Room(organization=organization, location=location, name=name, kind=kind)
        for name, kind in wanted
        if name not in have
    )
    have = {room.name: room for room in Room.objects.filter(location=location)}
    return [have[name] for name in EXAM_ROOMS], [have[name] for name, _ in SPECIAL_ROOMS]


def _vets(organization: Any, location: Any, first_number: int) -> list[Any]:
    from vetrisys.accounts.models import Role, StaffMembership, User
    from vetrisys.scheduling.models import Shift

    role = Role.objects.get(organization=organization, key="vet")
    vets = []
    for offset in range(VETS_PER_LOCATION):
        number = first_number + offset
        vet, created = User.objects.get_or_create(
            username=f"bench_vet_{number:02d}",
            defaults={
                "organization": organization,
                "first_name": f"Vet {number:02d}",
                "last_name": location.name,
            },
        )
        if created:
            vet.set_unusable_password()
            vet.save(update_fields=["password"])
        StaffMembership.objects.get_or_create(
            organization=organization, user=vet, location=location, role=role
        )
        if not Shift.objects.filter(staff=vet, location=location).exists():
            start = WEEKDAY_STARTS[offset]
            end = dt.time(start.hour + WEEKDAY_HOURS)
            Shift.objects.bulk_create(
                [
                    *(
                        Shift(
                            organization=organization,
                            location=location,
                            staff=vet,
                            weekday=weekday,
                            starts_at=start,
                            ends_at=end,
                        )
                        for weekday in range(5)
                    ),
                    Shift(
                        organization=organization,
                        location=location,
                        staff=vet,
                        weekday=5,
                        starts_at=SATURDAY[0],
                        ends_at=SATURDAY[1],
                    ),
                ]
            )
        vets.append(vet)
    return vets


def _types(organization: Any) -> dict[str, Any]:
    from vetrisys.scheduling.models import AppointmentType

    have = {t.name: t for t in AppointmentType.objects.filter(organization=organization)}
    AppointmentType.objects.bulk_create(
        AppointmentType(
            organization=organization,
            name=name,
            duration_minutes=minutes,
            color=color,
            requires_room_kind=kind,
            buffer_after_minutes=after,
            online_bookable=not kind,
        )
        for name, minutes, color, kind, after in TYPES
        if name not in have
    )
    return {t.name: t for t in AppointmentType.objects.filter(organization=organization)}


def _desks(organization: Any) -> tuple[list[VetDesk], dict[str, Any]]:
    types = _types(organization)
    by_kind = {t.requires_room_kind: t for t in types.values() if t.requires_room_kind}
    desks = []
    for index, location in enumerate(_locations(organization)):
        exam_rooms, special_rooms = _rooms(organization, location)
        vets = _vets(organization, location, index * VETS_PER_LOCATION + 1)
        for offset, vet in enumerate(vets):
            special = special_rooms[offset]
            desks.append(
                VetDesk(
                    location_id=location.pk,
                    zone=ZoneInfo(location.time_zone),
                    vet_id=vet.pk,
                    exam_room_id=exam_rooms[offset].pk,
                    special_room_id=special.pk,
                    special_type=by_kind[special.kind],
                    weekday_start=WEEKDAY_STARTS[offset],
                )
            )
    return desks, types


def _stamp(value: dt.datetime | None) -> str:
    return "\\N" if value is None else value.isoformat()


def _day_rows(
    desk: VetDesk,
    day: dt.date,
    *,
    rng: random.Random,
    common: list[Any],
    patients: list[tuple[Any, Any]],
    organization_id: Any,
    now: dt.datetime,
) -> list[str]:
    """One vet's working day as COPY lines: back-to-back appointments from the shift start."""
    from vetrisys.core.ids import uuid7

    if day.weekday() == 5:
        opens, closes, wanted = SATURDAY[0], SATURDAY[1], APPOINTMENTS_PER_DAY // 2
    else:
        opens, wanted = desk.weekday_start, APPOINTMENTS_PER_DAY
        closes = dt.time(opens.hour + WEEKDAY_HOURS)
    at = dt.datetime.combine(day, opens, tzinfo=desk.zone).astimezone(dt.UTC)
    end_of_shift = dt.datetime.combine(day, closes, tzinfo=desk.zone).astimezone(dt.UTC)
    lines = []
    for _ in range(wanted):
        special = rng.random() < 0.15
        kind = desk.special_type if special else rng.choices(common, weights=(45, 20, 20))[0]
        busy_from = at
        starts_at = busy_from + dt.timedelta(minutes=kind.buffer_before_minutes)
        ends_at = starts_at + dt.timedelta(minutes=kind.duration_minutes)
        busy_until = ends_at + dt.timedelta(minutes=kind.buffer_after_minutes)
        if busy_until > end_of_shift:
            break
        at = busy_until + dt.timedelta(minutes=rng.choice((0, 0, 0, 15)))
        patient_id, client_id = patients[rng.randrange(len(patients))]
        draw = rng.random()
        checked_in = started = completed = cancelled = no_show = None
        cancel_reason = ""
        if ends_at <= now:
            if draw < 0.80:
                status = "completed"
                checked_in = starts_at - dt.timedelta(minutes=rng.randrange(0, 20))
                started, completed = starts_at, ends_at
            elif draw < 0.90:
                status, cancelled, cancel_reason = (
                    "cancelled",
                    starts_at - dt.timedelta(days=1),
                    "-",
                )
            else:
                status, no_show = "no_show", ends_at
        elif draw < 0.05:
            status, cancelled, cancel_reason = "cancelled", now, "-"
        else:
            status = "scheduled"
        created_at = starts_at - dt.timedelta(days=rng.randrange(0, 21), hours=3)
        room_id = desk.special_room_id if special else desk.exam_room_id
        row = [
            str(uuid7()), created_at.isoformat(), created_at.isoformat(), "1",
            str(organization_id), str(desk.location_id), str(patient_id), str(client_id),
            str(desk.vet_id), str(room_id), str(kind.pk), starts_at.isoformat(),
            ends_at.isoformat(), busy_from.isoformat(), busy_until.isoformat(), status,
            rng.choice(NOTES), "f", "", cancel_reason, _stamp(checked_in), _stamp(started),
            _stamp(completed), _stamp(cancelled), _stamp(no_show), "0",
        ]  # fmt: skip
        lines.append("\t".join(row))
    return lines


def _copy(lines: list[str]) -> None:
    from django.db import connection

    buffer = io.StringIO()
    buffer.write("\n".join(lines))
    buffer.write("\n")
    with connection.cursor() as cursor, cursor.connection.cursor() as raw:
        columns = ", ".join(COLUMNS)
        with raw.copy(f"COPY scheduling_appointment ({columns}) FROM STDIN") as copy:
            copy.write(buffer.getvalue())


def _bulk_create(lines: list[str]) -> None:
    from vetrisys.scheduling.models import Appointment

    rows = []
    for line in lines:
        values = dict(zip(COLUMNS, line.split("\t"), strict=True))
        fields = {
            name: (None if value == "\\N" else value)
            for name, value in values.items()
            if name not in ("is_overbooked", "version", "ical_sequence")
        }
        rows.append(Appointment(**fields))
    Appointment.objects.bulk_create(rows, batch_size=5000)


def generate_schedule(ctx: Any) -> int:
    """Locations, rooms, vets, shifts, types, then the appointments of `ctx.years` years."""
    from django.db import connection
    from django.utils import timezone

    from vetrisys.patients.models import Patient

    organization = ctx.organization
    desks, types = _desks(organization)
    common = [types["Consulta general"], types["Vacunación"], types["Control"]]
    patients = list(
        Patient.objects.filter(organization=organization).order_by("id").values_list("id", "client")
    )
    if not patients:
        return 0
    now = timezone.now()
    today = now.date()
    first = today - dt.timedelta(days=round(365.25 * ctx.years))
    last = today + dt.timedelta(days=DAYS_AHEAD)
    write = _copy if connection.vendor == "postgresql" else _bulk_create
    rng = random.Random(ctx.seed + 2)
    pending: list[str] = []
    made, day, started = 0, first, time.perf_counter()
    while day <= last:
        if day.weekday() != 6:
            for desk in desks:
                pending += _day_rows(
                    desk,
                    day,
                    rng=rng,
                    common=common,
                    patients=patients,
                    organization_id=organization.pk,
                    now=now,
                )
        if len(pending) >= COPY_ROWS or (day == last and pending):
            write(pending)
            made += len(pending)
            pending = []
            rate = made / (time.perf_counter() - started)
            sys.stdout.write(f"  appointments: {made} up to {day} ({rate:,.0f} rows/s)\n")
            sys.stdout.flush()
        day += dt.timedelta(days=1)
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--years", type=float, default=10, help="years of history before today")
    parser.add_argument("--organization", default="Cadena Benchmark")
    args = parser.parse_args(argv)

    django_setup()
    from django.core.management import call_command
    from django.db import connection
    from generate import Context

    from vetrisys.accounts.models import Organization
    from vetrisys.scheduling.models import Appointment

    call_command("migrate", interactive=False, verbosity=0)
    organization = Organization.objects.filter(name=args.organization).first()
    if organization is None:
        sys.stderr.write("No benchmark organization: run bench/generate.py first.\n")
        return 1
    if Appointment.objects.filter(organization=organization).exists():
        sys.stderr.write(f"{args.organization!r} already has appointments.\n")
        return 1
    ctx = Context(organization, args.seed, 0, 0, years=args.years)
    started = time.perf_counter()
    count = generate_schedule(ctx)
    elapsed = time.perf_counter() - started
    sys.stdout.write(f"schedule: {count} rows in {elapsed:.1f} s ({count / elapsed:,.0f} rows/s)\n")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    sys.stdout.write(f"done in {time.perf_counter() - started:.1f} s\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
