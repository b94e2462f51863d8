"""Exports written in the background: starting one (a write: audited), running it (the job),
finding one to show its progress or download it."""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from vetrisys.accounts.models import User
from vetrisys.audit.services import record
from vetrisys.core.errors import DomainError, NotFound
from vetrisys.core.timeutil import now
from vetrisys.reporting.exports import ExportTable, build_table, csv_lines, write_xlsx
from vetrisys.reporting.forms import Filters, parse_filters
from vetrisys.reporting.models import ExportJob
from vetrisys.reporting.scope import report_location_ids

logger = logging.getLogger("vetrisys.reporting")
PROGRESS_EVERY = 500
KEEP_DAYS = 7


def direct_export_rows() -> int:
    """Exports up to this many rows download at once; larger ones run in the background."""
    return int(getattr(settings, "REPORTS_DIRECT_EXPORT_ROWS", 5000))


def export_record(*, actor: Any, filters: Filters, file_format: str, rows: int) -> None:
    """Note in the audit log who exported what (a direct download)."""
    record(
        actor=actor,
        action="report.export",
        target_type="reporting.report",
        target_id=filters.report,
        location=filters.location,
        changes={"filters": filters.query(), "format": file_format, "rows": rows},
    )


@transaction.atomic
def export_job_start(*, actor: Any, filters: Filters, file_format: str) -> ExportJob:
    """Queue a background export of a report with its filters, for the actor to download."""
    report_location_ids(actor, filters.location)
    job = ExportJob.objects.create(
        organization_id=actor.organization_id,
        requested_by=actor,
        report=filters.report,
        params=filters.query(),
        file_format=file_format if file_format in ExportJob.Format.values else "csv",
    )
    record(
        actor=actor,
        action="report.export_start",
        target=job,
        location=filters.location,
        changes={"report": job.report, "filters": job.params, "format": job.file_format},
    )
    from vetrisys.reporting.tasks import export_run

    transaction.on_commit(lambda: export_run(str(job.pk)))
    return job


def export_job_run(job_id: str) -> ExportJob:
    """Write the job's file: rows counted first, progress saved as they are written, the file
    kept on the default storage. A failure is kept on the job, never half a file."""
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    if job.status != ExportJob.Status.QUEUED:
        return job
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, updated_at=now())
    actor: User = job.requested_by
    handle, path = tempfile.mkstemp(suffix=f".{job.file_format}")
    os.close(handle)
    try:
        filters = parse_filters(actor, job.report, job.params, strict=True)
        table = build_table(actor, filters)
        total = max(table.count, 0)
        ExportJob.objects.filter(pk=job.pk).update(rows_total=total, updated_at=now())

        def progress(done: int) -> None:
            if done % PROGRESS_EVERY == 0:
                ExportJob.objects.filter(pk=job.pk).update(rows_done=min(done, total))

        _write(table, job.file_format, path, progress)
        name = f"{table.file_stem}.{job.file_format}"
        with open(path, "rb") as written:
            stored = default_storage.save(
                f"exports/{job.organization_id}/{job.pk}/{name}", File(written)
            )
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.DONE, rows_done=total, file_name=name, file_path=stored,
            finished_at=now(), updated_at=now(),
        )  # fmt: skip
    except DomainError as error:
        _fail(job, str(error))
    except Exception:
        logger.exception("export %s failed", job.pk)
        _fail(job, _("The export failed; try again or choose a shorter period."))
    finally:
        if os.path.exists(path):
            os.unlink(path)
    job.refresh_from_db()
    return job


def _write(table: ExportTable, file_format: str, path: str, progress: Any) -> None:
    if file_format == "xlsx":
        write_xlsx(table, path, progress)
        return
    with open(path, "w", encoding="utf-8", newline="") as out:
        for line in csv_lines(table, progress):
            out.write(line)


def _fail(job: ExportJob, message: str) -> None:
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.FAILED, error=message[:300], finished_at=now(), updated_at=now()
    )


def export_files_prune(*, older_than_days: int = KEEP_DAYS) -> int:
    """Delete the files of exports finished more than `older_than_days` ago (the job rows
    stay, marked expired); return how many files went."""
    cutoff = now() - dt.timedelta(days=older_than_days)
    old = ExportJob.objects.filter(finished_at__lt=cutoff).exclude(file_path="")
    removed = 0
    for job in old.only("id", "file_path")[:1000]:
        default_storage.delete(job.file_path)
        ExportJob.objects.filter(pk=job.pk).update(
            file_path="", error=_("The file was deleted after %(days)s days.")
            % {"days": older_than_days}, updated_at=now(),
        )  # fmt: skip
        removed += 1
    return removed


def export_job_get(*, actor: Any, job_id: Any) -> ExportJob:
    """One of the actor's own exports, or 404."""
    job = ExportJob.objects.filter(
        pk=job_id, requested_by=actor, organization_id=actor.organization_id
    ).first()
    if job is None:
        raise NotFound(_("Export not found."))
    return job
