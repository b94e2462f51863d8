"""`vetrisys reminders`: one run of the job; twice sends nothing twice; naive --now refused."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from vetrisys.notifications.models import Message
from vetrisys.notifications.tests.reminder_factories import (
    HOUR,
    Trigger,
    appointment,
    appointment_type,
    owner,
    pet,
    rule,
)


def _book_in_47_hours(world, hours: int = 47) -> None:
    """An owner who consented to email, an appointment 47 hours from now booked days ago, and
    the 48 h rule: the reminder became due an hour ago."""
    now = timezone.now()
    client = owner(world.org, channel="email", first_name="Rosa")
    appointment(
        pet(client, name="Firulais"),
        world.location_a,
        now + dt.timedelta(hours=hours),
        appointment_type(world.org),
        booked_at=now - dt.timedelta(days=3),
    )
    rule(world.org, Trigger.APPOINTMENT, -48 * HOUR)


def _run(*args: str) -> str:
    out = StringIO()
    call_command("reminders", *args, stdout=out)
    return out.getvalue()


def test_one_run_queues_and_sends_and_a_second_sends_nothing(world):
    _book_in_47_hours(world)

    first = _run()
    second = _run()

    assert "queued: 1 (appointment_reminder 1)" in first
    assert "sent: 1 (appointment_reminder 1)" in first
    assert "queued: 0" in second
    assert "sent: 0" in second
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["rosa@example.pe"]
    assert "Firulais" in mail.outbox[0].body
    message = Message.objects.get()
    assert message.status == Message.Status.SENT


def test_now_in_the_future_queues_but_sends_only_when_the_time_comes(world):
    _book_in_47_hours(world, hours=50)  # the 48 h reminder is due in two hours
    later = (timezone.now() + dt.timedelta(hours=3)).isoformat()

    output = _run("--now", later)

    assert "queued: 1" in output
    assert "sent: 0" in output
    assert mail.outbox == []
    assert Message.objects.get().status == Message.Status.QUEUED


def test_a_naive_now_is_refused_and_nothing_is_done(world):
    _book_in_47_hours(world)

    with pytest.raises(CommandError, match="no time zone"):
        _run("--now", "2030-01-05T10:00:00")
    with pytest.raises(CommandError, match="not an ISO 8601"):
        _run("--now", "tomorrow")

    assert Message.objects.count() == 0


def _database_url() -> str:
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    user = database.get("USER") or "postgres"
    return (
        f"postgres://{user}@{database.get('HOST') or '127.0.0.1'}:"
        f"{database.get('PORT') or 5432}/{database['NAME']}"
    )


@pytest.mark.django_db(transaction=True)
def test_the_command_line_twice_sends_one_message(world, tmp_path, settings):
    _book_in_47_hours(world)
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "EMAIL_URL": "console://",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "test-secret-key"),
        # The owners' addresses are encrypted under the test run's keys.
        "ENCRYPTION_KEYS": settings.ENCRYPTION_KEYS,
        "ENCRYPTION_HASH_KEY": settings.ENCRYPTION_HASH_KEY,
    }
    if connection.vendor == "postgresql" and connection.settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = connection.settings_dict["PASSWORD"]

    def vetrisys(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "vetrisys", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )

    first = vetrisys("reminders")
    second = vetrisys("reminders")

    assert first.returncode == 0, first.stderr
    assert "sent: 1 (appointment_reminder 1)" in first.stdout
    assert second.returncode == 0, second.stderr
    assert "queued: 0" in second.stdout
    assert "sent: 0" in second.stdout
    assert list(Message.objects.values_list("status", flat=True)) == ["sent"]
