"""The dashboard's "today" card counts the current location's appointments by status."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from vetrisys.core import timeutil
from vetrisys.patients.tests.factories import PatientFactory
from vetrisys.scheduling.models import Appointment
from vetrisys.scheduling.tests.factories import AppointmentTypeFactory, at, make_appointment

S = Appointment.Status


def _book_today(world, vet, location, statuses, first_slot=0):
    kind = AppointmentTypeFactory(organization=world.org)
    patient = PatientFactory(organization=world.org)
    today = timeutil.today_in(location.time_zone)
    for index, status in enumerate(statuses):
        make_appointment(
            location=location,
            patient=patient,
            vet=vet,
            appointment_type=kind,
            starts_at=at(today, "00:00") + dt.timedelta(minutes=30 * (first_slot + index)),
            status=status,
        )


def test_the_card_counts_today_by_status(client, world, receptionist_a, vet_a, vet_b):
    # given: today at A, and more at B that A's desk must not count
    _book_today(
        world, vet_a, world.location_a,
        [S.SCHEDULED, S.SCHEDULED, S.CHECKED_IN, S.IN_PROGRESS, S.COMPLETED, S.CANCELLED],
    )  # fmt: skip
    _book_today(world, vet_b, world.location_b, [S.CHECKED_IN, S.CHECKED_IN])
    client.force_login(receptionist_a)

    # when
    response = client.get("/")

    # then
    assert response.status_code == 200
    assert response.context["total"] == 5
    assert (response.context["waiting"], response.context["in_progress"]) == (1, 1)
    assert response.context["to_come"] == 2
    assert response.context["counts"]["cancelled"] == 1
    html = response.content.decode()
    assert "data-today-total>5</p>" in html
    assert "<span data-today-waiting>1 waiting</span>" in html


def test_the_card_is_hidden_without_the_calendar(client, world, admin):
    from vetrisys.accounts.tests.factories import make_staff

    cashier = make_staff(location=world.location_a, role="cashier", username="caja_a")
    client.force_login(cashier)

    response = client.get("/")

    assert response.status_code == 200
    assert "data-today-card" not in response.content.decode()


def _queries_of_the_dashboard(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    return len(captured.captured_queries)


def test_the_card_costs_the_same_queries_however_busy_the_day(client, world, receptionist_a, vet_a):
    client.force_login(receptionist_a)
    _book_today(world, vet_a, world.location_a, [S.SCHEDULED])
    client.get("/")  # the first request after login also refreshes the session
    quiet = _queries_of_the_dashboard(client)

    _book_today(
        world, vet_a, world.location_a, [S.SCHEDULED] * 10 + [S.COMPLETED] * 5, first_slot=1
    )

    assert _queries_of_the_dashboard(client) == quiet
