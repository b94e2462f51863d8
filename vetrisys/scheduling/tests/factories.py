"""Factories and helpers for scheduling tests."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import factory

from vetrisys.accounts.tests.factories import OrganizationFactory
from vetrisys.scheduling.models import Appointment, AppointmentType

# A Monday far enough ahead that nothing is in the past.
MONDAY = dt.date(2030, 1, 7)
LIMA = ZoneInfo("America/Lima")


def at(day: dt.date, clock: str, zone: ZoneInfo = LIMA) -> dt.datetime:
    """An aware instant from a local day and "HH:MM"."""
    hour, minute = (int(part) for part in clock.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)


class AppointmentTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppointmentType

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Consulta {n}")
    duration_minutes = 30
    color = "#0d6efd"


def make_appointment(**fields: Any) -> Appointment:
    """An appointment row written directly (no checks), busy range from the type's buffers."""
    kind: AppointmentType = fields["appointment_type"]
    starts_at: dt.datetime = fields["starts_at"]
    fields.setdefault("ends_at", starts_at + kind.duration)
    fields.setdefault("organization", fields["location"].organization)
    fields.setdefault("client_id", fields["patient"].client_id)
    fields.setdefault("busy_from", starts_at - kind.buffer_before)
    fields.setdefault("busy_until", fields["ends_at"] + kind.buffer_after)
    return Appointment.objects.create(**fields)
