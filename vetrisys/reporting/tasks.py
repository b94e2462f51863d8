"""Background jobs of reporting: thin wrappers over jobs.py."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from vetrisys.reporting import jobs


@db_task()  # type: ignore[untyped-decorator]
def export_run(job_id: str) -> str:
    """Write one queued export; return its final status."""
    return jobs.export_job_run(job_id).status
