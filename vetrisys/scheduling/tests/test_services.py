import datetime as dt
from itertools import product

import pytest

from vetrisys.accounts.models import Room
from vetrisys.accounts.tests.factories import RoomFactory, make_staff
from vetrisys.audit.models import AuditEvent
from vetrisys.core.errors import Conflict, NotAllowed, ValidationFailed
from vetrisys.patients.tests.factories import PatientFactory
from vetrisys.scheduling import services, transitions
from vetrisys.scheduling.models import Appointment
from vetrisys.scheduling.tests.factories import MONDAY, AppointmentTypeFactory, at

Status = Appointment.Status


@pytest.fixture
def consult(world):
    return AppointmentTypeFactory(organization=world.org, name="Consulta general")


@pytest.fixture
def rocky(world):
    return PatientFactory(client__organization=world.org, name="Rocky")


@pytest.fixture
def luna(world):
    return PatientFactory(client__organization=world.org, name="Luna")


def _book(actor, world, patient, vet, kind, clock, **extra):
    return services.appointment_book(
        actor=actor,
        location=world.location_a,
        patient=patient,
        vet=vet,
        appointment_type=kind,
        starts_at=at(MONDAY, clock),
        **extra,
    )


# ---------------------------------------------------------------- the transitions table

ALLOWED = {
    ("scheduled", "checked_in"), ("scheduled", "cancelled"), ("scheduled", "no_show"),
    ("checked_in", "in_progress"), ("checked_in", "cancelled"), ("in_progress", "completed"),
}  # fmt: skip


@pytest.mark.parametrize(("current", "target"), list(product(Status.values, Status.values)))
def test_transitions_table_allows_exactly_the_front_desk_flow(current, target):
    assert transitions.is_allowed(current, target) is ((current, target) in ALLOWED)


SERVICES = {
    "checked_in": lambda actor, a: services.appointment_check_in(actor=actor, appointment=a),
    "in_progress": lambda actor, a: services.appointment_start(actor=actor, appointment=a),
    "completed": lambda actor, a: services.appointment_complete(actor=actor, appointment=a),
    "cancelled": lambda actor, a: services.appointment_cancel(
        actor=actor, appointment=a, reason="Owner called"
    ),
    "no_show": lambda actor, a: services.appointment_mark_no_show(actor=actor, appointment=a),
}


@pytest.mark.parametrize(("current", "target"), list(product(Status.values, SERVICES)))
def test_each_transition_service_follows_the_table(
    world, receptionist_a, vet_a, rocky, consult, current, target
):
    appointment = _book(receptionist_a, world, rocky, vet_a, consult, "10:00")
    Appointment.objects.filter(pk=appointment.pk).update(status=current)
    appointment.refresh_from_db()
    if (current, target) in ALLOWED:
        changed = SERVICES[target](receptionist_a, appointment)
        assert changed.status == target
        assert Appointment.objects.get(pk=appointment.pk).status == target
    else:
        with pytest.raises(Conflict) as error:
            SERVICES[target](receptionist_a, appointment)
        assert error.value.code == "invalid_transition"
        assert Appointment.objects.get(pk=appointment.pk).status == current


