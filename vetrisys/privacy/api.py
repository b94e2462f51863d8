"""HTTP API of privacy: an owner's data export, and the erasure of an owner."""

from __future__ import annotations

from uuid import UUID

from django.http import FileResponse, HttpRequest
from ninja import Router

from vetrisys.accounts.auth import api_actor
from vetrisys.clients.selectors import client_get
from vetrisys.core.api import ERRORS
from vetrisys.privacy.export import client_data_export
from vetrisys.privacy.models import ErasureRecord
from vetrisys.privacy.schemas import ErasureIn, ErasureOut
from vetrisys.privacy.services import client_erase

router = Router(tags=["privacy"])


@router.get("/clients/{client_id}/export", response={200: None, **ERRORS})
def client_export(request: HttpRequest, client_id: UUID) -> FileResponse:
    """Everything about the owner and their pets as a ZIP (data.json, receipts, attachments);
    organization admins only."""
    actor = api_actor(request)
    export = client_data_export(actor=actor, client=client_get(actor=actor, client_id=client_id))
    response = FileResponse(
        export.file, as_attachment=True, filename=export.filename, content_type="application/zip"
    )
    response["Cache-Control"] = "no-store"
    return response


@router.post("/clients/{client_id}/erase", response={200: ErasureOut, **ERRORS})
def client_erase_endpoint(
    request: HttpRequest, client_id: UUID, payload: ErasureIn
) -> ErasureRecord:
    """Erase the owner's identity (409 while they owe money, have charges to bill or
    appointments ahead); organization admins only."""
    actor = api_actor(request)
    client = client_get(actor=actor, client_id=client_id)
    return client_erase(actor=actor, client=client, reason=payload.reason)
