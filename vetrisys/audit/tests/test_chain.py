"""The audit chain: appended in order, and any edit or deletion is found."""

from __future__ import annotations

import pytest
from django.db import connection

from vetrisys.audit.models import AuditChainHead, AuditEvent
from vetrisys.audit.services import GENESIS, record, verify


def _tamper(sql: str, params: list[object]) -> None:
    """Change audit rows behind the application's back, as a database superuser could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")


def test_events_link_in_sequence(world, admin):
    first = record(actor=admin, action="test.one", target=world.location_a)
    second = record(actor=admin, action="test.two", target=world.location_b, changes={"x": [1, 2]})

    assert (first.sequence, second.sequence) == (1, 2)
    assert first.chain == str(world.org.pk)
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash
    assert first.actor_name == admin.display_name
    head = AuditChainHead.objects.get(chain=str(world.org.pk))
    assert (head.last_sequence, head.last_hash) == (2, second.hash)
    assert verify() is None


def test_verify_finds_an_edited_row(world, admin):
    record(actor=admin, action="test.one", target=world.location_a)
    edited = record(actor=admin, action="test.two", target=world.location_a, changes={"a": 1})
    record(actor=admin, action="test.three", target=world.location_a)

    _tamper(
        "UPDATE audit_auditevent SET action = %s WHERE id = %s",
        ["test.forged", edited.pk.hex if connection.vendor == "sqlite" else str(edited.pk)],
    )

    broken = verify()
    assert broken is not None
    assert (broken.chain, broken.sequence, broken.reason) == (
        str(world.org.pk),
        2,
        "its content was changed",
    )


def test_verify_finds_a_deleted_row(world, admin):
    record(actor=admin, action="test.one", target=world.location_a)
    deleted = record(actor=admin, action="test.two", target=world.location_a)
    record(actor=admin, action="test.three", target=world.location_a)

    _tamper(
        "DELETE FROM audit_auditevent WHERE id = %s",
        [deleted.pk.hex if connection.vendor == "sqlite" else str(deleted.pk)],
    )

    broken = verify()
    assert broken is not None
    assert (broken.sequence, broken.reason) == (2, "the event is missing (deleted)")


def test_verify_finds_the_last_row_deleted(world, admin):
    record(actor=admin, action="test.one", target=world.location_a)
    last = record(actor=admin, action="test.two", target=world.location_a)

    _tamper(
        "DELETE FROM audit_auditevent WHERE id = %s",
        [last.pk.hex if connection.vendor == "sqlite" else str(last.pk)],
    )

    broken = verify()
    assert broken is not None
    assert broken.sequence == 2
    assert broken.reason == "events at the end of the chain are missing (deleted)"


def test_chains_are_per_organization(world, admin, outsider):
    mine = record(actor=admin, action="test.mine", target=world.location_a)
    theirs = record(actor=outsider, action="test.theirs", target=world.other_location)

    assert mine.chain != theirs.chain
    assert (mine.sequence, theirs.sequence) == (1, 1)
    assert verify() is None


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_refuses_to_update_or_delete_audit_rows(world, admin):
    from django.db import DatabaseError, transaction

    event = record(actor=admin, action="test.one", target=world.location_a)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="test.forged")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()

    assert AuditEvent.objects.get(pk=event.pk).action == "test.one"