def test_the_flow_stamps_each_step_and_audits_it(world, receptionist_a, vet_a, rocky, consult):
    appointment = _book(receptionist_a, world, rocky, vet_a, consult, "10:00")
    appointment = services.appointment_check_in(actor=receptionist_a, appointment=appointment)
    appointment = services.appointment_start(actor=vet_a, appointment=appointment)
    appointment = services.appointment_complete(actor=vet_a, appointment=appointment)
    assert appointment.status == Status.COMPLETED
    assert appointment.checked_in_at <= appointment.started_at <= appointment.completed_at
    actions = list(
        AuditEvent.objects.filter(target_id=str(appointment.pk))
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions == [
        "appointment.book", "appointment.check_in", "appointment.start", "appointment.complete"
    ]  # fmt: skip


def test_cancelling_needs_a_reason_and_bumps_the_calendar_sequence(
    world, receptionist_a, vet_a, rocky, consult
):
    appointment = _book(receptionist_a, world, rocky, vet_a, consult, "10:00")
    with pytest.raises(ValidationFailed) as error:
        services.appointment_cancel(actor=receptionist_a, appointment=appointment, reason="  ")
    assert error.value.fields == {"reason": ["Say why the appointment is cancelled."]}
    cancelled = services.appointment_cancel(
        actor=receptionist_a, appointment=appointment, reason="Owner is ill"
    )
    assert (cancelled.status, cancelled.cancel_reason, cancelled.ical_sequence) == (
        "cancelled", "Owner is ill", 1
    )  # fmt: skip


# ---------------------------------------------------------------- no double booking


def test_a_busy_vet_is_409_slot_taken_naming_the_blocker(
    world, receptionist_a, vet_a, rocky, luna, consult
):
    first = _book(receptionist_a, world, rocky, vet_a, consult, "10:00")
    with pytest.raises(Conflict) as error:
        _book(receptionist_a, world, luna, vet_a, consult, "10:15")
    assert error.value.code == "slot_taken"
    assert error.value.extra["busy"] == "vet"
    assert error.value.extra["blocking_appointment"] == {
        "id": str(first.pk),
        "starts_at": "2030-01-07T15:00:00+00:00",
        "ends_at": "2030-01-07T15:30:00+00:00",
        "patient": "Rocky",
        "vet": str(vet_a.pk),
        "vet_name": vet_a.display_name,
        "room": None,
        "room_name": None,
    }
    assert Appointment.objects.count() == 1


def test_back_to_back_is_fine_but_buffers_count(world, receptionist_a, vet_a, rocky, luna):
    surgery = AppointmentTypeFactory(
        organization=world.org, duration_minutes=60, buffer_after_minutes=15
    )
    _book(receptionist_a, world, rocky, vet_a, surgery, "10:00")
    with pytest.raises(Conflict):
        _book(receptionist_a, world, luna, vet_a, surgery, "11:00")
    later = _book(receptionist_a, world, luna, vet_a, surgery, "11:15")
    assert later.busy_from == at(MONDAY, "11:15")
    assert later.busy_until == at(MONDAY, "12:30")
    before = AppointmentTypeFactory(organization=world.org, buffer_before_minutes=10)
    with pytest.raises(Conflict):
        _book(receptionist_a, world, rocky, vet_a, before, "12:35")
    assert _book(receptionist_a, world, rocky, vet_a, before, "12:40").busy_from == at(
        MONDAY, "12:30"
    )


def test_a_busy_room_is_409_even_with_another_vet(world, receptionist_a, vet_a, rocky, luna):
    other_vet = make_staff(location=world.location_a, role="vet", username="vet_a2")
    theatre = RoomFactory(location=world.location_a, name="Quirófano", kind=Room.Kind.SURGERY)
    surgery = AppointmentTypeFactory(
        organization=world.org, duration_minutes=90, requires_room_kind=Room.Kind.SURGERY
    )
    first = _book(receptionist_a, world, rocky, vet_a, surgery, "10:00")
    assert first.room == theatre  # picked: the only free room of the kind
    with pytest.raises(Conflict) as error:
        _book(receptionist_a, world, luna, other_vet, surgery, "11:00", room=theatre)
    assert (error.value.code, error.value.extra["busy"]) == ("slot_taken", "room")
    with pytest.raises(Conflict) as error:
        _book(receptionist_a, world, luna, other_vet, surgery, "11:00")
    assert error.value.extra == {"room_kind": "surgery"}


@pytest.mark.parametrize("ended", ["cancel", "no_show"])
def test_cancelled_and_no_show_free_the_slot(
    world, receptionist_a, vet_a, rocky, luna, consult, ended
):
    first = _book(receptionist_a, world, rocky, vet_a, consult, "10:00")
    if ended == "cancel":
        services.appointment_cancel(actor=receptionist_a, appointment=first, reason="Ill")
    else:
        services.appointment_mark_no_show(actor=receptionist_a, appointment=first)
    second = _book(receptionist_a, world, luna, vet_a, consult, "10:00")
    assert second.status == Status.SCHEDULED


def test_overbooking_needs_the_capability_and_a_reason(
    world, receptionist_a, vet_a, rocky, luna, consult
):
    _book(receptionist_a, world, rocky, vet_a, consult, "10:00")
    with pytest.raises(NotAllowed):
        _book(receptionist_a, world, luna, vet_a, consult, "10:00", allow_overlap=True,
              overlap_reason="Emergency")  # fmt: skip
    with pytest.raises(ValidationFailed) as error:
        _book(vet_a, world, luna, vet_a, consult, "10:00", allow_overlap=True)
    assert error.value.fields == {"overlap_reason": ["Say why this is overbooked."]}
    assert Appointment.objects.count() == 1
    extra = _book(vet_a, world, luna, vet_a, consult, "10:00", allow_overlap=True,
                  overlap_reason="Emergency: hit by a car")  # fmt: skip
    assert (extra.is_overbooked, extra.overbook_reason) == (True, "Emergency: hit by a car")
    event = AuditEvent.objects.get(target_id=str(extra.pk))
    assert event.action == "appointment.overbook"


def test_allowing_overlap_without_one_books_normally(world, vet_a, rocky, consult):
    booked = _book(vet_a, world, rocky, vet_a, consult, "10:00", allow_overlap=True,
                   overlap_reason="Just in case")  # fmt: skip
    assert (booked.is_overbooked, booked.overbook_reason) == (False, "")


def test_a_deceased_patient_cannot_be_booked(world, receptionist_a, vet_a, rocky, consult):
    rocky.deceased_on = dt.date(2029, 12, 1)
    rocky.save()
    with pytest.raises(Conflict) as error:
        _book(receptionist_a, world, rocky, vet_a, consult, "10:00")
    assert error.value.code == "patient_deceased"
    assert Appointment.objects.count() == 0


def test_a_type_for_cats_is_not_for_dogs(world, receptionist_a, vet_a, rocky):
    from vetrisys.patients.tests.factories import species

    cats_only = AppointmentTypeFactory(organization=world.org)
    cats_only.species.set([species("cat")])
    with pytest.raises(ValidationFailed) as error:
        _book(receptionist_a, world, rocky, vet_a, cats_only, "10:00")
    assert error.value.fields == {
        "appointment_type": ["This type is not offered for this species."]
    }


def test_rescheduling_moves_keeps_length_checks_conflicts_and_bumps_sequence(
    world, receptionist_a, vet_a, rocky, luna, consult
):
    first = _book(receptionist_a, world, rocky, vet_a, consult, "10:00")
    second = _book(receptionist_a, world, luna, vet_a, consult, "11:00")
    with pytest.raises(Conflict) as error:
        services.appointment_reschedule(
            actor=receptionist_a, appointment=second, starts_at=at(MONDAY, "10:15")
        )
    assert error.value.extra["blocking_appointment"]["id"] == str(first.pk)
    moved = services.appointment_reschedule(
        actor=receptionist_a, appointment=second, starts_at=at(MONDAY, "12:00")
    )
    assert (moved.starts_at, moved.ends_at, moved.ical_sequence) == (
        at(MONDAY, "12:00"), at(MONDAY, "12:30"), 1
    )  # fmt: skip
    # moving onto its own old time never conflicts with itself
    again = services.appointment_reschedule(
        actor=receptionist_a, appointment=moved, starts_at=at(MONDAY, "12:15")
    )
    assert again.ical_sequence == 2


def test_someone_without_the_capability_books_nothing(world, vet_b, vet_a, rocky, consult):
    with pytest.raises(NotAllowed):
        _book(vet_b, world, rocky, vet_a, consult, "10:00")
    assert Appointment.objects.count() == 0
