"""Queueing due reminders in bulk: thousands of rows in a few INSERTs, each once.

`message_queue` (the outbox) queues one message at a time; the reminder job may find thousands
due at once on a chain, so this renders them in memory and inserts them with
`bulk_create(ignore_conflicts=True)` on the unique (organization, idempotency key): a reminder
queued by a concurrent run, or earlier, is left as it is. The channel is chosen, and the text
rendered, by the outbox's own helpers, so a reminder reads as any other message.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch

from vetrisys.clients.models import Client, ClientPhone
from vetrisys.notifications.defaults import default_text
from vetrisys.notifications.models import Message, MessageChannel, MessageTemplate
from vetrisys.notifications.rendering import plain_context, render

if TYPE_CHECKING:
    from vetrisys.notifications.reminders import Due

BATCH = 1000

# The order a channel is picked in when the owner's preferred one cannot be used.
FALLBACK_CHANNELS = (MessageChannel.WHATSAPP, MessageChannel.SMS, MessageChannel.EMAIL)


def _batches(items: Iterable[Due], size: int) -> Iterator[list[Due]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _primary_phone(client: Client) -> str:
    phones = list(client.phones.all())
    for phone in phones:
        if phone.is_primary:
            return phone.e164
    return phones[0].e164 if phones else ""


def _address(client: Client, channel: str) -> str:
    if channel == MessageChannel.EMAIL:
        return client.email
    if channel in (MessageChannel.SMS, MessageChannel.WHATSAPP):
        return _primary_phone(client)
    return ""


def choose_channel(client: Client, wanted: str = "") -> tuple[str, str] | None:
    """(channel, address) for a reminder: the rule's channel, else the owner's preferred one,
    else the first consented one that has an address; None without consent."""
    candidates = [wanted] if wanted else [client.preferred_channel, *FALLBACK_CHANNELS]
    for channel in candidates:
        if channel not in (MessageChannel.EMAIL, MessageChannel.SMS, MessageChannel.WHATSAPP):
            continue
        if not client.has_consent(channel):
            continue
        address = _address(client, channel)
        if address:
            return channel, address
    return None


class _Templates:
    """An organization's own templates, looked up once per batch."""

    def __init__(self, organization_ids: set[Any]) -> None:
        self._rows = {
            (t.organization_id, t.kind, t.channel, t.language): t
            for t in MessageTemplate.objects.filter(
                organization_id__in=organization_ids, is_active=True
            )
        }

    def source(
        self, organization_id: Any, kind: str, channel: str, language: str
    ) -> tuple[MessageTemplate | None, str, str]:
        template = self._rows.get((organization_id, kind, channel, language))
        if template is not None:
            return template, template.subject, template.body
        subject, body = default_text(kind, channel, language)
        return None, subject, body


def _message(due: Due, templates: _Templates) -> Message | None:
    client = due.client
    choice = choose_channel(client, due.rule.channel)
    if choice is None:
        return None
    channel, address = choice
    language = client.language or "es"
    template, subject, body = templates.source(
        due.rule.organization_id, due.rule.kind, channel, language
    )
    zone = due.location.time_zone if due.location else "UTC"
    rendered = render(subject, body, plain_context(due.context, language=language, zone=zone))
    return Message(
        organization_id=due.rule.organization_id,
        location=due.location,
        client=client,
        patient=due.patient,
        kind=due.rule.kind,
        channel=channel,
        rule=due.rule,
        template=template,
        language=language,
        to=address,
        subject=rendered.subject if channel == MessageChannel.EMAIL else "",
        body=rendered.body,
        scheduled_for=due.scheduled_for,
        idempotency_key=due.idempotency_key,
        cause_type=due.cause_type,
        cause_id=due.cause_id,
        cause_at=due.cause_at,
    )


def messages_queue_bulk(dues: Iterable[Due], *, batch_size: int = BATCH) -> Counter[str]:
    """Render and insert the due reminders, once per idempotency key; how many were queued
    per kind (an owner without a consented channel gets none)."""
    queued: Counter[str] = Counter()
    for batch in _batches(dues, batch_size):
        clients = {due.client.pk for due in batch}
        phones = Prefetch("phones", queryset=ClientPhone.objects.order_by("-is_primary", "id"))
        loaded = {c.pk: c for c in Client.objects.filter(pk__in=clients).prefetch_related(phones)}
        templates = _Templates({due.rule.organization_id for due in batch})
        rows: dict[str, Message] = {}
        for due in batch:
            client = loaded.get(due.client.pk)
            if client is None:
                continue
            message = _message(_with_client(due, client), templates)
            if message is not None:
                rows.setdefault(message.idempotency_key, message)
        if not rows:
            continue
        keys = list(rows)
        existing = set(
            Message.objects.filter(
                organization_id__in={m.organization_id for m in rows.values()},
                idempotency_key__in=keys,
            ).values_list("idempotency_key", flat=True)
        )
        Message.objects.bulk_create(list(rows.values()), ignore_conflicts=True)
        for key, message in rows.items():
            if key not in existing:
                queued[message.kind] += 1
    return queued


def _with_client(due: Due, client: Client) -> Due:
    from dataclasses import replace

    return replace(due, client=client)
