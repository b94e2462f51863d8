"""Staff screens of privacy: download an owner's data, erase an owner (admins only)."""

from __future__ import annotations

from uuid import UUID

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.permissions import require
from vetrisys.clients.selectors import client_get
from vetrisys.core.errors import Conflict, NotFound, ValidationFailed
from vetrisys.core.views import error_text, staff_view
from vetrisys.privacy.export import client_data_export
from vetrisys.privacy.models import ErasureRecord
from vetrisys.privacy.services import REASON_MAX, erasure_blockers, is_erased
from vetrisys.privacy.services import client_erase as erase


@staff_view
@require_POST
def client_export(request: HttpRequest, client_id: UUID) -> FileResponse:
    """The owner's data as a ZIP download (a POST: each export is recorded in the audit log)."""
    client = client_get(actor=request.user, client_id=client_id)
    export = client_data_export(actor=request.user, client=client)
    response = FileResponse(
        export.file, as_attachment=True, filename=export.filename, content_type="application/zip"
    )
    response["Cache-Control"] = "no-store"
    return response


@staff_view
@require_http_methods(["GET", "POST"])
def client_erase(request: HttpRequest, client_id: UUID) -> HttpResponse:
    """Confirm the erasure of an owner with a reason; then show what was done."""
    require(request.user, Capability.ORGANIZATION_MANAGE)
    client = client_get(actor=request.user, client_id=client_id)
    if is_erased(client):
        erasure = ErasureRecord.objects.get(client=client)
        return redirect("privacy:erasure_detail", erasure_id=erasure.pk)
    error = ""
    status = 200
    reason = ""
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        try:
            erasure = erase(actor=request.user, client=client, reason=reason)
        except (ValidationFailed, Conflict) as failure:
            error = error_text(failure)
            status = failure.status
        else:
            return redirect("privacy:erasure_detail", erasure_id=erasure.pk)
    context = {
        "client": client,
        "blockers": erasure_blockers(client=client),
        "reason": reason,
        "reason_max": REASON_MAX,
        "error": error,
    }
    return render(request, "privacy/erase_confirm.html", context, status=status)


@staff_view
def erasure_detail(request: HttpRequest, erasure_id: UUID) -> HttpResponse:
    """One erasure: when, by whom, why, and what it kept."""
    require(request.user, Capability.ORGANIZATION_MANAGE)
    organization_id = str(getattr(request.user, "organization_id", ""))
    erasure = (
        ErasureRecord.objects.filter(organization_id=organization_id, pk=erasure_id)
        .select_related("client", "erased_by")
        .first()
    )
    if erasure is None:
        raise NotFound("Erasure not found.")
    return render(request, "privacy/erasure_detail.html", {"erasure": erasure})
