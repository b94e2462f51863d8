"""Backups and restores: run one (recorded as a BackupRun), request one from the screen,
apply the retention policy, and restore a backup file into the configured database."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils.translation import gettext as _

from vetrisys.audit.services import record
from vetrisys.backups import database
from vetrisys.backups.archive import (
    WrittenBackup,
    read_backup,
    remove_backup,
    restore_media,
    write_backup,
)
from vetrisys.backups.keys import backup_keys
from vetrisys.backups.models import BackupRun
from vetrisys.backups.selectors import require_backup_admin
from vetrisys.core.errors import Conflict
from vetrisys.core.timeutil import now

logger = logging.getLogger("vetrisys.backups")

SUFFIX = ".vsbackup"
ERROR_LENGTH = 2000


class RestoreRefused(Exception):
    """The backup cannot be restored here; nothing was touched."""


def backup_file_name(moment: dt.datetime) -> str:
    """vetrisys-20261121T021500Z.vsbackup"""
    return f"vetrisys-{moment.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}{SUFFIX}"


def _history_table_exists() -> bool:
    return BackupRun._meta.db_table in connection.introspection.table_names()


def backup_execute(*, run: BackupRun | None, destination: Path) -> WrittenBackup:
    """Write one backup to `destination`, recording it in `run` (running → good or failed).
    A run is marked good only after the file is complete and verified."""
    if run is not None:
        run.status = BackupRun.Status.RUNNING
        run.started_at = now()
        run.path = str(destination)
        run.save(update_fields=["status", "started_at", "path", "updated_at"])
    try:
        written = write_backup(destination, run_id=str(run.pk) if run else "")
    except Exception as error:
        if run is not None:
            run.status = BackupRun.Status.FAILED
            run.finished_at = now()
            run.error = (str(error) or type(error).__name__)[:ERROR_LENGTH]
            run.save(update_fields=["status", "finished_at", "error", "updated_at"])
        logger.exception("backup to %s failed", destination)
        raise
    if run is not None:
        run.status = BackupRun.Status.GOOD
        run.finished_at = now()
        run.size = written.size
        run.sha256 = written.sha256
        run.save(update_fields=["status", "finished_at", "size", "sha256", "updated_at"])
    logger.info("backup written to %s (%d bytes)", destination, written.size)
    return written


def backup_to_path(path: Path) -> WrittenBackup:
    """`vetrisys backup --to PATH`: a file, or a new file inside PATH when it is a folder."""
    destination = path / backup_file_name(now()) if path.is_dir() else path
    if destination.exists():
        raise FileExistsError(f"{destination} already exists; choose another name.")
    run = BackupRun.objects.create(kind=BackupRun.Kind.COMMAND) if _history_table_exists() else None
    return backup_execute(run=run, destination=destination.resolve())


def backup_into_folder(*, run: BackupRun) -> WrittenBackup:
    """Write a backup into BACKUP_DIR, then apply the retention policy there."""
    folder = Path(settings.BACKUP_DIR)
    written = backup_execute(run=run, destination=folder / backup_file_name(now()))
    backup_prune()
    return written


@transaction.atomic
def backup_request(*, actor: Any) -> BackupRun:
    """Queue a backup now (the "back up now" button); one at a time."""
    require_backup_admin(actor)
    busy = BackupRun.objects.filter(
        status__in=[BackupRun.Status.QUEUED, BackupRun.Status.RUNNING],
        created_at__gte=now() - dt.timedelta(hours=6),
    ).exists()
    if busy:
        raise Conflict(_("A backup is already under way."), code="backup_running")
    run = BackupRun.objects.create(kind=BackupRun.Kind.MANUAL, requested_by=actor)
    record(actor=actor, action="backup.request", target=run, organization=actor.organization_id)
    from vetrisys.backups.tasks import backup_job

    run_id = str(run.pk)
    transaction.on_commit(lambda: backup_job(run_id))
    return run


def _kept(runs: list[BackupRun], keep_daily: int, keep_weekly: int) -> set[Any]:
    keep: set[Any] = {runs[0].pk} if runs else set()
    days: set[dt.date] = set()
    weeks: set[tuple[int, int]] = set()
    for run in runs:  # newest first: the first run of a day or week is the one kept
        assert run.started_at is not None
        day = run.started_at.astimezone(dt.UTC).date()
        week = day.isocalendar()[:2]
        if day not in days and len(days) < keep_daily:
            keep.add(run.pk)
        days.add(day)
        if week not in weeks and len(weeks) < keep_weekly:
            keep.add(run.pk)
        weeks.add(week)
    return keep


def backup_prune(
    *, keep_daily: int | None = None, keep_weekly: int | None = None
) -> list[BackupRun]:
    """Delete good backups of BACKUP_DIR beyond the policy: the newest of each of the last
    `keep_daily` days and `keep_weekly` weeks stay, and the newest good one always stays.
    Failed and command-line backups are never touched."""
    keep_daily = settings.BACKUP_KEEP_DAILY if keep_daily is None else keep_daily
    keep_weekly = settings.BACKUP_KEEP_WEEKLY if keep_weekly is None else keep_weekly
    runs = list(
        BackupRun.objects.filter(
            status=BackupRun.Status.GOOD,
            kind__in=[BackupRun.Kind.SCHEDULED, BackupRun.Kind.MANUAL],
            started_at__isnull=False,
        ).order_by("-started_at", "-id")
    )
    keep = _kept(runs, keep_daily, keep_weekly)
    pruned = []
    for run in runs:
        if run.pk in keep:
            continue
        remove_backup(Path(run.path))
        run.status = BackupRun.Status.PRUNED
        run.save(update_fields=["status", "updated_at"])
        pruned.append(run)
    if pruned:
        logger.info("retention deleted %d old backups", len(pruned))
    return pruned


# ---------------------------------------------------------------- restore


@dataclass(frozen=True)
class RestoreResult:
    """What a restore did."""

    created_at: str
    engine: str
    files: int
    migrated: bool
    erasures_reapplied: int


def _history() -> list[dict[str, Any]]:
    try:
        return [dict(row) for row in BackupRun.objects.values()]
    except DatabaseError:  # a fresh database, not migrated yet
        return []


def _put_history_back(rows: list[dict[str, Any]]) -> None:
    """The backup history describes the installation, not the clinic: it survives a restore."""
    from vetrisys.accounts.models import User

    people = set(User.objects.values_list("pk", flat=True))
    for row in rows:
        if row["requested_by_id"] not in people:
            row["requested_by_id"] = None
    BackupRun.objects.all().delete()
    BackupRun.objects.bulk_create([BackupRun(**row) for row in rows])


def _needs_migrate() -> bool:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def backup_restore(path: Path) -> RestoreResult:
    """Restore a backup file into the configured database and storage.

    Everything is checked first (checksum, every chunk's authentication, every file's
    SHA-256, the engine, the schema not newer than this version); only then is the database
    replaced (in one transaction), migrated up if the backup is older, the attachments put
    back, and every erasure of the privacy journal applied again."""
    if not path.is_file():
        raise RestoreRefused(f"{path} does not exist.")
    keys = backup_keys()
    work_parent = Path(settings.VAR_DIR)
    work_parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work_parent, prefix=".vetrisys-restore-") as folder:
        work = Path(folder)
        manifest = read_backup(path, keys=keys, extract_to=work / "files")
        if manifest["engine"] != database.engine():
            raise RestoreRefused(
                f"This backup is of a {manifest['engine']} database; this installation uses "
                f"{database.engine()}."
            )
        unknown = database.unknown_migrations(manifest["migrations"])
        if unknown:
            raise RestoreRefused(
                "This backup comes from a newer version of VetriSys (unknown migrations: "
                f"{', '.join(unknown[:5])}); update VetriSys first."
            )
        history = _history()
        database.restore(work / "files" / manifest["database"], work)
        migrated = _needs_migrate()
        if migrated:
            call_command("migrate", interactive=False, verbosity=0)
        files = restore_media(work / "files" / "media")
    from vetrisys.privacy.services import erasures_reapply

    with transaction.atomic():
        _put_history_back(history)
        reapplied = erasures_reapply()
        record(
            actor=None,
            action="backup.restore",
            target_type="backups.backup",
            target_id=str(manifest.get("run_id", "")),
            changes={
                "file": path.name,
                "created_at": manifest["created_at"],
                "files": files,
                "erasures_reapplied": reapplied,
            },
        )
    return RestoreResult(
        created_at=manifest["created_at"],
        engine=manifest["engine"],
        files=files,
        migrated=migrated,
        erasures_reapplied=reapplied,
    )
