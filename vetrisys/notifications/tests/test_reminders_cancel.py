"""Reminders cancel themselves when their reason is gone: at the next run (set-based) and, if
the run has not come yet, right before sending. Never sent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from vetrisys.clients.models import Client
from vetrisys.notifications.models import Message
from vetrisys.notifications.reminders import reminder_still_valid, reminders_run
from vetrisys.notifications.services.outbox import message_send
from vetrisys.notifications.tests.reminder_factories import (
    DAY,
    HOUR,
    Trigger,
    appointment,
    appointment_type,
    lima,
    owner,
    pet,
    rule,
    vaccination,
    vaccine,
)
from vetrisys.patients.models import Patient
from vetrisys.scheduling.models import Appointment

NOW = lima(2030, 1, 5, 10, 0)


@pytest.fixture
def booked(world):
    """A 48 h reminder queued for Firulais's appointment of Monday 7 January 09:00."""
    client = owner(world.org, channel="email")
    firulais = pet(client, name="Firulais")
    visit = appointment(
        firulais, world.location_a, lima(2030, 1, 7, 9, 0), appointment_type(world.org)
    )
    rule(world.org, Trigger.APPOINTMENT, -48 * HOUR)
    reminders_run(now=NOW)
    message = Message.objects.get()
    assert message.status == Message.Status.QUEUED
    return visit, message


def _after_next_run(message: Message, now: dt.datetime = NOW) -> Message:
    summary = reminders_run(now=now + dt.timedelta(minutes=5))
    message.refresh_from_db()
    assert summary.total_cancelled == 1
    return message


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (Appointment.Status.CANCELLED, "appointment cancelled"),
        (Appointment.Status.NO_SHOW, "appointment marked as no-show"),
        (Appointment.Status.COMPLETED, "appointment already under way or completed"),
    ],
)
def test_an_appointment_that_is_no_longer_waiting_cancels_its_reminder(booked, status, reason):
    visit, message = booked
    Appointment.objects.filter(pk=visit.pk).update(status=status)

    assert reminder_still_valid(message) == (False, reason)
    message = _after_next_run(message)

    assert (message.status, message.cancelled_reason) == (Message.Status.CANCELLED, reason)
    assert message.sent_at is None


def test_a_moved_appointment_cancels_the_old_reminder_and_gets_a_new_one(booked):
    visit, message = booked
    moved_to = lima(2030, 1, 8, 9, 0)
    Appointment.objects.filter(pk=visit.pk).update(
        starts_at=moved_to,
        ends_at=moved_to + dt.timedelta(minutes=30),
        busy_from=moved_to,
        busy_until=moved_to + dt.timedelta(minutes=30),
    )

    assert reminder_still_valid(message) == (False, "appointment moved")
    summary = reminders_run(now=lima(2030, 1, 6, 9, 30))

    message.refresh_from_db()
    assert (message.status, message.cancelled_reason) == ("cancelled", "appointment moved")
    new = Message.objects.exclude(pk=message.pk).get()
    assert (new.status, new.cause_at, new.scheduled_for) == (
        "queued",
        moved_to,
        lima(2030, 1, 6, 9, 0),
    )
    assert dict(summary.cancelled) == {"appointment moved": 1}
    assert dict(summary.queued) == {"appointment_reminder": 1}


def test_a_patient_who_died_gets_no_reminder(booked):
    visit, message = booked
    Patient.objects.filter(pk=visit.patient_id).update(deceased_on=dt.date(2030, 1, 5))

    assert reminder_still_valid(message) == (False, "patient deceased")
    message = _after_next_run(message)

    assert (message.status, message.cancelled_reason) == ("cancelled", "patient deceased")


def test_an_archived_owner_gets_no_reminder(booked):
    _visit, message = booked
    Client.objects.filter(pk=message.client_id).update(is_active=False, archived_at=NOW)

    assert reminder_still_valid(message) == (False, "owner archived or merged")
    message = _after_next_run(message)

    assert (message.status, message.cancelled_reason) == ("cancelled", "owner archived or merged")


