import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from vetrisys.accounts.models import Room
from vetrisys.accounts.tests.factories import LocationFactory, RoomFactory, make_staff
from vetrisys.patients.tests.factories import PatientFactory
from vetrisys.scheduling import services
from vetrisys.scheduling.availability import free_slots
from vetrisys.scheduling.models import Shift, ShiftException
from vetrisys.scheduling.tests.factories import (
    LIMA,
    MONDAY,
    AppointmentTypeFactory,
    at,
    make_appointment,
)

PAST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _starts(slots, zone=LIMA):
    return [s.starts_at.astimezone(zone).strftime("%H:%M") for s in slots]


@pytest.fixture
def hour_type(world):
    return AppointmentTypeFactory(organization=world.org, duration_minutes=60)


def test_a_new_location_offers_monday_to_saturday_nine_to_seven(world, vet_a, hour_type):
    slots = free_slots(
        location=world.location_a, appointment_type=hour_type, day=MONDAY, step_minutes=60, now=PAST
    )
    assert _starts(slots) == [f"{h:02d}:00" for h in range(9, 19)]
    assert {s.vet for s in slots} == {vet_a}
    sunday = MONDAY + dt.timedelta(days=6)
    assert (
        free_slots(location=world.location_a, appointment_type=hour_type, day=sunday, now=PAST)
        == []
    )


def test_breaks_and_shifts_shape_the_day(world, admin, vet_a, hour_type):
    services.opening_hours_set(
        actor=admin,
        location=world.location_a,
        hours=[(0, dt.time(9), dt.time(13)), (0, dt.time(15), dt.time(19))],
    )
    slots = free_slots(
        location=world.location_a, appointment_type=hour_type, day=MONDAY, step_minutes=60, now=PAST
    )
    assert _starts(slots) == [
        "09:00",
        "10:00",
        "11:00",
        "12:00",
        "15:00",
        "16:00",
        "17:00",
        "18:00",
    ]
    services.shift_create(
        actor=admin, location=world.location_a, staff=vet_a, weekday=0,
        starts_at=dt.time(11), ends_at=dt.time(17),
    )  # fmt: skip
    slots = free_slots(
        location=world.location_a, appointment_type=hour_type, day=MONDAY, step_minutes=60, now=PAST
    )
    assert _starts(slots) == ["11:00", "12:00", "15:00", "16:00"]
    tuesday = MONDAY + dt.timedelta(days=1)
    assert (
        free_slots(location=world.location_a, appointment_type=hour_type, day=tuesday, now=PAST)
        == []
    )


def test_leave_holidays_and_extra_hours(world, admin, vet_a, hour_type):
    services.shift_exception_create(
        actor=admin, location=world.location_a, staff=vet_a, date=MONDAY, kind="leave",
        starts_at=dt.time(10), ends_at=dt.time(17),
    )  # fmt: skip
    slots = free_slots(
        location=world.location_a, appointment_type=hour_type, day=MONDAY, step_minutes=60, now=PAST
    )
    assert _starts(slots) == ["09:00", "17:00", "18:00"]
    tuesday = MONDAY + dt.timedelta(days=1)
    services.shift_exception_create(
        actor=admin, location=world.location_a, staff=vet_a, date=tuesday, kind="holiday"
    )
    assert (
        free_slots(location=world.location_a, appointment_type=hour_type, day=tuesday, now=PAST)
        == []
    )
    sunday = MONDAY + dt.timedelta(days=6)
    ShiftException.objects.create(
        organization=world.org, location=world.location_a, staff=vet_a, date=sunday,
        kind="extra", starts_at=dt.time(8), ends_at=dt.time(10),
    )  # fmt: skip
    slots = free_slots(
        location=world.location_a, appointment_type=hour_type, day=sunday, step_minutes=60, now=PAST
    )
    assert _starts(slots) == ["08:00", "09:00"]


def test_bookings_and_buffers_take_time_away(world, vet_a, hour_type):
    buffered = AppointmentTypeFactory(
        organization=world.org,
        duration_minutes=30,
        buffer_before_minutes=15,
        buffer_after_minutes=15,
    )
    make_appointment(
        location=world.location_a, patient=PatientFactory(client__organization=world.org),
        vet=vet_a, appointment_type=hour_type, starts_at=at(MONDAY, "11:00"),
    )  # fmt: skip
    slots = free_slots(
        location=world.location_a, appointment_type=buffered, day=MONDAY, step_minutes=15, now=PAST
    )
    morning = [s for s in _starts(slots) if s < "13:00"]
    # The booking holds 11:00-12:00; with 15 minutes either side, 10:15 is the last start before
    # it and 12:15 the first after. Buffers may reach outside the working time (08:45).
    assert morning == [
        "09:00",
        "09:15",
        "09:30",
        "09:45",
        "10:00",
        "10:15",
        "12:15",
        "12:30",
        "12:45",
    ]


