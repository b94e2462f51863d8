"""Queueing due reminders in bulk: thousands of rows in a few INSERTs, each once.

`message_queue` (the outbox) queues one message at a time, a few queries each; the reminder
job may find thousands due at once on a chain, so this builds the rows in memory and inserts
them with `bulk_create(ignore_conflicts=True)` on the unique (organization, idempotency key): a
reminder queued earlier or by a concurrent run is left as it is. The channel, the address, the
variables, the quiet hours and the built-in texts are the outbox's own (`channel_choose`,
`client_address`, `base_context`, `quiet_hours.defer`, `default_text`), so a reminder reads and
behaves as any other message; only the lookups are done once per batch instead of per row.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Prefetch
from django.template import TemplateSyntaxError

from vetrisys.accounts.models import Location, Organization
from vetrisys.clients.models import Client, ClientPhone
from vetrisys.notifications import quiet_hours, rendering
from vetrisys.notifications.defaults import default_text
from vetrisys.notifications.models import Message, MessageChannel, MessageTemplate
from vetrisys.notifications.services.outbox import base_context, channel_choose, client_address

if TYPE_CHECKING:
    from vetrisys.notifications.reminders import Due

logger = logging.getLogger(__name__)

BATCH = 1000


def _batches(items: Iterable[Due], size: int) -> Iterator[list[Due]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class _Templates:
    """The organizations' own active templates, read once per batch."""

    def __init__(self, organization_ids: set[Any]) -> None:
        self._rows = {
            (t.organization_id, t.kind, t.channel, t.language): t
            for t in MessageTemplate.objects.filter(
                organization_id__in=organization_ids, is_active=True
            )
        }

    def render(
        self, *, organization_id: Any, kind: str, channel: str, language: str, context: Any
    ) -> tuple[MessageTemplate | None, rendering.Rendered]:
        """As the outbox's `message_render`, with the template already at hand."""
        template = self._rows.get((organization_id, kind, channel, language))
        if template is not None:
            try:
                return template, rendering.render(template.subject, template.body, context)
            except TemplateSyntaxError:
                logger.warning(
                    "message template %s does not compile; using the default", template.pk
                )
        subject, body = default_text(kind, channel, language)
        return None, rendering.render(subject, body, context)


# What choosing the channel and writing the text read of an owner (the rest stays encrypted).
CLIENT_FIELDS = (
    "id", "organization_id", "first_name", "last_name", "email", "language",
    "preferred_channel", "email_consent_at", "sms_consent_at", "whatsapp_consent_at",
    "is_active", "merged_into_id",
)  # fmt: skip


def clients_for(ids: Iterable[Any]) -> dict[Any, Client]:
    """The owners by id, with their phones (two queries)."""
    phones = Prefetch(
        "phones",
        queryset=ClientPhone.objects.only("id", "client_id", "e164", "is_primary").order_by(
            "-is_primary", "id"
        ),
    )
    rows = Client.objects.filter(pk__in=list(ids)).only(*CLIENT_FIELDS).prefetch_related(phones)
    return {client.pk: client for client in rows}


def _message(
    due: Due,
    *,
    client: Client,
    organization: Organization,
    location: Location | None,
    templates: _Templates,
) -> Message | None:
    channel = channel_choose(client, due.rule.channel or None)
    if channel is None:
        return None
    language = client.language if client.language in ("es", "en") else "es"
    zone = location.time_zone if location is not None else settings.TIME_ZONE
    values = base_context(
        organization=organization, client=client, patient=due.patient, location=location
    )
    values.update(due.context)
    template, text = templates.render(
        organization_id=organization.pk,
        kind=due.rule.kind,
        channel=channel,
        language=language,
        context=rendering.plain_context(values, language=language, zone=zone),
    )
    return Message(
        organization=organization,
        location=location,
        client=client,
        patient=due.patient,
        kind=due.rule.kind,
        channel=channel,
        rule=due.rule,
        template=template,
        language=language,
        to=client_address(client, channel) if channel != MessageChannel.IN_APP else str(client.pk),
        subject=text.subject,
        body=text.body,
        scheduled_for=quiet_hours.defer(
            due.scheduled_for, location=location, kind=due.rule.kind, channel=channel
        ),
        idempotency_key=due.idempotency_key,
        cause_type=due.cause_type,
        cause_id=due.cause_id,
        cause_at=due.cause_at,
    )


def messages_queue_bulk(
    dues: Iterable[Due],
    *,
    locations: Mapping[Any, Location] | None = None,
    organizations: Mapping[Any, Organization] | None = None,
    batch_size: int = BATCH,
) -> Counter[str]:
    """Render and insert the due reminders, once per idempotency key; answers how many were
    queued per kind (an owner with no consented channel gets none). `locations` (with their
    messaging settings) and `organizations` are looked up per batch when not given."""
    queued: Counter[str] = Counter()
    for batch in _batches(dues, batch_size):
        clients = clients_for({due.client_id for due in batch})
        batch_locations = locations or {
            location.pk: location
            for location in Location.objects.filter(
                pk__in={due.location.pk for due in batch if due.location}
            ).select_related("messaging")
        }
        batch_organizations = organizations or Organization.objects.in_bulk(
            {due.rule.organization_id for due in batch}
        )
        templates = _Templates({due.rule.organization_id for due in batch})
        rows: dict[str, Message] = {}
        for due in batch:
            client = clients.get(due.client_id)
            if client is None:
                continue
            location = batch_locations.get(due.location.pk) if due.location else None
            message = _message(
                due,
                client=client,
                organization=batch_organizations[due.rule.organization_id],
                location=location,
                templates=templates,
            )
            if message is not None:
                rows.setdefault(message.idempotency_key, message)
        if not rows:
            continue
        existing = set(
            Message.objects.filter(
                organization_id__in={m.organization_id for m in rows.values()},
                idempotency_key__in=list(rows),
            ).values_list("idempotency_key", flat=True)
        )
        Message.objects.bulk_create(list(rows.values()), ignore_conflicts=True)
        for key, message in rows.items():
            if key not in existing:
                queued[message.kind] += 1
    return queued
