"""The outbox: queuing once per purpose, the channel from consent and preference, the text from
the template in the owner's language, sending through the real local servers."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from vetrisys.core.errors import Conflict, NotAllowed
from vetrisys.notifications.models import Message, MessageTemplate
from vetrisys.notifications.services import (
    message_cancel,
    message_queue,
    message_retry,
    message_send,
    messages_cancel_for_cause,
    messages_send_due,
)

LIMA = ZoneInfo("America/Lima")


def _queue(world, client, *, key="appointment_reminder:1", when=None, **extra):
    fields = {
        "organization": world.org,
        "client": client,
        "kind": "appointment_reminder",
        "idempotency_key": key,
        "scheduled_for": when or timezone.now(),
        "context": {
            "appointment_starts_at": dt.datetime(2026, 11, 23, 15, 30, tzinfo=dt.UTC),
        },
        "location": world.location_a,
    }
    fields.update(extra)
    return message_queue(**fields)


def test_a_reminder_goes_on_the_preferred_channel_in_the_owners_language(
    world, rosa, firulais, twilio
):
    world.location_a.address, world.location_a.phone = "Av. Larco 345", "01 445 1234"
    world.location_a.save()

    message = _queue(world, rosa, patient=firulais, cause_type="appointment")

    assert message is not None
    assert message.channel == "whatsapp"
    assert message.to == "+51987654321"
    assert message.language == "es"
    assert message.status == "queued"
    assert message.template is None
    # 15:30 UTC is 10:30 in Lima.
    assert message.body == (
        "Miraflores: recuerde la cita de Firulais el 23 de noviembre de 2026 a las 10:30. "
        "Para cambiarla: 01 445 1234."
    )
    assert message.subject == "Recordatorio: cita de Firulais"


def test_english_email_from_the_built_in_template(world, john):
    message = _queue(world, john)

    assert message is not None
    assert message.channel == "email"
    assert message.to == "john@example.com"
    assert message.subject == "Reminder: 's appointment"
    assert "appointment on Nov. 23, 2026, 10:30 a.m. at Miraflores" in message.body


def test_the_organizations_own_template_wins(world, john):
    MessageTemplate.objects.create(
        organization=world.org, kind="appointment_reminder", channel="email", language="en",
        subject="See you, {{ client_first_name }}",
        body="{{ appointment_date }} at {{ appointment_time }}",
    )  # fmt: skip

    message = _queue(world, john)

    assert message.subject == "See you, John"
    assert message.body == "Nov. 23, 2026 at 10:30 a.m."
    assert message.template is not None


def test_the_same_purpose_is_queued_once(world, rosa, twilio):
    first = _queue(world, rosa, key="vaccine_due:abc")
    again = _queue(world, rosa, key="vaccine_due:abc", kind="vaccine_due")

    assert again == first
    assert Message.objects.count() == 1


def test_without_a_consented_reachable_channel_nothing_is_queued(world, rosa, twilio):
    rosa.email_consent_at = rosa.sms_consent_at = rosa.whatsapp_consent_at = None
    rosa.save()

    assert _queue(world, rosa) is None
    assert Message.objects.count() == 0


def test_sms_and_whatsapp_need_twilio_set_up(world, rosa, settings):
    settings.TWILIO_ACCOUNT_SID = ""

    message = _queue(world, rosa)

    assert message.channel == "email"
    assert message.to == "rosa@example.pe"


def test_a_requested_channel_without_consent_falls_back(world, rosa, twilio):
    rosa.sms_consent_at = None
    rosa.save()

    message = _queue(world, rosa, channel="sms")

    assert message.channel == "whatsapp"


def test_in_app_needs_no_consent(world, rosa):
    rosa.email_consent_at = rosa.sms_consent_at = rosa.whatsapp_consent_at = None
    rosa.save()

    message = _queue(world, rosa, channel="in_app")

    assert message.channel == "in_app"
    assert message_send(message_id=message.pk) == "sent"
    message.refresh_from_db()
    assert message.status == "sent"
    assert message.sent_at is not None


def test_no_message_about_a_deceased_pet(world, rosa, firulais, twilio):
    firulais.deceased_on = dt.date(2026, 11, 1)
    firulais.save()

    assert _queue(world, rosa, patient=firulais) is None


def test_queuing_sends_after_the_commit_only(world, john, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = _queue(world, john)
        assert len(mail.outbox) == 0

    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.status == "sent"
    assert mail.outbox[0].to == ["john@example.com"]


def test_a_message_due_later_is_not_sent_yet(world, john):
    message = _queue(world, john, when=timezone.now() + dt.timedelta(hours=2))

    assert message_send(message_id=message.pk) == "queued"
    assert messages_send_due() == {"reaped_sent": 0, "reaped_queued": 0, "reaped_failed": 0}
    assert len(mail.outbox) == 0


# ------------------------------------------------------------------ consent and quiet hours


def test_consent_withdrawn_after_queuing_cancels_the_message(world, rosa, twilio):
    message = _queue(world, rosa)
    rosa.whatsapp_consent_at = None
    rosa.save()

    assert message_send(message_id=message.pk) == "cancelled"

    message.refresh_from_db()
    assert message.cancelled_reason == "consent withdrawn"
    assert twilio.creations == []


def test_a_reminder_due_in_the_quiet_hours_waits_for_their_end(world, john):
    from vetrisys.notifications.models import LocationMessaging

    LocationMessaging.objects.create(
        organization=world.org, location=world.location_a,
        quiet_from=dt.time(21, 0), quiet_until=dt.time(8, 0),
    )  # fmt: skip
    # 23:15 in Lima is 04:15 UTC the next day.
    late = dt.datetime(2026, 11, 20, 23, 15, tzinfo=LIMA)

    message = _queue(world, john, when=late)

    assert message.scheduled_for == dt.datetime(2026, 11, 21, 8, 0, tzinfo=LIMA)


def test_a_receipt_ignores_the_quiet_hours(world, john):
    from vetrisys.notifications.models import LocationMessaging

    LocationMessaging.objects.create(
        organization=world.org, location=world.location_a,
        quiet_from=dt.time(21, 0), quiet_until=dt.time(8, 0),
    )  # fmt: skip
    late = dt.datetime(2026, 11, 20, 23, 15, tzinfo=LIMA)

    message = _queue(world, john, kind="receipt", key="receipt:1", when=late)

    assert message.scheduled_for == late


def test_a_job_running_late_into_the_quiet_hours_puts_the_message_back(world, john, monkeypatch):
    from vetrisys.core import timeutil
    from vetrisys.notifications.models import LocationMessaging

    message = _queue(world, john, when=dt.datetime(2026, 11, 20, 20, 50, tzinfo=LIMA))
    LocationMessaging.objects.create(
        organization=world.org, location=world.location_a,
        quiet_from=dt.time(21, 0), quiet_until=dt.time(8, 0),
    )  # fmt: skip
    monkeypatch.setattr(
        timeutil, "now", lambda: dt.datetime(2026, 11, 20, 21, 5, tzinfo=LIMA).astimezone(dt.UTC)
    )

    assert message_send(message_id=message.pk) == "queued"

    message.refresh_from_db()
    assert message.scheduled_for == dt.datetime(2026, 11, 21, 8, 0, tzinfo=LIMA)
    assert message.attempts == 0
    assert len(mail.outbox) == 0


# ------------------------------------------------------------------ cancel and retry


def test_cancelling_for_a_cause_touches_only_queued_messages(world, rosa, john, twilio):
    cause = "0190f1a2-0000-7000-8000-000000000001"
    queued = _queue(world, rosa, key="a", cause_type="appointment", cause_id=cause)
    sent = _queue(world, john, key="b", cause_type="appointment", cause_id=cause)
    message_send(message_id=sent.pk)

    count = messages_cancel_for_cause(cause_type="appointment", cause_id=cause, reason="moved")

    assert count == 1
    queued.refresh_from_db()
    sent.refresh_from_db()
    assert (queued.status, queued.cancelled_reason) == ("cancelled", "moved")
    assert sent.status == "sent"


def test_cancel_a_sent_message_is_a_conflict(world, john):
    message = _queue(world, john)
    message_send(message_id=message.pk)

    with pytest.raises(Conflict):
        message_cancel(message=message, reason="no")


def test_a_manager_retries_a_failed_message_a_receptionist_may_not(
    world, john, manager_a, receptionist_a
):
    message = _queue(world, john)
    Message.objects.filter(pk=message.pk).update(status="failed", error="SMTP 550")

    with pytest.raises(NotAllowed):
        message_retry(actor=receptionist_a, message=message)
    message.refresh_from_db()
    assert message.status == "failed"

    retried = message_retry(actor=manager_a, message=message)
    assert retried.status == "queued"
    with pytest.raises(Conflict):
        message_retry(actor=manager_a, message=retried)
