"""Jobs of backups: the scheduled backup with retention, and the one asked for on screen."""

from __future__ import annotations

import logging

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from vetrisys.backups.models import BackupRun
from vetrisys.backups.services import backup_into_folder

logger = logging.getLogger("vetrisys.backups")


def _run(run: BackupRun) -> str:
    try:
        backup_into_folder(run=run)
    except Exception:  # recorded on the run and logged by backup_execute
        return BackupRun.Status.FAILED
    return BackupRun.Status.GOOD


def scheduled_backup() -> str:
    """One scheduled backup into BACKUP_DIR, then the retention policy."""
    return _run(BackupRun.objects.create(kind=BackupRun.Kind.SCHEDULED))


if settings.BACKUP_SCHEDULE.strip().lower() not in ("", "off"):
    periodic_backup = db_periodic_task(crontab(hour=settings.BACKUP_SCHEDULE, minute="30"))(
        scheduled_backup
    )


@db_task()  # type: ignore[untyped-decorator]
def backup_job(run_id: str) -> str:
    """The backup a person asked for on the backups screen."""
    run = BackupRun.objects.filter(pk=run_id, status=BackupRun.Status.QUEUED).first()
    if run is None:
        return "gone"
    return _run(run)
