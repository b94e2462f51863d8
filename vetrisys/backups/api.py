"""HTTP API of backups: the history (organization admins only)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from vetrisys.accounts.auth import api_actor
from vetrisys.backups.models import BackupRun
from vetrisys.backups.schemas import BackupRunOut
from vetrisys.backups.selectors import backup_run_list
from vetrisys.core.api import ERRORS, Pagination

router = Router(tags=["backups"])


@router.get("", response={200: list[BackupRunOut], **ERRORS})
@paginate(Pagination)
def backup_list(request: HttpRequest) -> QuerySet[BackupRun]:
    """Backups made and attempted, newest first, with status, size and SHA-256."""
    return backup_run_list(actor=api_actor(request))
