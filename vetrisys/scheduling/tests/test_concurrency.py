"""Fifty people booking the same vet, or the same room, at the same moment: exactly one wins."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from vetrisys.accounts.models import Room
from vetrisys.accounts.tests.factories import RoomFactory, make_staff
from vetrisys.core.errors import Conflict
from vetrisys.patients.tests.factories import PatientFactory
from vetrisys.scheduling import services
from vetrisys.scheduling.models import Appointment
from vetrisys.scheduling.tests.factories import MONDAY, AppointmentTypeFactory, at

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif("connection.vendor != 'postgresql'"),
    pytest.mark.django_db(transaction=True),
]

CALLERS = 50


def _race(book) -> tuple[int, list[str], list[BaseException]]:
    barrier = threading.Barrier(CALLERS)
    lock = threading.Lock()
    successes: list[int] = []
    conflicts: list[str] = []
    errors: list[BaseException] = []

    def attempt(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            book(index)
            with lock:
                successes.append(index)
        except Conflict as error:
            with lock:
                conflicts.append(error.code)
        except BaseException as error:  # the assertion below reports it
            with lock:
                errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(CALLERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return len(successes), conflicts, errors


def test_fifty_bookings_of_one_vet_slot_make_exactly_one(world, receptionist_a, vet_a):
    consult = AppointmentTypeFactory(organization=world.org)
    patients = [PatientFactory(client__organization=world.org) for _ in range(CALLERS)]

    def book(index: int) -> None:
        services.appointment_book(
            actor=receptionist_a, location=world.location_a, patient=patients[index],
            vet=vet_a, appointment_type=consult, starts_at=at(MONDAY, "10:00"),
        )  # fmt: skip

    won, conflicts, errors = _race(book)
    assert errors == []
    assert (won, conflicts) == (1, ["slot_taken"] * (CALLERS - 1))
    assert Appointment.objects.filter(vet=vet_a).count() == 1
    assert connection.vendor == "postgresql"


def test_fifty_bookings_of_one_room_by_different_vets_make_exactly_one(world, receptionist_a):
    theatre = RoomFactory(location=world.location_a, name="Quirófano", kind=Room.Kind.SURGERY)
    surgery = AppointmentTypeFactory(organization=world.org, duration_minutes=90)
    vets = [
        make_staff(location=world.location_a, role="vet", username=f"vet{i}")
        for i in range(CALLERS)
    ]
    patients = [PatientFactory(client__organization=world.org) for _ in range(CALLERS)]

    def book(index: int) -> None:
        services.appointment_book(
            actor=receptionist_a, location=world.location_a, patient=patients[index],
            vet=vets[index], room=theatre, appointment_type=surgery,
            starts_at=at(MONDAY, "10:00"),
        )  # fmt: skip

    won, conflicts, errors = _race(book)
    assert errors == []
    assert (won, conflicts) == (1, ["slot_taken"] * (CALLERS - 1))
    assert Appointment.objects.filter(room=theatre).count() == 1
