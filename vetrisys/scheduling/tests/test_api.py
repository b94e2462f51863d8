import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client as HttpClient

from vetrisys.accounts.models import User
from vetrisys.patients.tests.factories import PatientFactory
from vetrisys.scheduling import selectors, services
from vetrisys.scheduling.models import Appointment, AppointmentType, Shift
from vetrisys.scheduling.tests.factories import MONDAY, AppointmentTypeFactory, at

API = "/api/v1"


def _as(user: User | None) -> HttpClient:
    http = HttpClient()
    if user is not None:
        http.force_login(user)
    return http


def _post(http: HttpClient, path: str, body: Any) -> Any:
    return http.post(f"{API}{path}", json.dumps(body), content_type="application/json")


@pytest.fixture
def consult(world):
    return AppointmentTypeFactory(organization=world.org, name="Consulta general")


@pytest.fixture
def rocky(world):
    return PatientFactory(client__organization=world.org, name="Rocky")


def _body(world, rocky, vet, consult, clock="10:00", **extra):
    return {
        "location": str(world.location_a.pk),
        "patient": str(rocky.pk),
        "vet": str(vet.pk),
        "appointment_type": str(consult.pk),
        "starts_at": at(MONDAY, clock).isoformat(),
        **extra,
    }


BOOK_STATUS = {
    "admin": 201, "manager_a": 201, "vet_a": 201, "receptionist_a": 201, "vet_b": 404,
    "outsider": 404,
}  # fmt: skip


@pytest.mark.parametrize("name", list(BOOK_STATUS))
def test_booking_permission_matrix(people, world, vet_a, rocky, consult, name):
    response = _post(_as(people[name]), "/appointments", _body(world, rocky, vet_a, consult))
    assert response.status_code == BOOK_STATUS[name], response.content
    assert Appointment.objects.count() == (1 if BOOK_STATUS[name] == 201 else 0)


def test_a_booking_answers_the_appointment(world, receptionist_a, vet_a, rocky, consult):
    response = _post(_as(receptionist_a), "/appointments", _body(world, rocky, vet_a, consult))
    assert response.status_code == 201
    body = response.json()
    assert body["starts_at"] == "2030-01-07T15:00:00Z"
    assert body["ends_at"] == "2030-01-07T15:30:00Z"
    assert body["status"] == "scheduled"
    assert body["patient"]["name"] == "Rocky"
    assert body["vet"] == {"id": str(vet_a.pk), "name": vet_a.display_name}
    assert body["appointment_type"]["name"] == "Consulta general"
    assert body["is_overbooked"] is False


def test_a_taken_slot_is_409_with_the_blocker(world, receptionist_a, vet_a, rocky, consult):
    http = _as(receptionist_a)
    first = _post(http, "/appointments", _body(world, rocky, vet_a, consult)).json()
    other = PatientFactory(client__organization=world.org, name="Luna")
    response = _post(http, "/appointments", _body(world, other, vet_a, consult, "10:15"))
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "slot_taken"
    assert body["extra"]["blocking_appointment"]["id"] == first["id"]
    assert body["extra"]["blocking_appointment"]["patient"] == "Rocky"
    assert Appointment.objects.count() == 1


def test_naive_datetimes_are_422(world, receptionist_a, vet_a, rocky, consult):
    body = _body(world, rocky, vet_a, consult)
    body["starts_at"] = "2030-01-07T10:00:00"
    response = _post(_as(receptionist_a), "/appointments", body)
    assert response.status_code == 422
    assert list(response.json()["extra"]["fields"]) == ["starts_at"]
    assert Appointment.objects.count() == 0


def test_overbooking_without_reason_is_422(world, vet_a, rocky, consult):
    http = _as(vet_a)
    _post(http, "/appointments", _body(world, rocky, vet_a, consult))
    response = _post(http, "/appointments", _body(world, rocky, vet_a, consult, allow_overlap=True))
    assert response.status_code == 422
    assert response.json()["extra"]["fields"] == {"overlap_reason": ["Say why this is overbooked."]}
    response = _post(
        http,
        "/appointments",
        _body(world, rocky, vet_a, consult, allow_overlap=True, overlap_reason="Urgent"),
    )
    assert response.status_code == 201
    assert response.json()["is_overbooked"] is True


TRANSITION_STATUS = {
    "admin": 200, "manager_a": 200, "vet_a": 200, "receptionist_a": 200, "vet_b": 404,
    "outsider": 404,
}  # fmt: skip


@pytest.mark.parametrize("name", list(TRANSITION_STATUS))
def test_check_in_matrix(people, world, receptionist_a, vet_a, rocky, consult, name):
    appointment = services.appointment_book(
        actor=receptionist_a, location=world.location_a, patient=rocky, vet=vet_a,
        appointment_type=consult, starts_at=at(MONDAY, "10:00"),
    )  # fmt: skip
    response = _post(_as(people[name]), f"/appointments/{appointment.pk}/check-in", {})
    assert response.status_code == TRANSITION_STATUS[name]
    expected = "checked_in" if TRANSITION_STATUS[name] == 200 else "scheduled"
    assert Appointment.objects.get(pk=appointment.pk).status == expected


