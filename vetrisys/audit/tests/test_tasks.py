import logging

from django.db import connection

from vetrisys.audit.services import record
from vetrisys.audit.tasks import audit_chain_verify


def test_nightly_check_reports_intact_chain(world, admin):
    record(actor=admin, action="test.one", target=world.location_a)

    assert audit_chain_verify.call_local() == "intact"


def test_nightly_check_logs_a_broken_chain(world, admin, caplog):
    event = record(actor=admin, action="test.one", target=world.location_a)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE audit_auditevent SET action = %s WHERE id = %s",
            ["test.forged", event.pk.hex if connection.vendor == "sqlite" else str(event.pk)],
        )

    with caplog.at_level(logging.ERROR, logger="vetrisys.audit"):
        result = audit_chain_verify.call_local()

    assert result == f"chain {world.org.pk}, event #1: its content was changed"
    assert caplog.messages == [f"audit chain broken: {result}"]
