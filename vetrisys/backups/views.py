"""The backups screen: the history with status, and a "back up now" button (admins only)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vetrisys.backups.selectors import backup_run_list, latest_good_backup
from vetrisys.backups.services import backup_request
from vetrisys.core.errors import Conflict
from vetrisys.core.views import staff_view

RUNS_PER_PAGE = 25


@staff_view
def backup_list(request: HttpRequest) -> HttpResponse:
    """Backups newest first, 25 a page."""
    runs = backup_run_list(actor=request.user)
    page = Paginator(runs, RUNS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "latest_good": latest_good_backup(actor=request.user),
        "backup_dir": settings.BACKUP_DIR,
        "schedule": settings.BACKUP_SCHEDULE,
        "keep_daily": settings.BACKUP_KEEP_DAILY,
        "keep_weekly": settings.BACKUP_KEEP_WEEKLY,
        "query_string": "",
    }
    return render(request, "backups/list.html", context)


@staff_view
@require_POST
def backup_run_now(request: HttpRequest) -> HttpResponse:
    """Queue a backup; the list shows how it goes."""
    try:
        backup_request(actor=request.user)
    except Conflict as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Backup queued. Reload this page to see how it went."))
    return redirect("backups:list")
