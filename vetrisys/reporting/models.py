"""Reporting owns no business data; only the background exports people asked for."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vetrisys.core.models import BaseModel


class ExportJob(BaseModel):
    """A large export written in the background: its report and filters, its progress, and
    the file to download once done (on the default storage, for its requester only)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    report = models.CharField(_("report"), max_length=40)
    params = models.JSONField(_("filters"), default=dict)
    file_format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    file_path = models.CharField(max_length=300, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        constraints = [
            models.CheckConstraint(
                condition=Q(rows_done__lte=models.F("rows_total")) | Q(rows_total=0),
                name="export_job_progress_bounded",
            ),
        ]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="export_job_user_idx"),
        ]

    def __str__(self) -> str:
        return self.file_name or self.report

    @property
    def percent(self) -> int:
        """How far the export is, 0 to 100."""
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(100, self.rows_done * 100 // self.rows_total)
