"""Appointments last a day at most, which lets every overlap query stay on a short range."""

import datetime as dt

import pytest

from vetrisys.core.errors import Conflict, ValidationFailed
from vetrisys.patients.tests.factories import PatientFactory
from vetrisys.scheduling import selectors, services
from vetrisys.scheduling.models import Appointment
from vetrisys.scheduling.tests.factories import MONDAY, AppointmentTypeFactory, at


@pytest.fixture
def hospitalization(world):
    return AppointmentTypeFactory(
        organization=world.org, name="Hospitalización", duration_minutes=60
    )


def _book(world, actor, vet, kind, starts_at, ends_at):
    return services.appointment_book(
        actor=actor,
        location=world.location_a,
        patient=PatientFactory(client__organization=world.org),
        vet=vet,
        appointment_type=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        allow_overlap=False,
    )


def test_an_appointment_longer_than_a_day_is_refused(world, receptionist_a, vet_a, hospitalization):
    with pytest.raises(ValidationFailed) as refused:
        _book(
            world, receptionist_a, vet_a, hospitalization,
            at(MONDAY, "09:00"), at(MONDAY, "09:00") + dt.timedelta(hours=24, minutes=15),
        )  # fmt: skip

    assert refused.value.fields == {"ends_at": ["An appointment lasts 24 hours at most."]}
    assert Appointment.objects.count() == 0


def test_an_overnight_stay_shows_on_the_next_day_and_still_blocks_the_vet(
    world, receptionist_a, admin, vet_a, hospitalization
):
    # given: from 20:00 on Monday to 19:00 on Tuesday (23 hours)
    stay = _book(
        world, receptionist_a, vet_a, hospitalization,
        at(MONDAY, "20:00"), at(MONDAY + dt.timedelta(days=1), "19:00"),
    )  # fmt: skip
    tuesday = MONDAY + dt.timedelta(days=1)

    # when
    calendar = selectors.day_calendar(actor=admin, location=world.location_a, day=tuesday)

    # then
    assert [a.pk for a in calendar.appointments] == [stay.pk]
    with pytest.raises(Conflict) as taken:
        _book(world, receptionist_a, vet_a, hospitalization, at(tuesday, "18:00"), None)
    assert taken.value.code == "slot_taken"
    assert taken.value.extra["blocking_appointment"]["id"] == str(stay.pk)
