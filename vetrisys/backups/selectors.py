"""Reads of the backup history (organization admins only: a backup holds everything)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.permissions import require
from vetrisys.backups.models import BackupRun
from vetrisys.core.errors import NotAllowed


def require_backup_admin(actor: Any) -> None:
    """A backup holds the whole installation: its admins are those of the organization that
    installed it (the first one). One clinic: its admins; a shared installation: the
    operator's, never a tenant's."""
    from vetrisys.accounts.models import Organization

    require(actor, Capability.ORGANIZATION_MANAGE)
    first = Organization.objects.order_by("created_at", "id").values_list("id", flat=True)[:1]
    if actor.organization_id not in list(first):
        raise NotAllowed(_("Backups are managed by the installation's administrators."))


def backup_run_list(*, actor: Any) -> QuerySet[BackupRun]:
    """Every backup attempt, newest first."""
    require_backup_admin(actor)
    return BackupRun.objects.select_related("requested_by").order_by("-created_at", "-id")


def latest_good_backup(*, actor: Any) -> BackupRun | None:
    """The newest backup that can be restored."""
    return backup_run_list(actor=actor).filter(status=BackupRun.Status.GOOD).first()
