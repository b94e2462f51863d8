"""Racing callers on PostgreSQL: one row per purpose, one sender per message."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from vetrisys.notifications.models import Message
from vetrisys.notifications.services import message_queue, message_send

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif("connection.vendor != 'postgresql'"),
    pytest.mark.django_db(transaction=True),
]

CALLERS = 12


def _race(action: Callable[[], Any]) -> tuple[list[Any], list[BaseException]]:
    barrier = threading.Barrier(CALLERS)
    results: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=20)
            results.append(action())
        except BaseException as error:  # reported by the assertions
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(CALLERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def test_twelve_transactions_queuing_the_same_purpose_make_one_row(world, john):
    def queue() -> Any:
        with transaction.atomic():
            message = message_queue(
                organization=world.org, client=john, kind="vaccine_due",
                idempotency_key="vaccine_due:rabies:john", context={"vaccine_name": "Rabia"},
                scheduled_for=timezone.now() + dt.timedelta(days=1), location=world.location_a,
            )  # fmt: skip
            return message.pk

    ids, errors = _race(queue)

    assert errors == []
    assert Message.objects.count() == 1
    assert set(ids) == {Message.objects.get().pk}


def test_twelve_workers_sending_the_same_message_send_it_once(world, rosa, twilio):
    message = message_queue(
        organization=world.org, client=rosa, kind="general", idempotency_key="general:1",
        context={"message": "Hola"}, scheduled_for=timezone.now() + dt.timedelta(hours=1),
        location=world.location_a, channel="sms",
    )  # fmt: skip
    Message.objects.filter(pk=message.pk).update(scheduled_for=timezone.now())

    statuses, errors = _race(lambda: message_send(message_id=message.pk))

    assert errors == []
    assert len(twilio.creations) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)
    assert statuses.count("sent") >= 1
    assert set(statuses) <= {"sent", "sending"}


def test_runs_on_postgresql():
    assert connection.vendor == "postgresql"
