"""HTTP API of notifications: the outbox (list, one message, retry, cancel) and the templates."""

from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import paginate

from vetrisys.accounts.auth import api_actor
from vetrisys.accounts.models import Location
from vetrisys.clients import selectors as client_selectors
from vetrisys.core.api import ERRORS, Pagination
from vetrisys.core.errors import NotFound
from vetrisys.notifications import selectors
from vetrisys.notifications.models import LocationMessaging, Message
from vetrisys.notifications.schemas import (
    CancelIn,
    ChannelName,
    LanguageCode,
    MessageFilter,
    MessageKindName,
    MessageOut,
    QuietHoursIn,
    QuietHoursOut,
    TemplateIn,
    TemplateOut,
)
from vetrisys.notifications.services import message_cancel, message_retry
from vetrisys.notifications.services.quiet_hours import quiet_hours_set
from vetrisys.notifications.services.templates import template_reset, template_save
from vetrisys.patients import selectors as patient_selectors

router = Router(tags=["notifications"])


@router.get("/messages", response={200: list[MessageOut], **ERRORS})
@paginate(Pagination)
def message_list(request: HttpRequest, filters: Query[MessageFilter]) -> QuerySet[Message]:
    """The outbox, newest first: messages queued, sent, failed and cancelled."""
    actor = api_actor(request)
    client = (
        client_selectors.client_get(actor=actor, client_id=filters.client)
        if filters.client
        else None
    )
    patient: Any = None
    if filters.patient:
        patient = patient_selectors.patient_get(actor=actor, patient_id=filters.patient)
    location: Any = None
    if filters.location:
        location = Location.objects.visible_to(actor).filter(pk=filters.location).first()
        if location is None:
            raise NotFound(_("Location not found."))
    return selectors.message_list(
        actor=actor, client=client, patient=patient, status=filters.status or "",
        kind=filters.kind or "", channel=filters.channel or "", location=location,
    )  # fmt: skip


@router.get("/messages/{message_id}", response={200: MessageOut, **ERRORS})
def message_detail(request: HttpRequest, message_id: UUID) -> Message:
    return selectors.message_get(actor=api_actor(request), message_id=message_id)


@router.post("/messages/{message_id}/retry", response={200: MessageOut, **ERRORS})
def message_retry_endpoint(request: HttpRequest, message_id: UUID) -> Message:
    """Queue a failed message again (messages.manage); 409 unless it failed."""
    actor = api_actor(request)
    message = selectors.message_get(actor=actor, message_id=message_id)
    return message_retry(actor=actor, message=message)


@router.post("/messages/{message_id}/cancel", response={200: MessageOut, **ERRORS})
def message_cancel_endpoint(request: HttpRequest, message_id: UUID, payload: CancelIn) -> Message:
    """Cancel a queued message (messages.manage); 409 once it is sending or done."""
    actor = api_actor(request)
    message = selectors.message_get(actor=actor, message_id=message_id)
    return message_cancel(message=message, reason=payload.reason, actor=actor)


@router.get("/message-templates", response={200: list[TemplateOut], **ERRORS})
@paginate(Pagination)
def template_list(request: HttpRequest, kind: MessageKindName | None = None) -> list[Any]:
    """The text in force for every kind, channel and language (the organization's or the
    built-in one)."""
    return selectors.templates_in_force(actor=api_actor(request), kind=kind or "")


@router.get("/message-templates/{kind}/{channel}/{language}", response={200: TemplateOut, **ERRORS})
def template_detail(
    request: HttpRequest, kind: MessageKindName, channel: ChannelName, language: LanguageCode
) -> Any:
    return selectors.template_in_force(
        actor=api_actor(request), kind=kind, channel=channel, language=language
    )


@router.put("/message-templates/{kind}/{channel}/{language}", response={200: TemplateOut, **ERRORS})
def template_put(
    request: HttpRequest,
    kind: MessageKindName,
    channel: ChannelName,
    language: LanguageCode,
    payload: TemplateIn,
) -> Any:
    """Write the organization's template (messages.manage); 422 on a template error."""
    actor = api_actor(request)
    template_save(actor=actor, kind=kind, channel=channel, language=language, **payload.dict())
    return selectors.template_in_force(actor=actor, kind=kind, channel=channel, language=language)


@router.delete(
    "/message-templates/{kind}/{channel}/{language}", response={200: TemplateOut, **ERRORS}
)
def template_delete(
    request: HttpRequest, kind: MessageKindName, channel: ChannelName, language: LanguageCode
) -> Any:
    """Go back to the built-in text (messages.manage)."""
    actor = api_actor(request)
    template_reset(actor=actor, kind=kind, channel=channel, language=language)
    return selectors.template_in_force(actor=actor, kind=kind, channel=channel, language=language)


def _quiet_out(location: Location, messaging: Any) -> dict[str, Any]:
    return {
        "location": location.pk,
        "quiet_from": getattr(messaging, "quiet_from", None),
        "quiet_until": getattr(messaging, "quiet_until", None),
    }


@router.get("/locations/{location_id}/quiet-hours", response={200: QuietHoursOut, **ERRORS})
def quiet_hours_get(request: HttpRequest, location_id: UUID) -> dict[str, Any]:
    """The location's quiet hours (local times; both null: none)."""
    actor = api_actor(request)
    location = selectors.location_for_messages(actor=actor, location_id=location_id)
    messaging = LocationMessaging.objects.filter(location=location).first()
    return _quiet_out(location, messaging)


@router.put("/locations/{location_id}/quiet-hours", response={200: QuietHoursOut, **ERRORS})
def quiet_hours_put(
    request: HttpRequest, location_id: UUID, payload: QuietHoursIn
) -> dict[str, Any]:
    """Set the location's quiet hours (messages.manage there); both null clears them."""
    actor = api_actor(request)
    location = selectors.location_for_messages(actor=actor, location_id=location_id)
    messaging = quiet_hours_set(
        actor=actor, location=location, quiet_from=payload.quiet_from,
        quiet_until=payload.quiet_until,
    )  # fmt: skip
    return _quiet_out(location, messaging)
