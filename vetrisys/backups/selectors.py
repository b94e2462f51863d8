"""Reads of the backup history (organization admins only: a backup holds everything)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.permissions import require
from vetrisys.backups.models import BackupRun


def backup_run_list(*, actor: Any) -> QuerySet[BackupRun]:
    """Every backup attempt, newest first."""
    require(actor, Capability.ORGANIZATION_MANAGE)
    return BackupRun.objects.select_related("requested_by").order_by("-created_at", "-id")


def latest_good_backup(*, actor: Any) -> BackupRun | None:
    """The newest backup that can be restored."""
    return backup_run_list(actor=actor).filter(status=BackupRun.Status.GOOD).first()
