"""Which reminders are due at a moment, per trigger: exact sets, windows, catch-up, reruns."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vetrisys.clients.models import Client
from vetrisys.notifications.models import Message
from vetrisys.notifications.reminders import reminders_run
from vetrisys.notifications.tests.reminder_factories import (
    CONSENTED,
    DAY,
    HOUR,
    Trigger,
    appointment,
    appointment_type,
    lima,
    owner,
    pet,
    rule,
    signed_visit,
    twilio_settings,
    vaccination,
    vaccine,
)
from vetrisys.scheduling.models import Appointment

NOW = lima(2030, 1, 5, 10, 0)

pytestmark = pytest.mark.usefixtures(twilio_settings.__name__)


def _queued() -> list[tuple[str, str, str]]:
    """(kind, pet, cause type) of every queued message, sorted."""
    return sorted(
        (m.kind, m.patient.name if m.patient else "", m.cause_type)
        for m in Message.objects.select_related("patient")
    )


# ---------------------------------------------------------------- appointments


@pytest.fixture
def consulta(world):
    return appointment_type(world.org, "Consulta")


def test_an_appointment_reminder_is_due_48_hours_before_within_the_grace(world, vet_a, consulta):
    client = owner(world.org)
    book = {"location": world.location_a, "kind": consulta}
    due = appointment(pet(client, name="Due"), starts_at=lima(2030, 1, 7, 9, 0), **book)
    appointment(pet(client, name="Later"), starts_at=lima(2030, 1, 7, 11, 0), **book)
    appointment(pet(client, name="TooLate"), starts_at=lima(2030, 1, 7, 3, 0), **book)
    appointment(
        pet(client, name="Cancelled"),
        starts_at=lima(2030, 1, 7, 8, 0),
        status=Appointment.Status.CANCELLED,
        **book,
    )
    appointment(
        pet(client, name="Dead", deceased_on=dt.date(2030, 1, 1)),
        starts_at=lima(2030, 1, 7, 8, 30),
        **book,
    )
    appointment(
        pet(client, name="BookedAfter"),
        starts_at=lima(2030, 1, 7, 9, 15),
        booked_at=lima(2030, 1, 5, 9, 30),
        **book,
    )
    reminder = rule(world.org, Trigger.APPOINTMENT, -48 * HOUR)

    summary = reminders_run(now=NOW)

    assert _queued() == [("appointment_reminder", "Due", "appointment")]
    assert dict(summary.queued) == {"appointment_reminder": 1}
    message = Message.objects.get()
    assert message.rule == reminder
    assert message.client == client
    assert message.location == world.location_a
    assert message.channel == "whatsapp"
    assert message.to == "+51987654321"
    assert message.status == Message.Status.QUEUED
    assert message.scheduled_for == lima(2030, 1, 5, 9, 0)
    assert message.cause_id == due.pk
    assert message.cause_at == lima(2030, 1, 7, 9, 0)
    assert message.idempotency_key == (
        f"reminder:{reminder.pk}:appointment:{due.pk}:20300107T140000Z"
    )
    assert "Due" in message.body


def test_running_twice_queues_nothing_twice(world, vet_a, consulta):
    client = owner(world.org)
    appointment(
        pet(client),
        location=world.location_a,
        kind=consulta,
        starts_at=lima(2030, 1, 7, 9, 0),
    )
    rule(world.org, Trigger.APPOINTMENT, -48 * HOUR)

    first = reminders_run(now=NOW)
    second = reminders_run(now=NOW + dt.timedelta(minutes=15))

    assert first.total_queued == 1
    assert second.total_queued == 0
    assert Message.objects.count() == 1


def test_a_job_that_did_not_run_catches_up_but_never_after_the_start(world, vet_a, consulta):
    client = owner(world.org)
    book = {"location": world.location_a, "kind": consulta}
    # 2 h reminders whose moments were 5 h and 1 h ago; the first appointment started 3 h ago.
    appointment(pet(client, name="Started"), starts_at=lima(2030, 1, 5, 7, 0), **book)
    appointment(pet(client, name="Soon"), starts_at=lima(2030, 1, 5, 11, 0), **book)
    rule(world.org, Trigger.APPOINTMENT, -2 * HOUR)

    reminders_run(now=NOW)

    assert _queued() == [("appointment_reminder", "Soon", "appointment")]
    assert Message.objects.get().scheduled_for == lima(2030, 1, 5, 9, 0)


def test_conditions_on_species_type_and_location(world, vet_a, vet_b, consulta):
    surgery = appointment_type(world.org, "Cirugía")
    client = owner(world.org)
    starts = lima(2030, 1, 7, 9, 0)
    appointment(pet(client, name="DogA"), world.location_a, starts, surgery)
    appointment(pet(client, name="CatA", code="cat"), world.location_a, starts, surgery)
    appointment(pet(client, name="CatB", code="cat"), world.location_b, starts, surgery)
    appointment(pet(client, name="CatConsult", code="cat"), world.location_a, starts, consulta)
    rule(
        world.org,
        Trigger.APPOINTMENT,
        -48 * HOUR,
        species="cat",
        appointment_type=surgery,
        location=world.location_a,
    )

    reminders_run(now=NOW)

    assert _queued() == [("appointment_reminder", "CatA", "appointment")]


def test_without_consent_or_of_an_archived_owner_nothing_is_queued(world, vet_a, consulta):
    starts = lima(2030, 1, 7, 9, 0)
    book = {"location": world.location_a, "kind": consulta, "starts_at": starts}
    appointment(pet(owner(world.org, consent=False), name="NoConsent"), **book)
    archived = owner(world.org, is_active=False, archived_at=CONSENTED)
    appointment(pet(archived, name="Archived"), **book)
    appointment(pet(owner(world.org), name="Inactive", is_active=False), **book)
    appointment(pet(owner(world.org, channel="email"), name="Email"), **book)
    rule(world.org, Trigger.APPOINTMENT, -48 * HOUR)

    reminders_run(now=NOW)

    message = Message.objects.get()
    assert (message.patient.name, message.channel, message.to) == (
        "Email",
        "email",
        "rosa@example.pe",
    )
    assert message.subject != ""


def test_the_rule_channel_comes_first_when_consented_as_in_the_outbox(world, consulta):
    both = owner(world.org, channel="whatsapp", email_consent_at=CONSENTED)
    only_whatsapp = owner(world.org, channel="whatsapp")
    book = {"location": world.location_a, "kind": consulta}
    appointment(pet(both, name="Both"), starts_at=lima(2030, 1, 7, 9, 0), **book)
    appointment(pet(only_whatsapp, name="OnlyWa"), starts_at=lima(2030, 1, 7, 9, 0), **book)
    rule(world.org, Trigger.APPOINTMENT, -48 * HOUR, channel="email")

    reminders_run(now=NOW)

    sent = sorted((m.patient.name, m.channel) for m in Message.objects.all())
    assert sent == [("Both", "email"), ("OnlyWa", "whatsapp")]


def test_another_organizations_rules_remind_only_their_own(world, vet_a, outsider, consulta):
    client = owner(world.org)
    appointment(pet(client), world.location_a, lima(2030, 1, 7, 9, 0), consulta)
    rule(world.other_org, Trigger.APPOINTMENT, -48 * HOUR)

    assert reminders_run(now=NOW).total_queued == 0


# ---------------------------------------------------------------- vaccines


def test_vaccine_reminders_before_on_and_after_the_due_date(world, vet_a):
    dhpp = vaccine(world.org)
    client = owner(world.org)
    give = {"location": world.location_a, "vet": vet_a, "product": dhpp}
    vaccination(
        pet(client, name="InAWeek"),
        given_on=dt.date(2029, 1, 12),
        due_on=dt.date(2030, 1, 12),
        **give,
    )
    vaccination(
        pet(client, name="Today"), given_on=dt.date(2029, 1, 5), due_on=dt.date(2030, 1, 5), **give
    )
    vaccination(
        pet(client, name="Overdue"),
        given_on=dt.date(2028, 12, 22),
        due_on=dt.date(2029, 12, 22),
        **give,
    )
    given_again = pet(client, name="GivenAgain")
    vaccination(given_again, given_on=dt.date(2029, 1, 12), due_on=dt.date(2030, 1, 12), **give)
    vaccination(given_again, given_on=dt.date(2030, 1, 4), due_on=dt.date(2031, 1, 4), **give)
    vaccination(
        pet(client, name="Dead", deceased_on=dt.date(2029, 6, 1)),
        given_on=dt.date(2029, 1, 12),
        due_on=dt.date(2030, 1, 12),
        **give,
    )
    vaccination(
        pet(client, name="Missed"), given_on=dt.date(2029, 1, 8), due_on=dt.date(2030, 1, 8), **give
    )
    rule(world.org, Trigger.VACCINE_DUE, -7 * DAY)
    rule(world.org, Trigger.VACCINE_DUE, 0)
    rule(world.org, Trigger.VACCINE_DUE, 14 * DAY, kind="vaccine_overdue")

    reminders_run(now=NOW)

    assert _queued() == [
        ("vaccine_due", "InAWeek", "vaccination"),
        ("vaccine_due", "Today", "vaccination"),
        ("vaccine_overdue", "Overdue", "vaccination"),
    ]
    in_a_week = Message.objects.get(patient__name="InAWeek")
    assert in_a_week.scheduled_for == lima(2030, 1, 5, 9, 0)
    assert in_a_week.cause_at == lima(2030, 1, 12)
    assert "Nobivac DHPPi" in in_a_week.body


def test_a_vaccine_reminder_is_caught_up_within_three_days_only(world, vet_a):
    dhpp = vaccine(world.org)
    client = owner(world.org)
    give = {"location": world.location_a, "vet": vet_a, "product": dhpp}
    vaccination(
        pet(client, name="TwoDaysLate"),
        given_on=dt.date(2029, 1, 3),
        due_on=dt.date(2030, 1, 3),
        **give,
    )
    vaccination(
        pet(client, name="FourDaysLate"),
        given_on=dt.date(2029, 1, 1),
        due_on=dt.date(2030, 1, 1),
        **give,
    )
    rule(world.org, Trigger.VACCINE_DUE, 0)

    reminders_run(now=NOW)

    assert _queued() == [("vaccine_due", "TwoDaysLate", "vaccination")]


def test_a_vaccine_due_date_is_a_day_at_the_location_that_gave_it(world, vet_a, vet_b):
    world.location_b.time_zone = "Asia/Tokyo"
    world.location_b.save()
    dhpp = vaccine(world.org)
    client = owner(world.org)
    due = dt.date(2030, 1, 6)
    vaccination(
        pet(client, name="Lima"),
        world.location_a,
        vet_a,
        dhpp,
        given_on=dt.date(2029, 1, 6),
        due_on=due,
    )
    vaccination(
        pet(client, name="Tokyo"),
        world.location_b,
        vet_b,
        dhpp,
        given_on=dt.date(2029, 1, 6),
        due_on=due,
    )
    rule(world.org, Trigger.VACCINE_DUE, 0)

    # 09:00 of 6 January in Tokyo is 19:00 of the 5th in Lima; Lima's comes 14 hours later.
    reminders_run(now=lima(2030, 1, 5, 19, 30))

    assert _queued() == [("vaccine_due", "Tokyo", "vaccination")]


# ---------------------------------------------------------------- follow-up, birthday, lapsed


def test_follow_up_three_days_after_a_signed_surgery(world, vet_a):
    client = owner(world.org)
    signed = lima(2030, 1, 2, 9, 30)
    signed_visit(
        pet(client, name="Surgery"), world.location_a, vet_a, signed_at=signed, visit_type="surgery"
    )
    signed_visit(pet(client, name="Consult"), world.location_a, vet_a, signed_at=signed)
    signed_visit(
        pet(client, name="Tomorrow"),
        world.location_a,
        vet_a,
        signed_at=lima(2030, 1, 3, 9, 30),
        visit_type="surgery",
    )
    rule(world.org, Trigger.FOLLOW_UP, 3 * DAY, visit_type="surgery")

    reminders_run(now=NOW)

    assert _queued() == [("follow_up", "Surgery", "visit")]
    assert Message.objects.get().scheduled_for == lima(2030, 1, 5, 9, 30)


def test_birthdays_of_today_in_the_clinics_zone(world):
    client = owner(world.org)
    pet(client, name="Birthday", birth_date=dt.date(2025, 1, 5))
    pet(client, name="Tomorrow", birth_date=dt.date(2025, 1, 6))
    pet(client, name="BornToday", birth_date=dt.date(2030, 1, 5))
    pet(
        client, name="DeadBirthday", birth_date=dt.date(2025, 1, 5), deceased_on=dt.date(2029, 1, 1)
    )
    rule(world.org, Trigger.BIRTHDAY, 0)

    reminders_run(now=NOW)
    reminders_run(now=NOW + dt.timedelta(hours=3))

    assert _queued() == [("birthday", "Birthday", "patient")]
    assert Message.objects.get().cause_at == lima(2030, 1, 5)


def test_a_leap_day_birthday_is_celebrated_on_28_february(world):
    client = owner(world.org)
    pet(client, name="Leap", birth_date=dt.date(2028, 2, 29))
    rule(world.org, Trigger.BIRTHDAY, 0)

    reminders_run(now=lima(2030, 2, 28, 10, 0))

    assert _queued() == [("birthday", "Leap", "patient")]


def test_a_lapsed_owner_is_reminded_a_year_after_the_last_visit(world, vet_a):
    last_visit = lima(2029, 1, 5, 9, 30)
    lapsed = owner(world.org, first_name="Lapsed")
    signed_visit(
        pet(lapsed, name="Lapsed"),
        world.location_a,
        vet_a,
        signed_at=last_visit,
        opened_at=last_visit,
    )
    came_back = owner(world.org, first_name="Back")
    back_pet = pet(came_back, name="Back")
    signed_visit(back_pet, world.location_a, vet_a, signed_at=last_visit, opened_at=last_visit)
    signed_visit(
        back_pet, world.location_a, vet_a, signed_at=lima(2029, 6, 1), opened_at=lima(2029, 6, 1)
    )
    booked = owner(world.org, first_name="Booked")
    booked_pet = pet(booked, name="Booked")
    signed_visit(booked_pet, world.location_a, vet_a, signed_at=last_visit, opened_at=last_visit)
    appointment(booked_pet, world.location_a, lima(2030, 1, 20, 9, 0), appointment_type(world.org))
    rule(world.org, Trigger.LAPSED_CLIENT, 365 * DAY)

    reminders_run(now=NOW)
    reminders_run(now=NOW + dt.timedelta(days=1))

    message = Message.objects.get()
    assert (message.kind, message.client.first_name, message.cause_type) == (
        "lapsed_client",
        "Lapsed",
        "client",
    )
    assert message.cause_id == lapsed.pk


# ---------------------------------------------------------------- the cost of a run


def _book(world, kind, count: int) -> None:
    for number in range(count):
        client = owner(world.org, email=f"o{number}@example.pe")
        appointment(
            pet(client),
            world.location_a,
            lima(2030, 1, 7, 9, 0) + dt.timedelta(minutes=number),
            kind,
        )


def _queries_of_a_run(now: dt.datetime) -> int:
    with CaptureQueriesContext(connection) as queries:
        reminders_run(now=now)
    return len(queries)


def test_a_run_takes_the_same_number_of_queries_for_2_or_12_patients(world, vet_a, consulta):
    rule(world.org, Trigger.APPOINTMENT, -48 * HOUR)
    rule(world.org, Trigger.VACCINE_DUE, 0)
    rule(world.org, Trigger.BIRTHDAY, 0)
    _book(world, consulta, 2)
    few = _queries_of_a_run(NOW + dt.timedelta(minutes=30))
    Message.objects.all().delete()
    _book(world, consulta, 10)

    many = _queries_of_a_run(NOW + dt.timedelta(minutes=30))

    assert Message.objects.count() == 12
    assert many == few


def test_the_number_of_queries_of_a_run_is_pinned(
    world, vet_a, consulta, django_assert_num_queries
):
    rule(world.org, Trigger.APPOINTMENT, -48 * HOUR)
    rule(world.org, Trigger.VACCINE_DUE, 0)
    _book(world, consulta, 3)

    # The cancelling UPDATEs in a savepoint, the rules, the organizations, the locations, then
    # per rule its due query, and for the appointment rule the owners, their phones, the
    # templates, the keys already there and one INSERT.
    with django_assert_num_queries(23):
        reminders_run(now=NOW + dt.timedelta(minutes=30))

    assert Client.objects.count() == 3
    assert Message.objects.count() == 3


def test_a_reminder_due_in_the_locations_quiet_hours_waits_for_their_end(world, consulta):
    from vetrisys.notifications.models import LocationMessaging

    LocationMessaging.objects.create(
        organization=world.org,
        location=world.location_a,
        quiet_from=dt.time(21, 0),
        quiet_until=dt.time(8, 0),
    )
    client = owner(world.org)
    appointment(pet(client), world.location_a, lima(2030, 1, 5, 9, 0), consulta)
    rule(world.org, Trigger.APPOINTMENT, -2 * HOUR)

    reminders_run(now=lima(2030, 1, 5, 7, 30))

    message = Message.objects.get()
    assert message.location == world.location_a
    assert message.scheduled_for == lima(2030, 1, 5, 8, 0)
    assert message.cause_at == lima(2030, 1, 5, 9, 0)
