import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from vetrisys.accounts.models import User
from vetrisys.accounts.tests.factories import RoomFactory, make_staff
from vetrisys.audit.models import AuditEvent
from vetrisys.patients.models import Patient
from vetrisys.patients.tests.factories import PatientFactory
from vetrisys.scheduling import services
from vetrisys.scheduling.models import Appointment, AppointmentType

LIMA = ZoneInfo("America/Lima")
MONDAY = dt.date(2030, 1, 7)


def _at(hour: int, minute: int = 0, day: dt.date = MONDAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LIMA)


def _as(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def cashier_a(world) -> User:
    return make_staff(location=world.location_a, role="cashier", username="cashier_a")


@pytest.fixture
def consult(admin) -> AppointmentType:
    return services.appointment_type_create(
        actor=admin, name="Consulta", duration_minutes=30, color="#198754"
    )


@pytest.fixture
def rocky(world) -> Patient:
    return PatientFactory(
        client__organization=world.org, name="Rocky", alerts=["aggressive"], allergies="Penicilina"
    )


def _book(actor, world, patient, vet, appointment_type, starts_at, **extra) -> Appointment:
    return services.appointment_book(
        actor=actor,
        location=world.location_a,
        patient=patient,
        vet=vet,
        appointment_type=appointment_type,
        starts_at=starts_at,
        **extra,
    )


# ---------------------------------------------------------------- who may see what

PAGES = ["scheduling:day", "scheduling:week", "scheduling:waiting_room", "scheduling:type_list"]
PAGE_STATUS = {
    "admin": 200, "manager_a": 200, "vet_a": 200, "receptionist_a": 200, "vet_b": 200,
    "outsider": 200, "cashier_a": 403,
}  # fmt: skip


@pytest.mark.parametrize("name", list(PAGE_STATUS))
@pytest.mark.parametrize("page", PAGES)
def test_calendar_pages_per_person(people, cashier_a, name, page):
    everyone = {**people, "cashier_a": cashier_a}

    response = _as(everyone[name]).get(reverse(page), {"date": MONDAY.isoformat()})

    assert response.status_code == PAGE_STATUS[name]


@pytest.mark.parametrize("page", [*PAGES, "scheduling:book", "scheduling:shift_list"])
def test_anonymous_is_sent_to_the_login_page(world, page):
    response = HttpClient().get(reverse(page))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


BOOK_STATUS = {
    "admin": 200, "manager_a": 200, "vet_a": 200, "receptionist_a": 200, "vet_b": 200,
    "outsider": 200, "cashier_a": 403,
}  # fmt: skip


@pytest.mark.parametrize("name", list(BOOK_STATUS))
def test_booking_form_per_person(people, cashier_a, name):
    everyone = {**people, "cashier_a": cashier_a}

    response = _as(everyone[name]).get(reverse("scheduling:book"))

    assert response.status_code == BOOK_STATUS[name]


SETTINGS_STATUS = {
    "admin": (200, 200), "manager_a": (200, 200), "vet_a": (403, 200),
    "receptionist_a": (403, 200), "vet_b": (403, 200), "outsider": (200, 200),
    "cashier_a": (403, 403),
}  # fmt: skip


@pytest.mark.parametrize("name", list(SETTINGS_STATUS))
def test_settings_pages_per_person(people, cashier_a, name):
    """New types need locations.manage; the hours and shifts pages are readable to the desk."""
    http = _as({**people, "cashier_a": cashier_a}[name])

    new_type = http.get(reverse("scheduling:type_create")).status_code
    hours = http.get(reverse("scheduling:opening_hours")).status_code
    shifts = http.get(reverse("scheduling:shift_list")).status_code

    assert (new_type, hours) == SETTINGS_STATUS[name]
    assert shifts == SETTINGS_STATUS[name][1]


DETAIL_STATUS = {
    "admin": 200, "manager_a": 200, "vet_a": 200, "receptionist_a": 200, "vet_b": 404,
    "outsider": 404,
}  # fmt: skip


@pytest.mark.parametrize("name", list(DETAIL_STATUS))
def test_appointment_page_per_person(people, world, consult, rocky, name):
    appointment = _book(people["admin"], world, rocky, people["vet_a"], consult, _at(10))

    response = _as(people[name]).get(reverse("scheduling:appointment", args=[appointment.pk]))

    assert response.status_code == DETAIL_STATUS[name]
    if response.status_code == 200:
        html = response.content.decode()
        assert "data-patient-alerts" in html
        assert "Penicilina" in html


def test_an_appointment_of_another_organization_is_not_found_for_any_action(
    people, world, consult, rocky
):
    appointment = _book(people["admin"], world, rocky, people["vet_a"], consult, _at(10))
    http = _as(people["outsider"])

    moved = http.post(
        reverse("scheduling:appointment_move", args=[appointment.pk]),
        {"starts_at": _at(11).isoformat()},
    )
    checked_in = http.post(
        reverse("scheduling:appointment_transition", args=[appointment.pk, "check-in"])
    )

    assert (moved.status_code, checked_in.status_code) == (404, 404)
    appointment.refresh_from_db()
    assert (appointment.status, appointment.starts_at) == ("scheduled", _at(10))


# ---------------------------------------------------------------- booking


def test_booking_through_the_form_creates_one_appointment_and_an_audit_event(
    world, receptionist_a, vet_a, consult, rocky
):
    room = RoomFactory(location=world.location_a, name="Consultorio 1")

    response = _as(receptionist_a).post(
        reverse("scheduling:book"),
        {
            "patient": str(rocky.pk),
            "appointment_type": str(consult.pk),
            "vet": str(vet_a.pk),
            "room": str(room.pk),
            "starts_at": "2030-01-07T10:15",
            "notes": "Vómitos desde ayer",
        },
    )

    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('scheduling:day')}?date=2030-01-07"
    assert appointment.location_id == world.location_a.pk
    assert (appointment.patient_id, appointment.client_id) == (rocky.pk, rocky.client_id)
    assert (appointment.vet_id, appointment.room_id) == (vet_a.pk, room.pk)
    assert appointment.appointment_type_id == consult.pk
    assert appointment.starts_at == _at(10, 15)
    assert appointment.ends_at == _at(10, 45)
    assert appointment.status == "scheduled"
    assert appointment.notes == "Vómitos desde ayer"
    assert appointment.is_overbooked is False
    assert appointment.created_by_id == receptionist_a.pk
    assert AuditEvent.objects.filter(action="appointment.book").count() == 1


