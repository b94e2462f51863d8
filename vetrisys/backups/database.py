"""Copy the database out to a file and back: SQLite's online backup API, or PostgreSQL's
pg_dump / pg_restore + psql. The history of backups itself is left out of the copy (it
describes the installation, and a restored copy would show its own backup as still running)."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

RUN_TABLE = "backups_backuprun"


class DatabaseCopyError(Exception):
    """A dump or a restore of the database failed; the message says why."""


def engine() -> str:
    """`sqlite` or `postgresql`."""
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


def dump_name() -> str:
    """The database's name inside the archive."""
    return "database.pgdump" if engine() == "postgresql" else "database.sqlite3"


def applied_migrations() -> list[list[str]]:
    """[app, name] of every migration applied to the database, sorted."""
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return []
    return sorted([app, name] for app, name in recorder.applied_migrations())


def unknown_migrations(migrations: list[list[str]]) -> list[str]:
    """The migrations of a backup that this version of VetriSys does not have (a newer
    schema)."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)
    return [f"{app}.{name}" for app, name in migrations if (app, name) not in known]


# ---------------------------------------------------------------- SQLite


def _sqlite_dump(target: Path) -> None:
    # A connection of its own, read-only: what is committed, never a half-done transaction.
    name = str(connection.settings_dict["NAME"])
    source = sqlite3.connect(f"file:{name}?mode=ro", uri=True, timeout=30)
    copy = sqlite3.connect(target)
    try:
        # One step (pages=-1): the whole file is copied under one read transaction, so the
        # copy is a consistent snapshot even while the clinic keeps working.
        source.backup(copy)
        if copy.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (RUN_TABLE,)
        ).fetchone():
            copy.execute(f"DELETE FROM {RUN_TABLE}")
            copy.commit()
        copy.execute("VACUUM")
    finally:
        copy.close()
        source.close()


def _sqlite_restore(source_file: Path) -> None:
    check = sqlite3.connect(f"file:{source_file}?mode=ro", uri=True)
    try:
        result = check.execute("PRAGMA integrity_check").fetchone()
    finally:
        check.close()
    if not result or result[0] != "ok":
        raise DatabaseCopyError("The database in the backup is damaged.")
    connections.close_all()
    live_name = str(connection.settings_dict["NAME"])
    source = sqlite3.connect(source_file)
    live = sqlite3.connect(live_name, timeout=30)
    try:
        # Page by page under SQLite's own locking: the live file is replaced as one transaction,
        # never left half-written, and open connections see the restored database afterwards.
        source.backup(live)
    finally:
        live.close()
        source.close()


# ---------------------------------------------------------------- PostgreSQL


def _pg_environment() -> dict[str, str]:
    settings_dict: dict[str, Any] = connection.settings_dict
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    mapping = {
        "PGDATABASE": settings_dict.get("NAME"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
    }
    options = settings_dict.get("OPTIONS") or {}
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
    ):
        mapping[variable] = options.get(option)
    env.update({key: str(value) for key, value in mapping.items() if value})
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise DatabaseCopyError(f"{name} is not installed (the PostgreSQL client tools).")
    return path


def _tool_major(path: str) -> int:
    output = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    return int(match.group(1)) if match else 0


def check_pg_tools() -> None:
    """pg_dump, pg_restore and psql at least as new as the server, or a clear error."""
    connection.ensure_connection()
    server_major = int(connection.pg_version) // 10000  # type: ignore[attr-defined]
    for name in ("pg_dump", "pg_restore", "psql"):
        major = _tool_major(_tool(name))
        if major < server_major:
            raise DatabaseCopyError(
                f"{name} {major} is older than the PostgreSQL server ({server_major}); "
                f"install the client tools of version {server_major}."
            )


def _run(args: list[str], what: str) -> None:
    result = subprocess.run(
        args, env=_pg_environment(), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise DatabaseCopyError(f"{what} failed: {' / '.join(detail[-3:]) or result.returncode}")


def _pg_dump(target: Path) -> None:
    check_pg_tools()
    _run(
        [
            _tool("pg_dump"),
            "--format=custom",
            "--no-password",
            f"--exclude-table-data={RUN_TABLE}",
            f"--file={target}",
        ],
        "pg_dump",
    )


# Run together with the restored script in ONE transaction (psql --single-transaction): the
# schema is emptied and rebuilt, or, on any error, left exactly as it was. The schema itself
# stays, with its owner, grants and default privileges (docs/operations.md); its tables and
# its functions (not those of extensions) go.
_PRELUDE = """
DO $$
DECLARE item record;
BEGIN
    FOR item IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
        EXECUTE format('DROP TABLE IF EXISTS public.%I CASCADE', item.tablename);
    END LOOP;
    FOR item IN SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' LOOP
        EXECUTE format('DROP SEQUENCE IF EXISTS public.%I CASCADE', item.sequencename);
    END LOOP;
    FOR item IN
        SELECT p.oid::regprocedure AS signature
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public'
          AND NOT EXISTS (
              SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e'
          )
    LOOP
        EXECUTE format('DROP ROUTINE IF EXISTS %s CASCADE', item.signature);
    END LOOP;
END
$$;
"""


def _pg_restore(source_file: Path, work_dir: Path) -> None:
    check_pg_tools()
    script = work_dir / "restore.sql"
    prelude = work_dir / "prelude.sql"
    prelude.write_text(_PRELUDE, encoding="utf-8")
    _run(
        [
            _tool("pg_restore"),
            # Objects belong to whoever restores (the owner role); the grants of the dump
            # (the application role's, the audit table's append-only ones) are replayed.
            "--no-owner",
            f"--file={script}",
            str(source_file),
        ],
        "pg_restore",
    )
    connections.close_all()
    _run(
        [
            _tool("psql"),
            "--no-password",
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "--set=ON_ERROR_STOP=1",
            f"--file={prelude}",
            f"--file={script}",
        ],
        "psql",
    )


# ---------------------------------------------------------------- either


def dump(target: Path) -> None:
    """A consistent copy of the configured database, written to `target`."""
    if engine() == "postgresql":
        _pg_dump(target)
    else:
        _sqlite_dump(target)


def restore(source_file: Path, work_dir: Path) -> None:
    """Replace the configured database with the copy in `source_file`, all or nothing."""
    if engine() == "postgresql":
        _pg_restore(source_file, work_dir)
    else:
        _sqlite_restore(source_file)
    connections.close_all()
