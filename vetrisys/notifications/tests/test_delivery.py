"""Delivery through the whole path — queue → job → channel → a real local server — and a
worker killed mid-send: never sent twice, never lost."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from vetrisys.notifications.models import Message
from vetrisys.notifications.services import message_queue, message_send, messages_send_due
from vetrisys.notifications.services.outbox import messages_reap_stale

REPO = Path(__file__).resolve().parents[3]


def _queue(world, client, *, channel=None, key="appointment_reminder:1", when=None, patient=None):
    return message_queue(
        organization=world.org, client=client, kind="appointment_reminder",
        idempotency_key=key, scheduled_for=when or timezone.now(),
        context={"appointment_starts_at": dt.datetime(2026, 11, 23, 15, 30, tzinfo=dt.UTC)},
        location=world.location_a, patient=patient, channel=channel,
    )  # fmt: skip


# ------------------------------------------------------------------ real servers


def test_the_job_sends_real_smtp_mail_to_the_local_server(world, john, smtp):
    message = _queue(world, john)

    counts = messages_send_due()

    assert counts["sent"] == 1
    assert len(smtp.received) == 1
    received = smtp.received[0]
    assert received.mail_from == "avisos@huellitas.pe"
    assert received.rcpt_tos == ["john@example.com"]
    email = received.message
    assert email["Subject"] == "Reminder: 's appointment"
    assert email["To"] == "john@example.com"
    assert email["Message-ID"] == f"<{message.pk}@huellitas.pe>"
    assert email["X-VetriSys-Message"] == str(message.pk)
    assert email.get_content().strip().replace("\r\n", "\n") == message.body
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)
    assert message.provider_id == f"<{message.pk}@huellitas.pe>"


@pytest.mark.parametrize(
    ("channel", "to", "sender"),
    [
        ("sms", "+51987654321", "+15005550006"),
        ("whatsapp", "whatsapp:+51987654321", "whatsapp:+14155238886"),
    ],
)
def test_the_job_sends_real_http_to_the_local_twilio(
    world, rosa, firulais, twilio, channel, to, sender
):
    message = _queue(world, rosa, channel=channel, patient=firulais)

    counts = messages_send_due()

    assert counts["sent"] == 1
    assert len(twilio.creations) == 1
    request = twilio.creations[0]
    assert request.path == f"/2010-04-01/Accounts/{twilio.account_sid}/Messages.json"
    assert request.fields == {"To": to, "From": sender, "Body": message.body}
    assert request.authorization.startswith("Basic ")
    message.refresh_from_db()
    assert message.status == "sent"
    assert message.provider_id == next(iter(twilio.messages))


def test_a_number_twilio_refuses_fails_for_good(world, rosa, twilio):
    twilio.refuse_with = (400, 21211, "The 'To' number is not a valid phone number.")
    message = _queue(world, rosa, channel="sms")

    assert message_send(message_id=message.pk) == "failed"

    message.refresh_from_db()
    assert message.error == "Twilio 400 (21211): The 'To' number is not a valid phone number."
    assert message.attempts == 1


def test_twilio_busy_is_tried_again_later(world, rosa, twilio):
    twilio.refuse_with = (429, 20429, "Too Many Requests")
    message = _queue(world, rosa, channel="sms")

    assert message_send(message_id=message.pk) == "queued"

    message.refresh_from_db()
    assert message.scheduled_for > timezone.now() + dt.timedelta(seconds=50)
    assert message.error == "Twilio 429 (20429): Too Many Requests"


def test_an_smtp_server_nobody_runs_is_tried_again_later(world, john, settings):
    from vetrisys.notifications.tests.fakes import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 5
    message = _queue(world, john)

    assert message_send(message_id=message.pk) == "queued"

    message.refresh_from_db()
    assert message.error.startswith("cannot connect")


def test_a_claim_left_before_twilio_heard_of_it_is_sent_once(world, rosa, twilio):
    """A worker killed between its claim and its request: Twilio has nothing, so the sweep
    queues it again and the job sends it, once."""
    message = _queue(world, rosa, channel="sms", when=timezone.now() + dt.timedelta(hours=1))
    stale = timezone.now() - dt.timedelta(minutes=11)
    Message.objects.filter(pk=message.pk).update(
        status="sending",
        claim_token=uuid.uuid4(),
        claimed_at=stale,
        scheduled_for=stale,
        attempts=1,
    )

    counts = messages_send_due()

    assert (counts["reaped_queued"], counts["sent"]) == (1, 1)
    assert len(twilio.creations) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)


# ------------------------------------------------------------------ a killed worker


def _database_url() -> str:
    database = connection.settings_dict
    if connection.vendor == "postgresql":
        user = database.get("USER") or ""
        password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
        host = database.get("HOST") or "127.0.0.1"
        port = database.get("PORT") or 5432
        return f"postgres://{user}{password}@{host}:{port}/{database['NAME']}"
    return f"sqlite:///{Path(database['NAME']).resolve()}"


def _worker(message: Message, extra_env: dict[str, str]) -> subprocess.Popen[bytes]:
    """`vetrisys messages-send --message <id>` in a process of its own, on the test database."""
    env = {**os.environ, "DATABASE_URL": _database_url(), "VETRISYS_TESTING": "1", **extra_env}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.Popen(
        [sys.executable, "-m", "vetrisys", "messages-send", "--message", str(message.pk)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def _kill_while_sending(worker: subprocess.Popen[bytes], gate) -> None:
    try:
        arrived = gate.arrived.wait(timeout=60)
        if not arrived:
            worker.kill()
            out, err = worker.communicate()
            pytest.fail(f"the worker never reached the server: {out!r} {err!r}")
        worker.send_signal(signal.SIGKILL)
        assert worker.wait(timeout=30) == -signal.SIGKILL
    finally:
        gate.release()


def _due_later(world, client, channel):
    # Queued for later, then made due: the commit must not send it in this process.
    message = _queue(world, client, channel=channel, when=timezone.now() + dt.timedelta(hours=1))
    Message.objects.filter(pk=message.pk).update(scheduled_for=timezone.now())
    return message


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_waiting_for_twilio_neither_resends_nor_loses_the_sms(world, rosa, twilio):
    message = _due_later(world, rosa, "sms")
    twilio.gate.hold()

    _kill_while_sending(_worker(message, twilio.env), twilio.gate)

    message.refresh_from_db()
    assert message.status == "sending"
    # The job runs again: too soon to judge a claim, then after the claim went stale.
    too_soon = messages_send_due()
    assert too_soon == {"reaped_sent": 0, "reaped_queued": 0, "reaped_failed": 0}
    assert len(twilio.creations) == 1
    Message.objects.filter(pk=message.pk).update(
        claimed_at=timezone.now() - dt.timedelta(minutes=11)
    )
    counts = messages_send_due()

    assert counts["reaped_sent"] == 1
    assert len(twilio.creations) == 1
    message.refresh_from_db()
    assert message.status == "sent"
    assert message.provider_id == next(iter(twilio.messages))
    assert message.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_waiting_for_the_smtp_server_is_left_for_review_not_resent(
    world, john, smtp
):
    message = _due_later(world, john, "email")
    smtp.gate.hold()

    worker = _worker(
        message,
        {
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
            "DEFAULT_FROM_EMAIL": django_settings.DEFAULT_FROM_EMAIL,
        },
    )
    _kill_while_sending(worker, smtp.gate)

    counts = messages_reap_stale(stale_after=dt.timedelta(0))
    messages_send_due()

    assert counts == {"sent": 0, "queued": 0, "failed": 1}
    assert len(smtp.received) == 1
    message.refresh_from_db()
    assert message.status == "failed"
    assert message.error == "delivery unknown: the sending worker stopped; check before retrying"


def test_a_twilio_server_error_is_settled_by_asking_twilio_not_by_resending(world, rosa, twilio):
    """Twilio answered 503: maybe it has the message, maybe not. The message waits as
    "sending"; once the claim is stale the job asks Twilio, finds nothing, and sends it once."""
    twilio.refuse_with = (503, 20500, "Service Unavailable")
    message = _queue(world, rosa, channel="sms")

    assert message_send(message_id=message.pk) == "sending"
    assert messages_send_due() == {"reaped_sent": 0, "reaped_queued": 0, "reaped_failed": 0}
    twilio.refuse_with = None
    Message.objects.filter(pk=message.pk).update(
        claimed_at=timezone.now() - dt.timedelta(minutes=11)
    )

    counts = messages_send_due()

    assert (counts["reaped_queued"], counts["sent"]) == (1, 1)
    assert len(twilio.creations) == 2  # the refused request, then the one that created it
    assert len(twilio.messages) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.error) == ("sent", 2, "")
