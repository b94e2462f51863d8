"""Owners, pets, appointments, vaccinations, visits and rules for the reminder tests."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from vetrisys.accounts.models import Location, User
from vetrisys.accounts.tests.factories import UserFactory
from vetrisys.clients.models import Client
from vetrisys.clients.tests.factories import ClientFactory, add_phone
from vetrisys.inventory.models import Product
from vetrisys.notifications.models import MessageKind, ReminderRule
from vetrisys.patients.models import Patient
from vetrisys.patients.tests.factories import PatientFactory, species
from vetrisys.records.models import Visit
from vetrisys.scheduling.models import Appointment, AppointmentType
from vetrisys.scheduling.tests.factories import AppointmentTypeFactory, make_appointment
from vetrisys.vaccinations.models import Vaccination

LIMA = ZoneInfo("America/Lima")
# Consent given long before any test's "now".
CONSENTED = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)

Trigger = ReminderRule.Trigger


def lima(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """An aware instant in Lima (UTC-5, no daylight saving)."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=LIMA)


def owner(org: Any, *, channel: str = "whatsapp", consent: bool = True, **fields: Any) -> Client:
    """An owner who prefers `channel`, consented to it (or not), with an email and a mobile."""
    consent_fields = {f"{channel}_consent_at": CONSENTED} if consent else {}
    client = ClientFactory(
        organization=org,
        preferred_channel=channel,
        email=fields.pop("email", "rosa@example.pe"),
        **consent_fields,
        **fields,
    )
    add_phone(client, "987654321")
    return client


def pet(client: Client, *, name: str = "Firulais", code: str = "dog", **fields: Any) -> Patient:
    return PatientFactory(
        client=client, organization=client.organization, name=name, species=species(code), **fields
    )


def appointment_type(org: Any, name: str = "Consulta") -> AppointmentType:
    return AppointmentTypeFactory(organization=org, name=name)


def appointment(
    patient: Patient,
    location: Location,
    starts_at: dt.datetime,
    kind: AppointmentType,
    *,
    booked_at: dt.datetime | None = None,
    **fields: Any,
) -> Appointment:
    """An appointment with a vet of its own (PostgreSQL refuses a vet's overlapping ones)."""
    made = make_appointment(
        location=location,
        patient=patient,
        vet=fields.pop("vet", None) or UserFactory(organization=patient.organization),
        appointment_type=kind,
        starts_at=starts_at,
        **fields,
    )
    if booked_at is not None:
        Appointment.objects.filter(pk=made.pk).update(created_at=booked_at)
        made.refresh_from_db()
    return made


def vaccine(org: Any, name: str = "Nobivac DHPPi") -> Product:
    return Product.objects.create(organization=org, name=name, kind=Product.Kind.VACCINE)


def vaccination(
    patient: Patient,
    location: Location,
    vet: User,
    product: Product,
    *,
    given_on: dt.date,
    due_on: dt.date | None,
    **fields: Any,
) -> Vaccination:
    return Vaccination.objects.create(
        organization=patient.organization,
        location=location,
        patient=patient,
        vet=vet,
        product=product,
        administered_on=given_on,
        next_due_on=due_on,
        **fields,
    )


def signed_visit(
    patient: Patient,
    location: Location,
    vet: User,
    *,
    signed_at: dt.datetime,
    visit_type: str = "consultation",
    **fields: Any,
) -> Visit:
    return Visit.objects.create(
        organization=patient.organization,
        location=location,
        patient=patient,
        client=patient.client,
        vet=vet,
        visit_type=visit_type,
        status=Visit.Status.SIGNED,
        opened_at=fields.pop("opened_at", signed_at - dt.timedelta(hours=1)),
        signed_at=signed_at,
        signed_by=vet,
        **fields,
    )


KIND_OF = {
    Trigger.APPOINTMENT: MessageKind.APPOINTMENT_REMINDER,
    Trigger.VACCINE_DUE: MessageKind.VACCINE_DUE,
    Trigger.FOLLOW_UP: MessageKind.FOLLOW_UP,
    Trigger.BIRTHDAY: MessageKind.BIRTHDAY,
    Trigger.LAPSED_CLIENT: MessageKind.LAPSED_CLIENT,
}


def rule(org: Any, trigger: str, offset_minutes: int, **fields: Any) -> ReminderRule:
    return ReminderRule.objects.create(
        organization=org,
        name=fields.pop("name", f"{trigger} {offset_minutes}"),
        trigger=trigger,
        kind=fields.pop("kind", KIND_OF[trigger]),
        offset_minutes=offset_minutes,
        **fields,
    )


HOUR = 60
DAY = 24 * 60


@pytest.fixture
def twilio_settings(settings: Any) -> None:
    """SMS and WhatsApp set up (nothing is sent in these tests: no server behind them)."""
    settings.TWILIO_ACCOUNT_SID = "AC00000000000000000000000000000000"
    settings.TWILIO_AUTH_TOKEN = "secret"
    settings.TWILIO_API_BASE = "http://127.0.0.1:9"
    settings.TWILIO_SMS_FROM = "+15005550006"
    settings.TWILIO_WHATSAPP_FROM = "+14155238886"
