"""HTTP API of owners: list and search, details, phones, consents, history, merge, archive."""

from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from vetrisys.accounts.auth import api_actor
from vetrisys.accounts.models import User
from vetrisys.clients import selectors, services
from vetrisys.clients.history import HistoryWindow
from vetrisys.clients.models import Client, Communication
from vetrisys.clients.schemas import (
    ClientIn,
    ClientOut,
    ClientPatch,
    CommunicationIn,
    CommunicationOut,
    HistoryEntryOut,
    MergeIn,
    PatientSummaryOut,
)
from vetrisys.core.api import ERRORS, Pagination, patch_fields

router = Router(tags=["clients"])


def _service_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """The API's names to the service's: `document_id` is the stored document number."""
    if "document_id" in fields:
        fields["document_number"] = fields.pop("document_id")
    if fields.get("document_type") is None:
        fields.pop("document_type", None)
    if isinstance(fields.get("consents"), dict):
        fields["consents"] = {k: v for k, v in fields["consents"].items() if v is not None}
    return fields


def _reloaded(actor: User, client: Client) -> Client:
    return selectors.client_get(actor=actor, client_id=client.pk)


@router.get("", response={200: list[ClientOut], **ERRORS})
@paginate(Pagination)
def client_list(
    request: HttpRequest, q: str = "", is_active: bool | None = None
) -> QuerySet[Client]:
    """Owners of the organization; `q` searches name, phone (or its last digits), email,
    document id, pet name and microchip, ignoring accents and case."""
    return selectors.client_list(actor=api_actor(request), q=q, is_active=is_active)


@router.post("", response={201: ClientOut, **ERRORS})
def client_create(request: HttpRequest, payload: ClientIn) -> Status[Client]:
    actor = api_actor(request)
    fields = _service_fields(payload.model_dump(exclude_unset=True))
    client = services.client_create(actor=actor, **fields)
    return Status(201, _reloaded(actor, client))


@router.get("/{client_id}", response={200: ClientOut, **ERRORS})
def client_get(request: HttpRequest, client_id: UUID) -> Client:
    return selectors.client_get(actor=api_actor(request), client_id=client_id)


@router.patch("/{client_id}", response={200: ClientOut, **ERRORS})
def client_update(request: HttpRequest, client_id: UUID, payload: ClientPatch) -> Client:
    actor = api_actor(request)
    client = selectors.client_get(actor=actor, client_id=client_id)
    fields = _service_fields(patch_fields(payload))
    services.client_update(actor=actor, client=client, **fields)
    return _reloaded(actor, client)


@router.post("/{client_id}/archive", response={200: ClientOut, **ERRORS})
def client_archive(request: HttpRequest, client_id: UUID) -> Client:
    actor = api_actor(request)
    client = selectors.client_get(actor=actor, client_id=client_id)
    services.client_archive(actor=actor, client=client)
    return _reloaded(actor, client)


@router.post("/{client_id}/restore", response={200: ClientOut, **ERRORS})
def client_restore(request: HttpRequest, client_id: UUID) -> Client:
    actor = api_actor(request)
    client = selectors.client_get(actor=actor, client_id=client_id)
    services.client_restore(actor=actor, client=client)
    return _reloaded(actor, client)


@router.post("/{client_id}/merge", response={200: ClientOut, **ERRORS})
def client_merge(request: HttpRequest, client_id: UUID, payload: MergeIn) -> Client:
    """Fold the `duplicate` owner into this one: pets, phones, history and every other record
    move here; the duplicate is archived and points at this owner."""
    actor = api_actor(request)
    survivor = selectors.client_get(actor=actor, client_id=client_id)
    duplicate = selectors.client_get(actor=actor, client_id=payload.duplicate)
    services.client_merge(actor=actor, survivor=survivor, duplicate=duplicate)
    return _reloaded(actor, survivor)


@router.get("/{client_id}/patients", response={200: list[PatientSummaryOut], **ERRORS})
@paginate(Pagination)
def client_patients(request: HttpRequest, client_id: UUID) -> QuerySet[Any]:
    actor = api_actor(request)
    client = selectors.client_get(actor=actor, client_id=client_id)
    return selectors.client_patients(actor=actor, client=client)


@router.get("/{client_id}/communications", response={200: list[HistoryEntryOut], **ERRORS})
@paginate(Pagination)
def communication_list(request: HttpRequest, client_id: UUID) -> HistoryWindow:
    """The owner's communication history, newest first: calls and notes logged by hand and
    the messages sent (or queued, failed, cancelled) by the outbox."""
    actor = api_actor(request)
    client = selectors.client_get(actor=actor, client_id=client_id)
    return HistoryWindow(actor=actor, client=client)


@router.post("/{client_id}/communications", response={201: CommunicationOut, **ERRORS})
def communication_create(
    request: HttpRequest, client_id: UUID, payload: CommunicationIn
) -> Status[Communication]:
    """Log a call, message or note."""
    actor = api_actor(request)
    client = selectors.client_get(actor=actor, client_id=client_id)
    entry = services.communication_log(actor=actor, client=client, **payload.model_dump())
    return Status(201, entry)