def test_a_withdrawn_consent_cancels_the_reminder(booked):
    _visit, message = booked
    Client.objects.filter(pk=message.client_id).update(email_consent_at=None)

    assert reminder_still_valid(message) == (False, "consent withdrawn")
    message = _after_next_run(message)

    assert (message.status, message.cancelled_reason) == ("cancelled", "consent withdrawn")


def test_a_deactivated_rule_cancels_its_queued_reminders(booked):
    _visit, message = booked
    message.rule.is_active = False
    message.rule.save()

    message = _after_next_run(message)

    assert (message.status, message.cancelled_reason) == ("cancelled", "reminder rule deactivated")


def test_a_vaccine_given_again_cancels_the_due_reminder(world, vet_a):
    dhpp = vaccine(world.org)
    firulais = pet(owner(world.org, channel="email"), name="Firulais")
    give = {"location": world.location_a, "vet": vet_a, "product": dhpp}
    vaccination(firulais, given_on=dt.date(2029, 1, 12), due_on=dt.date(2030, 1, 12), **give)
    rule(world.org, Trigger.VACCINE_DUE, -7 * DAY)
    reminders_run(now=NOW)
    message = Message.objects.get()
    vaccination(firulais, given_on=dt.date(2030, 1, 5), due_on=dt.date(2031, 1, 5), **give)

    assert reminder_still_valid(message) == (False, "vaccine given again")
    message = _after_next_run(message)

    assert (message.status, message.cancelled_reason) == ("cancelled", "vaccine given again")
    assert Message.objects.count() == 1


def test_a_dose_of_another_vaccine_leaves_the_reminder(world, vet_a):
    dhpp, rabies = vaccine(world.org), vaccine(world.org, "Rabisin")
    firulais = pet(owner(world.org, channel="email"), name="Firulais")
    give = {"location": world.location_a, "vet": vet_a}
    vaccination(
        firulais, product=dhpp, given_on=dt.date(2029, 1, 12), due_on=dt.date(2030, 1, 12), **give
    )
    rule(world.org, Trigger.VACCINE_DUE, -7 * DAY)
    reminders_run(now=NOW)
    vaccination(
        firulais, product=rabies, given_on=dt.date(2030, 1, 5), due_on=dt.date(2031, 1, 5), **give
    )

    summary = reminders_run(now=NOW + dt.timedelta(minutes=5))

    assert summary.total_cancelled == 0
    assert Message.objects.get().status == Message.Status.QUEUED
    assert reminder_still_valid(Message.objects.get()) == (True, "")


def test_the_sender_cancels_a_reminder_whose_reason_went_before_the_next_run(world):
    """Real clock: the reminder is due now and the appointment is cancelled right after it was
    queued; the outbox's sender asks `reminder_still_valid` and sends nothing."""
    now = timezone.now()
    client = owner(world.org, channel="email")
    starts = now + dt.timedelta(hours=47)
    visit = appointment(
        pet(client),
        world.location_a,
        starts,
        appointment_type(world.org),
        booked_at=now - dt.timedelta(days=3),
    )
    rule(world.org, Trigger.APPOINTMENT, -48 * HOUR)
    reminders_run(now=now)
    message = Message.objects.get()
    Appointment.objects.filter(pk=visit.pk).update(status=Appointment.Status.CANCELLED)

    status = message_send(message_id=message.pk)

    message.refresh_from_db()
    assert status == Message.Status.CANCELLED
    assert (message.status, message.cancelled_reason) == ("cancelled", "appointment cancelled")
    assert mail.outbox == []


def test_a_message_that_is_not_a_reminder_is_always_valid(booked):
    _visit, message = booked
    Message.objects.filter(pk=message.pk).update(rule=None, cause_type="invoice")
    message.refresh_from_db()

    assert reminder_still_valid(message) == (True, "")