def test_wrong_transitions_and_missing_reason(world, receptionist_a, vet_a, rocky, consult):
    appointment = services.appointment_book(
        actor=receptionist_a, location=world.location_a, patient=rocky, vet=vet_a,
        appointment_type=consult, starts_at=at(MONDAY, "10:00"),
    )  # fmt: skip
    http = _as(receptionist_a)
    response = _post(http, f"/appointments/{appointment.pk}/complete", {})
    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")
    response = _post(http, f"/appointments/{appointment.pk}/cancel", {})
    assert response.status_code == 422
    response = _post(http, f"/appointments/{appointment.pk}/cancel", {"reason": "Rain"})
    assert (response.status_code, response.json()["cancel_reason"]) == (200, "Rain")


def test_reschedule_by_patch(world, receptionist_a, vet_a, rocky, consult):
    appointment = services.appointment_book(
        actor=receptionist_a, location=world.location_a, patient=rocky, vet=vet_a,
        appointment_type=consult, starts_at=at(MONDAY, "10:00"),
    )  # fmt: skip
    response = _as(receptionist_a).patch(
        f"{API}/appointments/{appointment.pk}",
        json.dumps({"starts_at": at(MONDAY, "16:00").isoformat()}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert (response.json()["starts_at"], response.json()["ends_at"]) == (
        "2030-01-07T21:00:00Z", "2030-01-07T21:30:00Z"
    )  # fmt: skip


def test_other_organizations_get_404(world, outsider, receptionist_a, vet_a, rocky, consult):
    appointment = services.appointment_book(
        actor=receptionist_a, location=world.location_a, patient=rocky, vet=vet_a,
        appointment_type=consult, starts_at=at(MONDAY, "10:00"),
    )  # fmt: skip
    http = _as(outsider)
    assert http.get(f"{API}/appointments/{appointment.pk}").status_code == 404
    assert http.get(f"{API}/appointments").json() == {"items": [], "count": 0}
    assert http.get(f"{API}/locations/{world.location_a.pk}/opening-hours").status_code == 404
    response = http.patch(
        f"{API}/appointment-types/{consult.pk}", json.dumps({"name": "X"}),
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 404
    assert AppointmentType.objects.get(pk=consult.pk).name == "Consulta general"


def test_opening_hours_default_then_set(world, manager_a, receptionist_a):
    path = f"{API}/locations/{world.location_a.pk}/opening-hours"
    default = _as(receptionist_a).get(path).json()
    assert default[0] == {"weekday": 0, "opens_at": "09:00", "closes_at": "19:00"}
    assert len(default) == 6
    week = [
        {"weekday": 0, "opens_at": "09:00", "closes_at": "13:00"},
        {"weekday": 0, "opens_at": "15:00", "closes_at": "19:00"},
    ]
    denied = _as(receptionist_a).put(path, json.dumps(week), content_type="application/json")
    assert denied.status_code == 403
    response = _as(manager_a).put(path, json.dumps(week), content_type="application/json")
    assert response.status_code == 200
    assert _as(receptionist_a).get(path).json() == week


def test_shifts_and_exceptions(world, manager_a, receptionist_a, vet_a):
    body = {
        "staff": str(vet_a.pk), "location": str(world.location_a.pk), "weekday": 1,
        "starts_at": "09:00", "ends_at": "17:00",
    }  # fmt: skip
    assert _post(_as(receptionist_a), "/shifts", body).status_code == 403
    created = _post(_as(manager_a), "/shifts", body)
    assert created.status_code == 201
    assert created.json()["starts_at"] == "09:00"
    listed = _as(receptionist_a).get(f"{API}/shifts").json()
    assert listed["count"] == 1
    exception = {
        "staff": str(vet_a.pk), "location": str(world.location_a.pk), "date": "2030-01-08",
        "kind": "leave",
    }  # fmt: skip
    assert _post(_as(manager_a), "/shift-exceptions", exception).status_code == 201
    response = _as(manager_a).delete(f"{API}/shifts/{created.json()['id']}")
    assert response.status_code == 204
    assert Shift.objects.count() == 0


def test_appointment_types_create_and_patch(world, manager_a, receptionist_a):
    body = {"name": "Vacunación", "duration_minutes": 15, "color": "#198754", "species": ["dog"]}
    assert _post(_as(receptionist_a), "/appointment-types", body).status_code == 403
    created = _post(_as(manager_a), "/appointment-types", body)
    assert created.status_code == 201
    assert created.json()["duration_minutes"] == 15
    assert len(created.json()["species"]) == 1
    response = _as(manager_a).patch(
        f"{API}/appointment-types/{created.json()['id']}",
        json.dumps({"duration_minutes": 20, "buffer_after_minutes": 5}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert (response.json()["duration_minutes"], response.json()["buffer_after_minutes"]) == (20, 5)


def test_availability_endpoint(world, receptionist_a, vet_a, consult):
    response = _as(receptionist_a).get(
        f"{API}/availability",
        {"location": str(world.location_a.pk), "appointment_type": str(consult.pk),
         "date": "2030-01-07", "step_minutes": 60},
    )  # fmt: skip
    assert response.status_code == 200
    slots = response.json()
    assert len(slots) == 10
    assert slots[0] == {
        "starts_at": "2030-01-07T14:00:00Z",
        "ends_at": "2030-01-07T14:30:00Z",
        "vet": {"id": str(vet_a.pk), "name": vet_a.display_name},
        "room": None,
    }


# ---------------------------------------------------------------- query counts


def _fill(world, receptionist_a, vet_a, consult, count, first="09:00"):
    for index in range(count):
        services.appointment_book(
            actor=receptionist_a,
            location=world.location_a,
            patient=PatientFactory(client__organization=world.org),
            vet=vet_a,
            appointment_type=consult,
            starts_at=at(MONDAY, first) + dt.timedelta(minutes=30 * index),
        )


LIST_PATHS = ["/appointments", "/shifts", "/shift-exceptions", "/appointment-types"]


@pytest.mark.parametrize("path", LIST_PATHS)
def test_list_queries_do_not_grow(world, manager_a, receptionist_a, vet_a, consult, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    http = _as(receptionist_a)
    _fill(world, receptionist_a, vet_a, consult, 2)
    services.shift_create(
        actor=manager_a, location=world.location_a, staff=vet_a, weekday=0,
        starts_at=dt.time(8), ends_at=dt.time(20),
    )  # fmt: skip
    http.get(f"{API}{path}")  # warm the session
    with CaptureQueriesContext(connection) as few:
        assert http.get(f"{API}{path}").status_code == 200
    _fill(world, receptionist_a, vet_a, consult, 6, first="13:00")
    for weekday in range(1, 5):
        services.shift_create(
            actor=manager_a, location=world.location_a, staff=vet_a, weekday=weekday,
            starts_at=dt.time(8), ends_at=dt.time(20),
        )  # fmt: skip
        services.shift_exception_create(
            actor=manager_a, location=world.location_a, staff=vet_a,
            date=MONDAY + dt.timedelta(days=weekday), kind="leave",
        )  # fmt: skip
        AppointmentTypeFactory(organization=world.org).species.set([rocky_species()])
    with CaptureQueriesContext(connection) as many:
        response = http.get(f"{API}{path}")
    assert response.status_code == 200
    assert response.json()["count"] > 1
    assert len(many) == len(few)


def rocky_species():
    from vetrisys.patients.tests.factories import species

    return species("dog")


@pytest.mark.parametrize("group_by", ["vet", "room", "type"])
def test_day_calendar_queries_are_fixed(world, receptionist_a, vet_a, consult, group_by):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _fill(world, receptionist_a, vet_a, consult, 2)
    with CaptureQueriesContext(connection) as few:
        day = selectors.day_calendar(
            actor=receptionist_a, location=world.location_a, day=MONDAY, group_by=group_by
        )
    assert len(day.appointments) == 2
    for index in range(8):
        services.appointment_book(
            actor=receptionist_a, location=world.location_a,
            patient=PatientFactory(client__organization=world.org), vet=vet_a,
            appointment_type=AppointmentTypeFactory(organization=world.org),
            starts_at=at(MONDAY, "13:00") + dt.timedelta(minutes=30 * index),
        )  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        day = selectors.day_calendar(
            actor=receptionist_a, location=world.location_a, day=MONDAY, group_by=group_by
        )
    assert len(day.appointments) == 10
    assert len(many) == len(few)
    assert len(few) <= 9


def test_week_calendar_and_waiting_room_queries_are_fixed(world, receptionist_a, vet_a, consult):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _fill(world, receptionist_a, vet_a, consult, 1)
    with CaptureQueriesContext(connection) as few:
        selectors.week_calendar(
            actor=receptionist_a, location=world.location_a, vet=vet_a, week_start=MONDAY
        )
        selectors.waiting_room(actor=receptionist_a, location=world.location_a)
    _fill(world, receptionist_a, vet_a, consult, 0)
    for index in range(5):
        services.appointment_book(
            actor=receptionist_a, location=world.location_a,
            patient=PatientFactory(client__organization=world.org), vet=vet_a,
            appointment_type=consult,
            starts_at=at(MONDAY + dt.timedelta(days=index % 3 + 1), f"{10 + index}:00"),
        )  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        week = selectors.week_calendar(
            actor=receptionist_a, location=world.location_a, vet=vet_a, week_start=MONDAY
        )
        selectors.waiting_room(actor=receptionist_a, location=world.location_a)
    assert sum(len(d.appointments) for d in week.days) == 6
    assert len(many) == len(few)
