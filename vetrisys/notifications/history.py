"""The outbox in an owner's communication history (registered into clients.history)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.permissions import has_capability
from vetrisys.clients.history import HistoryEntry
from vetrisys.clients.models import Client, Communication
from vetrisys.notifications.models import Message
from vetrisys.notifications.selectors import messages_visible_to


class MessageHistorySource:
    """Every message of the outbox to the owner the reader may see (messages.view, location
    scope), with its status; dated by when it was (or is to be) sent."""

    key = "message"

    def _rows(self, actor: Any, client: Client) -> QuerySet[Message]:
        if not has_capability(actor, Capability.MESSAGES_VIEW):
            return Message.objects.none()
        return (
            messages_visible_to(actor)
            .filter(client=client)
            .select_related("created_by")
            .order_by("-scheduled_for", "-id")
        )

    def newest(self, *, actor: Any, client: Client, limit: int) -> list[HistoryEntry]:
        outbound = Communication.Direction.OUTBOUND
        return [
            HistoryEntry(
                id=row.pk,
                occurred_at=row.scheduled_for,
                source=self.key,
                kind=row.channel,
                kind_label=str(row.get_channel_display()),
                direction=str(outbound),
                direction_label=str(outbound.label),
                subject=row.subject,
                body=row.body,
                author=row.created_by,
                created_at=row.created_at,
                client_id=row.client_id,
                status=row.status,
                status_label=str(row.get_status_display()),
                topic=row.kind,
                topic_label=str(row.get_kind_display()),
                url=reverse("notifications:message", args=[row.pk]),
            )
            for row in self._rows(actor, client)[:limit]
        ]

    def count(self, *, actor: Any, client: Client) -> int:
        return self._rows(actor, client).count()
