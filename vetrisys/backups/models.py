"""The history of backups: one row per attempt, good only once the file is complete and
verified."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vetrisys.core.models import BaseModel


class BackupRun(BaseModel):
    """One backup attempt of the whole installation (database and attachments)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        GOOD = "good", _("Good")
        FAILED = "failed", _("Failed")
        PRUNED = "pruned", _("Deleted by retention")

    class Kind(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        MANUAL = "manual", _("Requested on screen")
        COMMAND = "command", _("Command line")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    path = models.CharField(_("file"), max_length=500, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("backup")
        verbose_name_plural = _("backups")
        indexes = [models.Index(fields=["status", "-started_at"], name="backup_run_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="good") | ~models.Q(sha256=""),
                name="backup_run_good_has_checksum",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_at or self.created_at:%Y-%m-%d %H:%M}"
