"""Reads of notifications: the outbox a person may see, one message, the templates in force.

Location scope: a message about a location is seen by those holding messages.view there (an
administrator everywhere); a message without a location (an owner-level notice) by anyone
holding messages.view at some location of the organization.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.permissions import locations_with, require
from vetrisys.core.errors import NotFound
from vetrisys.notifications.defaults import default_text
from vetrisys.notifications.models import Message, MessageChannel, MessageKind, MessageTemplate

LANGUAGES = ("es", "en")


def messages_visible_to(actor: Any) -> QuerySet[Message]:
    """Every message the actor may see (messages.view)."""
    require(actor, Capability.MESSAGES_VIEW)
    locations = locations_with(actor, Capability.MESSAGES_VIEW)
    return Message.objects.filter(organization_id=actor.organization_id).filter(
        Q(location_id__in=locations) | Q(location__isnull=True)
    )


def message_list(
    *,
    actor: Any,
    client: Any = None,
    patient: Any = None,
    status: str = "",
    kind: str = "",
    channel: str = "",
    location: Any = None,
    scheduled_from: dt.datetime | None = None,
    scheduled_before: dt.datetime | None = None,
) -> QuerySet[Message]:
    """The outbox, newest first, filtered."""
    rows = messages_visible_to(actor)
    if client is not None:
        rows = rows.filter(client=client)
    if patient is not None:
        rows = rows.filter(patient=patient)
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    if channel:
        rows = rows.filter(channel=channel)
    if location is not None:
        rows = rows.filter(location=location)
    if scheduled_from is not None:
        rows = rows.filter(scheduled_for__gte=scheduled_from)
    if scheduled_before is not None:
        rows = rows.filter(scheduled_for__lt=scheduled_before)
    return rows.select_related("client", "patient", "location").order_by("-scheduled_for", "-id")


def message_get(*, actor: Any, message_id: uuid.UUID | str) -> Message:
    """One message the actor may see, or NotFound."""
    try:
        return (
            messages_visible_to(actor)
            .select_related("client", "patient", "location", "rule", "template", "created_by")
            .get(pk=message_id)
        )
    except (Message.DoesNotExist, ValueError, ValidationError):
        raise NotFound(_("Message not found.")) from None


@dataclass(frozen=True)
class TemplateInForce:
    """The text used for one (kind, channel, language): the organization's or the built-in."""

    kind: str
    channel: str
    language: str
    subject: str
    body: str
    is_custom: bool
    is_active: bool
    template: MessageTemplate | None

    @property
    def kind_label(self) -> str:
        return str(MessageKind(self.kind).label)

    @property
    def channel_label(self) -> str:
        return str(MessageChannel(self.channel).label)


def template_in_force(*, actor: Any, kind: str, channel: str, language: str) -> TemplateInForce:
    """The text used for one combination (NotFound for an unknown kind, channel or language)."""
    require(actor, Capability.MESSAGES_VIEW)
    if (
        kind not in MessageKind.values
        or channel not in MessageChannel.values
        or language not in LANGUAGES
    ):
        raise NotFound(_("No such message template."))
    template = MessageTemplate.objects.filter(
        organization_id=actor.organization_id, kind=kind, channel=channel, language=language
    ).first()
    return _in_force(kind, channel, language, template)


def templates_in_force(*, actor: Any, kind: str = "") -> list[TemplateInForce]:
    """Every (kind, channel, language) with the text in force, in one query."""
    require(actor, Capability.MESSAGES_VIEW)
    own = {
        (t.kind, t.channel, t.language): t
        for t in MessageTemplate.objects.filter(organization_id=actor.organization_id)
    }
    kinds = [kind] if kind in MessageKind.values else list(MessageKind.values)
    return [
        _in_force(k, c, lang, own.get((k, c, lang)))
        for k in kinds
        for c in MessageChannel.values
        for lang in LANGUAGES
    ]


def _in_force(
    kind: str, channel: str, language: str, template: MessageTemplate | None
) -> TemplateInForce:
    if template is not None and template.is_active:
        subject, body = template.subject, template.body
    else:
        subject, body = default_text(kind, channel, language)
    return TemplateInForce(
        kind=kind, channel=channel, language=language, subject=subject, body=body,
        is_custom=template is not None, is_active=template.is_active if template else True,
        template=template,
    )  # fmt: skip


def locations_with_quiet_hours(*, actor: Any) -> list[Any]:
    """The locations where the actor holds messages.view, each with `messaging_row` (its
    LocationMessaging or None), in two queries."""
    from vetrisys.accounts.models import Location
    from vetrisys.notifications.models import LocationMessaging

    require(actor, Capability.MESSAGES_VIEW)
    ids = locations_with(actor, Capability.MESSAGES_VIEW)
    locations = list(
        Location.objects.filter(organization_id=actor.organization_id, pk__in=ids).order_by("name")
    )
    rows = {m.location_id: m for m in LocationMessaging.objects.filter(location__in=locations)}
    for location in locations:
        location.messaging_row = rows.get(location.pk)  # type: ignore[attr-defined]
    return locations


def location_for_messages(*, actor: Any, location_id: uuid.UUID | str) -> Any:
    """A location where the actor holds messages.view, or NotFound."""
    from vetrisys.accounts.models import Location

    ids = locations_with(actor, Capability.MESSAGES_VIEW)
    location = (
        Location.objects.filter(organization_id=actor.organization_id, pk=location_id)
        .filter(pk__in=ids)
        .first()
    )
    if location is None:
        raise NotFound(_("Location not found."))
    return location
