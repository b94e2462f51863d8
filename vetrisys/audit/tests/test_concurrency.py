"""Concurrent appends to one organization's chain stay contiguous and verifiable."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from vetrisys.audit.models import AuditEvent
from vetrisys.audit.services import record, verify

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif("connection.vendor != 'postgresql'"),
    pytest.mark.django_db(transaction=True),
]

WRITERS = 12


def test_concurrent_writers_append_one_contiguous_chain(world, admin):
    barrier = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def append(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            record(
                actor=admin,
                action="test.concurrent",
                target=world.location_a,
                changes={"writer": index},
            )
        except BaseException as error:  # the assertion below reports it
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    sequences = sorted(
        AuditEvent.objects.filter(chain=str(world.org.pk), action="test.concurrent").values_list(
            "sequence", flat=True
        )
    )
    assert sequences == list(range(1, WRITERS + 1))
    writers = sorted(
        e.changes["writer"] for e in AuditEvent.objects.filter(action="test.concurrent")
    )
    assert writers == list(range(WRITERS))
    assert verify() is None
    assert connection.vendor == "postgresql"