def test_a_slot_prefilled_from_the_calendar(world, receptionist_a, vet_a, consult):
    response = _as(receptionist_a).get(
        reverse("scheduling:book"), {"starts_at": "2030-01-07T09:45", "vet": str(vet_a.pk)}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="2030-01-07T09:45"' in html
    assert f'<option value="{vet_a.pk}" selected>' in html


def test_a_conflicting_booking_re_renders_with_the_409_message_and_creates_nothing(
    world, admin, receptionist_a, vet_a, consult, rocky
):
    other = PatientFactory(client__organization=world.org, name="Luna")
    _book(admin, world, other, vet_a, consult, _at(10))

    response = _as(receptionist_a).post(
        reverse("scheduling:book"),
        {
            "patient": str(rocky.pk),
            "appointment_type": str(consult.pk),
            "vet": str(vet_a.pk),
            "starts_at": "2030-01-07T10:15",
        },
    )

    html = response.content.decode()
    assert response.status_code == 409
    assert "This time is already taken for the vet or the room." in html
    assert "Booked for Luna from 10:00 to 10:30" in html
    assert Appointment.objects.count() == 1
    assert AuditEvent.objects.filter(action="appointment.book").count() == 1


def test_an_incomplete_booking_answers_422_and_creates_nothing(receptionist_a, consult):
    response = _as(receptionist_a).post(
        reverse("scheduling:book"),
        {"appointment_type": str(consult.pk), "starts_at": "2030-01-07T10:00"},
    )

    assert response.status_code == 422
    assert "Choose the patient." in response.content.decode()
    assert Appointment.objects.count() == 0


def test_the_patient_choices_find_the_pet(receptionist_a, rocky):
    response = _as(receptionist_a).get(reverse("scheduling:patient_choices"), {"q": "rock"})

    assert response.status_code == 200
    assert f'value="{rocky.pk}"' in response.content.decode()


# ---------------------------------------------------------------- transitions and moves


def test_check_in_start_and_complete_through_the_buttons(
    world, admin, receptionist_a, vet_a, consult, rocky
):
    appointment = _book(admin, world, rocky, vet_a, consult, _at(10))
    http = _as(receptionist_a)

    def press(action: str) -> str:
        url = reverse("scheduling:appointment_transition", args=[appointment.pk, action])
        assert http.post(url).status_code == 302
        appointment.refresh_from_db()
        return appointment.status

    assert press("check-in") == "checked_in"
    assert press("start") == "in_progress"
    assert press("complete") == "completed"
    assert appointment.checked_in_at is not None
    assert appointment.completed_at is not None


def test_a_transition_that_is_not_allowed_changes_nothing(
    world, admin, receptionist_a, vet_a, consult, rocky
):
    appointment = _book(admin, world, rocky, vet_a, consult, _at(10))

    response = _as(receptionist_a).post(
        reverse("scheduling:appointment_transition", args=[appointment.pk, "complete"]),
        follow=True,
    )

    appointment.refresh_from_db()
    assert appointment.status == "scheduled"
    assert "cannot become" in response.content.decode()


def test_cancel_keeps_the_reason(world, admin, receptionist_a, vet_a, consult, rocky):
    appointment = _book(admin, world, rocky, vet_a, consult, _at(10))

    _as(receptionist_a).post(
        reverse("scheduling:appointment_transition", args=[appointment.pk, "cancel"]),
        {"reason": "El dueño viaja"},
    )

    appointment.refresh_from_db()
    assert (appointment.status, appointment.cancel_reason) == ("cancelled", "El dueño viaja")


def test_a_vet_cannot_check_in_without_the_capability(world, admin, consult, rocky):
    technician = make_staff(location=world.location_a, role="technician", username="tech_a")
    vet = make_staff(location=world.location_a, role="vet", username="vet_x")
    appointment = _book(admin, world, rocky, vet, consult, _at(10))

    response = _as(technician).post(
        reverse("scheduling:appointment_transition", args=[appointment.pk, "check-in"])
    )

    appointment.refresh_from_db()
    assert response.status_code == 403
    assert appointment.status == "scheduled"


def test_dropping_a_card_on_a_free_slot_moves_it(
    world, admin, receptionist_a, vet_a, consult, rocky
):
    appointment = _book(admin, world, rocky, vet_a, consult, _at(10))

    response = _as(receptionist_a).post(
        reverse("scheduling:appointment_move", args=[appointment.pk]),
        {"starts_at": _at(11, 30).isoformat(), "vet": str(vet_a.pk)},
    )

    appointment.refresh_from_db()
    assert response.status_code == 200
    assert response.json()["message"] == "Rocky moved to 11:30."
    assert (appointment.starts_at, appointment.ends_at) == (_at(11, 30), _at(12))


def test_dropping_a_card_on_a_taken_slot_answers_409_and_moves_nothing(
    world, admin, receptionist_a, vet_a, consult, rocky
):
    appointment = _book(admin, world, rocky, vet_a, consult, _at(10))
    _book(admin, world, PatientFactory(client__organization=world.org, name="Luna"), vet_a,
          consult, _at(12))  # fmt: skip

    response = _as(receptionist_a).post(
        reverse("scheduling:appointment_move", args=[appointment.pk]),
        {"starts_at": _at(12, 15).isoformat()},
    )

    appointment.refresh_from_db()
    assert response.status_code == 409
    assert response.json()["code"] == "slot_taken"
    assert "Luna" in response.json()["message"]
    assert appointment.starts_at == _at(10)


# ---------------------------------------------------------------- the calendar and the board


def test_the_day_calendar_places_each_appointment_in_its_vet_column(
    world, admin, receptionist_a, vet_a, consult, rocky
):
    appointment = _book(admin, world, rocky, vet_a, consult, _at(10, 15))

    response = _as(receptionist_a).get(reverse("scheduling:day"), {"date": "2030-01-07"})

    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-column="{vet_a.pk}"' in html
    # 09:00 is row 1 of the default hours; 10:15 is row 6; 30 minutes span 2 quarter-hours.
    assert "vs-cal-appt vs-r-6 vs-s-2 vs-status-scheduled" in html
    assert f'data-appointment="{appointment.pk}"' in html
    assert 'data-color="#198754"' in html
    assert "?starts_at=2030-01-07T09:00&amp;vet=" in html


@pytest.mark.parametrize("by", ["room", "type"])
def test_the_day_calendar_switches_columns(world, admin, receptionist_a, vet_a, consult, rocky, by):
    _book(admin, world, rocky, vet_a, consult, _at(10))

    response = _as(receptionist_a).get(reverse("scheduling:day"), {"date": "2030-01-07", "by": by})

    assert response.status_code == 200
    assert f'data-column-kind="{by}"' in response.content.decode()
    assert "Rocky" in response.content.decode()


def test_the_waiting_room_shows_checked_in_patients(
    world, admin, receptionist_a, vet_a, consult, rocky
):
    now = dt.datetime.now(tz=LIMA).replace(second=0, microsecond=0)
    appointment = services.appointment_book(
        actor=admin, location=world.location_a, patient=rocky, vet=vet_a,
        appointment_type=consult, starts_at=now, allow_overlap=True, overlap_reason="test",
    )  # fmt: skip
    services.appointment_check_in(actor=admin, appointment=appointment)

    page = _as(receptionist_a).get(reverse("scheduling:waiting_room"))
    partial = _as(receptionist_a).get(
        reverse("scheduling:waiting_room"), headers={"HX-Request": "true"}
    )

    assert page.status_code == 200
    assert f'data-board-appointment="{appointment.pk}"' in page.content.decode()
    assert partial.content.decode().lstrip().startswith('<div id="waiting-board"')
    assert 'hx-trigger="every 10s"' in partial.content.decode()


def _fill_day(world, admin, consult, count: int, day: dt.date) -> None:
    """`count` bookings on `day` spread over three vets and two rooms (created once)."""
    vets = [
        User.objects.filter(username=f"v{n}").first()
        or make_staff(location=world.location_a, role="vet", username=f"v{n}")
        for n in range(3)
    ]
    rooms = [RoomFactory(location=world.location_a) for _n in range(2)]
    for n in range(count):
        _book(
            admin, world, PatientFactory(client__organization=world.org), vets[n % 3], consult,
            _at(9 + n // 3, day=day), room=rooms[n % 2] if n % 3 else None,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("page", "params"),
    [
        ("scheduling:day", {"by": "vet"}),
        ("scheduling:day", {"by": "room"}),
        ("scheduling:day", {"by": "type"}),
        ("scheduling:week", {}),
        ("scheduling:waiting_room", {}),
    ],
)
def test_calendar_queries_do_not_grow_with_the_appointments(
    world, admin, receptionist_a, consult, page, params
):
    def queries(count: int, day: dt.date) -> int:
        _fill_day(world, admin, consult, count, day)
        http = _as(receptionist_a)
        http.get(reverse(page), {"date": day.isoformat(), **params})  # warm the session
        with CaptureQueriesContext(connection) as captured:
            response = http.get(reverse(page), {"date": day.isoformat(), **params})
        assert response.status_code == 200
        return len(captured)

    few = queries(2, MONDAY)
    Appointment.objects.all().delete()
    many = queries(12, MONDAY + dt.timedelta(days=7))

    assert few == many


def test_the_day_calendar_query_count_is_pinned(
    world, admin, receptionist_a, consult, django_assert_num_queries
):
    _fill_day(world, admin, consult, 12, MONDAY)
    http = _as(receptionist_a)
    http.get(reverse("scheduling:day"), {"date": MONDAY.isoformat()})

    with django_assert_num_queries(17):
        http.get(reverse("scheduling:day"), {"date": MONDAY.isoformat()})


def test_the_calendar_speaks_the_users_language(world, admin, vet_a, consult, rocky):
    _book(admin, world, rocky, vet_a, consult, _at(10))
    english = make_staff(location=world.location_a, role="receptionist", username="en_desk")
    spanish = make_staff(
        location=world.location_a, role="receptionist", username="es_desk", language="es"
    )

    in_english = _as(english).get(reverse("scheduling:day"), {"date": "2030-01-07"})
    in_spanish = _as(spanish).get(reverse("scheduling:day"), {"date": "2030-01-07"})

    assert in_english["Content-Language"] == "en"
    assert in_spanish["Content-Language"] == "es"
    assert "Monday 7 January 2030" in in_english.content.decode()
    assert "lunes 7 enero 2030" in in_spanish.content.decode()
    assert '<html lang="es">' in in_spanish.content.decode()


# ---------------------------------------------------------------- settings pages


def test_a_manager_creates_an_appointment_type_through_the_form(manager_a):
    response = _as(manager_a).post(
        reverse("scheduling:type_create"),
        {
            "name": "Vacunación",
            "duration_minutes": "20",
            "color": "#0dcaf0",
            "buffer_before_minutes": "0",
            "buffer_after_minutes": "5",
            "requires_room_kind": "",
        },
    )

    created = AppointmentType.objects.get()
    assert response.status_code == 302
    assert (created.name, created.duration_minutes, created.color) == ("Vacunación", 20, "#0dcaf0")
    assert created.buffer_after_minutes == 5


def test_a_receptionist_cannot_create_an_appointment_type(receptionist_a):
    response = _as(receptionist_a).post(
        reverse("scheduling:type_create"), {"name": "X", "duration_minutes": "20"}
    )

    assert response.status_code == 403
    assert AppointmentType.objects.count() == 0


def test_a_manager_sets_opening_hours_with_a_break(world, manager_a):
    response = _as(manager_a).post(
        reverse("scheduling:opening_hours"),
        {"opens_0": ["09:00", "15:00"], "closes_0": ["13:00", "19:00"], "opens_1": ["10:00"],
         "closes_1": ["14:00"]},
    )  # fmt: skip

    page = _as(manager_a).get(reverse("scheduling:opening_hours")).content.decode()
    assert response.status_code == 302
    assert 'name="opens_0" value="15:00"' in page
    assert 'name="closes_1" value="14:00"' in page
    assert 'name="opens_2" value=""' in page


def test_a_manager_adds_and_deletes_a_shift_and_adds_leave(world, manager_a, vet_a):
    http = _as(manager_a)

    added = http.post(
        reverse("scheduling:shift_list"),
        {"form": "shift", "shift-staff": str(vet_a.pk), "shift-weekday": "2",
         "shift-starts_at": "09:00", "shift-ends_at": "13:00"},
    )  # fmt: skip
    leave = http.post(
        reverse("scheduling:shift_list"),
        {"form": "exception", "exception-staff": str(vet_a.pk), "exception-kind": "leave",
         "exception-date": "2030-01-08"},
    )  # fmt: skip
    shift = vet_a.shifts.get()
    deleted = http.post(reverse("scheduling:shift_delete", args=[shift.pk]))

    assert (added.status_code, leave.status_code, deleted.status_code) == (302, 302, 302)
    assert vet_a.shifts.count() == 0
    assert vet_a.shift_exceptions.get().kind == "leave"
