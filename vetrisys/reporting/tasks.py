"""Background jobs of reporting: thin wrappers over jobs.py."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from vetrisys.reporting import jobs


@db_task()  # type: ignore[untyped-decorator]
def export_run(job_id: str) -> str:
    """Write one queued export; return its final status."""
    return jobs.export_job_run(job_id).status


@db_periodic_task(crontab(hour="4", minute="41"))  # type: ignore[untyped-decorator]
def export_files_prune() -> int:
    """Every night, delete the export files older than a week."""
    return jobs.export_files_prune()
