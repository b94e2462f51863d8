"""The database router of the chain shape: with DATABASE_REPLICA_URL set, a "replica" alias
exists and report selectors read from it (`.using(reports_db())`); everything else, and every
write and migration, stays on "default". Without a replica, nothing changes."""

from __future__ import annotations

from typing import Any

REPLICA = "replica"


def replica_settings(primary: dict[str, Any], replica: dict[str, Any] | None) -> dict[str, Any]:
    """The DATABASES mapping: the primary, plus the replica when one is configured. In tests
    the replica mirrors the primary's test database (Django's TEST MIRROR)."""
    databases: dict[str, Any] = {"default": primary}
    if replica:
        databases[REPLICA] = {**replica, "TEST": {"MIRROR": "default"}}
    return databases


class ReportsReplicaRouter:
    """Reads of report selectors are sent to the replica explicitly; this router keeps the
    replica read-only and migration-free, and lets rows from both aliases relate (they are
    the same database)."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        """No opinion: ordinary reads stay on the primary (read-your-writes)."""
        return None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        """An object read from the replica is written to the primary."""
        instance = hints.get("instance")
        if instance is not None and instance._state.db == REPLICA:
            return "default"
        return None

    def allow_relation(self, first: Any, second: Any, **hints: Any) -> bool | None:
        """Objects from the primary and its replica may be related."""
        aliases = {"default", REPLICA}
        if first._state.db in aliases and second._state.db in aliases:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        """Migrations run on the primary only; the replica follows by streaming."""
        if db == REPLICA:
            return False
        return None