def test_a_type_that_needs_a_room_gets_a_free_one(world, vet_a):
    surgery = AppointmentTypeFactory(
        organization=world.org, duration_minutes=120, requires_room_kind=Room.Kind.SURGERY
    )
    assert (
        free_slots(location=world.location_a, appointment_type=surgery, day=MONDAY, now=PAST) == []
    )
    theatre = RoomFactory(location=world.location_a, name="Quirófano", kind=Room.Kind.SURGERY)
    other_vet = make_staff(location=world.location_a, role="vet", username="vet_a2")
    make_appointment(
        location=world.location_a, patient=PatientFactory(client__organization=world.org),
        vet=other_vet, room=theatre, appointment_type=surgery, starts_at=at(MONDAY, "09:00"),
    )  # fmt: skip
    slots = free_slots(
        location=world.location_a, appointment_type=surgery, day=MONDAY, vet=vet_a,
        step_minutes=60, now=PAST,
    )  # fmt: skip
    assert _starts(slots) == ["11:00", "12:00", "13:00", "14:00", "15:00", "16:00", "17:00"]
    assert {s.room for s in slots} == {theatre}


def test_past_times_are_not_offered(world, vet_a, hour_type):
    now = at(MONDAY, "15:10")
    slots = free_slots(
        location=world.location_a, appointment_type=hour_type, day=MONDAY, step_minutes=60, now=now
    )
    assert _starts(slots) == ["16:00", "17:00", "18:00"]


# ---------------------------------------------------------------- daylight saving time

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def new_york(world):
    return LocationFactory(organization=world.org, name="Queens", time_zone="America/New_York")


def _night_shift(world, vet, location, day):
    ShiftException.objects.create(
        organization=world.org, location=location, staff=vet, date=day, kind="extra",
        starts_at=dt.time(1), ends_at=dt.time(4),
    )  # fmt: skip


def test_spring_forward_night_has_one_hour_less(world, new_york, hour_type):
    vet = make_staff(location=new_york, role="vet", username="vet_ny")
    spring = dt.date(2025, 3, 9)
    _night_shift(world, vet, new_york, spring)
    slots = free_slots(
        location=new_york, appointment_type=hour_type, day=spring, step_minutes=60, now=PAST
    )
    assert [s.starts_at for s in slots] == [
        dt.datetime(2025, 3, 9, 6, tzinfo=dt.UTC),  # 01:00 EST
        dt.datetime(2025, 3, 9, 7, tzinfo=dt.UTC),  # 03:00 EDT (02:00 does not exist)
    ]
    assert _starts(slots, NEW_YORK) == ["01:00", "03:00"]


def test_fall_back_night_has_one_hour_more(world, new_york, hour_type):
    vet = make_staff(location=new_york, role="vet", username="vet_ny")
    autumn = dt.date(2025, 11, 2)
    _night_shift(world, vet, new_york, autumn)
    slots = free_slots(
        location=new_york, appointment_type=hour_type, day=autumn, step_minutes=60, now=PAST
    )
    # 01:00 EDT to 04:00 EST lasts four hours: 01:00 comes twice.
    assert [s.starts_at.hour for s in slots] == [5, 6, 7, 8]
    assert _starts(slots, NEW_YORK) == ["01:00", "01:00", "02:00", "03:00"]


def test_opening_hours_stay_local_across_the_change(world, new_york, hour_type):
    make_staff(location=new_york, role="vet", username="vet_ny")
    saturday, monday = dt.date(2025, 3, 8), dt.date(2025, 3, 10)
    before = free_slots(location=new_york, appointment_type=hour_type, day=saturday, now=PAST)
    after = free_slots(location=new_york, appointment_type=hour_type, day=monday, now=PAST)
    assert before[0].starts_at == dt.datetime(2025, 3, 8, 14, tzinfo=dt.UTC)  # 09:00 EST
    assert after[0].starts_at == dt.datetime(2025, 3, 10, 13, tzinfo=dt.UTC)  # 09:00 EDT
    assert Shift.objects.count() == 0
