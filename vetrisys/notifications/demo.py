"""Demo data of messages: quiet hours at every location and two months of messages to owners —
reminders sent, a few failed (a wrong number, a full mailbox), some queued for the coming days
and one cancelled because its appointment was moved. Idempotent (keys start with "demo:")."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from vetrisys.accounts.models import Location, Organization
from vetrisys.clients.models import Client
from vetrisys.notifications.models import LocationMessaging, Message, MessageChannel, MessageKind
from vetrisys.notifications.services.outbox import base_context, client_address, message_render

DEMO_PREFIX = "demo:"
HISTORY_DAYS = 60
QUIET_FROM, QUIET_UNTIL = dt.time(21, 0), dt.time(8, 0)

# (kind, days from today, status, error): the story told by the outbox.
_STORY: tuple[tuple[str, int, str, str], ...] = (
    *((MessageKind.APPOINTMENT_REMINDER, -d, "sent", "") for d in range(2, HISTORY_DAYS, 3)),
    *((MessageKind.VACCINE_DUE, -d, "sent", "") for d in range(5, HISTORY_DAYS, 7)),
    *((MessageKind.VACCINE_OVERDUE, -d, "sent", "") for d in (9, 23, 41)),
    *((MessageKind.FOLLOW_UP, -d, "sent", "") for d in (4, 12, 30)),
    *((MessageKind.BIRTHDAY, -d, "sent", "") for d in (6, 19, 47)),
    (MessageKind.LAPSED_CLIENT, -15, "sent", ""),
    (MessageKind.APPOINTMENT_REMINDER, -3, "failed",
     "Twilio 400 (21211): The 'To' number is not a valid phone number."),
    (MessageKind.VACCINE_DUE, -1, "failed", "SMTP 552: b'Mailbox full'"),
    (MessageKind.APPOINTMENT_REMINDER, 1, "queued", ""),
    (MessageKind.APPOINTMENT_REMINDER, 2, "queued", ""),
    (MessageKind.VACCINE_DUE, 3, "queued", ""),
    (MessageKind.APPOINTMENT_REMINDER, 1, "cancelled", ""),
)  # fmt: skip


def _channel(client: Client) -> str | None:
    """The owner's preferred consented channel with an address (Twilio set up or not)."""
    order = [client.preferred_channel, MessageChannel.WHATSAPP, MessageChannel.SMS, "email"]
    for channel in dict.fromkeys(order):
        if (
            channel in MessageChannel.values
            and channel != MessageChannel.IN_APP
            and client.has_consent(channel)
            and client_address(client, channel)
        ):
            return channel
    return None


def load(*, organization: Organization, locations: list[Location]) -> None:
    """Add the quiet hours and the messages unless they are there."""
    for location in locations:
        LocationMessaging.objects.get_or_create(
            location=location,
            defaults={
                "organization": organization,
                "quiet_from": QUIET_FROM,
                "quiet_until": QUIET_UNTIL,
            },
        )
    if Message.objects.filter(
        organization=organization, idempotency_key__startswith=DEMO_PREFIX
    ).exists():
        return
    rng = random.Random(20261121)
    owners = [
        (client, channel)
        for client in Client.objects.filter(organization=organization, is_active=True)
        .prefetch_related("phones", "patients")
        .order_by("last_name", "first_name", "id")
        if (channel := _channel(client)) is not None and client.patients.all()
    ]
    if not owners or not locations:
        return
    now = timezone.now()
    rows = []
    for number, (kind, days, status, error) in enumerate(_STORY):
        client, channel = owners[number % len(owners)]
        patient = rng.choice(list(client.patients.all()))
        location = locations[number % len(locations)]
        local_ten = now.astimezone(dt.UTC).replace(hour=15, minute=0, second=0, microsecond=0)
        scheduled_for = local_ten + dt.timedelta(days=days)
        values: dict[str, Any] = base_context(
            organization=organization, client=client, patient=patient, location=location
        )
        values.update(
            appointment_starts_at=scheduled_for + dt.timedelta(days=2),
            vaccine_name="Rabia" if number % 2 else "Séxtuple",
            due_on=(scheduled_for + dt.timedelta(days=7)).date(),
        )
        language = client.language if client.language in ("es", "en") else "es"
        template, text = message_render(
            organization=organization, kind=kind, channel=channel, language=language,
            values=values, zone=location.time_zone,
        )  # fmt: skip
        rows.append(
            Message(
                organization=organization,
                location=location,
                client=client,
                patient=patient,
                kind=kind,
                channel=channel,
                template=template,
                language=language,
                to=client_address(client, channel),
                subject=text.subject,
                body=text.body,
                status=status,
                scheduled_for=scheduled_for,
                attempts=1 if status in ("sent", "failed") else 0,
                sent_at=scheduled_for if status == "sent" else None,
                provider_id=f"SMdemo{number:030d}"
                if status == "sent" and channel != "email"
                else "",
                error=error,
                cancelled_reason="appointment moved" if status == "cancelled" else "",
                idempotency_key=f"{DEMO_PREFIX}{number}",
                cause_type="demo",
            )
        )
    Message.objects.bulk_create(rows)
