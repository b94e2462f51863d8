"""The outbox: queue a message in its cause's transaction, send it exactly once, settle crashes.

Delivery guarantees (docs/notifications.md):

- **Queued once per purpose.** `(organization, idempotency_key)` is unique; queuing the same
  purpose twice answers the first row and writes nothing, also when two transactions race.
- **Claimed by one worker.** Sending starts with a conditional UPDATE queued → sending (with a
  fresh claim token); only the worker whose UPDATE changed the row calls the provider, and only
  the holder of the token marks the outcome.
- **A dead worker.** A row left "sending" longer than `STALE_CLAIM` is settled by its channel:
  SMS / WhatsApp ask Twilio whether it has the message (found → sent with Twilio's sid; not
  found → queued again), in-app is simply sent again (nothing left the server), and email —
  which no provider lets us look up — is marked failed as "delivery unknown" for a person to
  check: email is sent **at most once**, SMS and WhatsApp **exactly once** as far as Twilio's
  message list tells.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Collection, Mapping
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template import TemplateSyntaxError
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.models import Location, Organization
from vetrisys.accounts.permissions import require
from vetrisys.audit.services import record
from vetrisys.clients.models import CONSENT_CHANNELS, Client
from vetrisys.core import timeutil
from vetrisys.core.errors import Conflict
from vetrisys.notifications import channels, quiet_hours, rendering
from vetrisys.notifications.defaults import default_text
from vetrisys.notifications.models import (
    Message,
    MessageChannel,
    MessageTemplate,
    ReminderRule,
)
from vetrisys.patients.models import Patient

logger = logging.getLogger(__name__)

# A claim older than this belongs to a worker that died (sending takes seconds; the SMS
# provider's timeout is 30 s).
STALE_CLAIM = dt.timedelta(minutes=10)
# Attempts before a message that keeps failing temporarily is given up.
MAX_ATTEMPTS = 5
# Wait before the next attempt after a temporary failure, by attempts made so far.
BACKOFF = {1: dt.timedelta(minutes=1), 2: dt.timedelta(minutes=5), 3: dt.timedelta(minutes=15)}
BACKOFF_LONGEST = dt.timedelta(hours=1)
# Fallback order among consented channels when the preferred one is not possible.
FALLBACK_ORDER = (MessageChannel.EMAIL, MessageChannel.WHATSAPP, MessageChannel.SMS)

Status = Message.Status


# ------------------------------------------------------------------ choosing the channel


def client_address(client: Client, channel: str) -> str:
    """Where a message on `channel` goes for this client ("" when the client has none)."""
    if channel == MessageChannel.EMAIL:
        return (client.email or "").strip()
    if channel in (MessageChannel.SMS, MessageChannel.WHATSAPP):
        phones = list(client.phones.all())
        primary = next((p for p in phones if p.is_primary), phones[0] if phones else None)
        return (primary.e164 or "").strip() if primary is not None else ""
    return ""


def channel_allowed(client: Client, channel: str) -> bool:
    """Consent given (in-app needs none), an address to send to, and the channel set up."""
    if channel == MessageChannel.IN_APP:
        return True
    if channel not in CONSENT_CHANNELS or not client.has_consent(channel):
        return False
    return bool(client_address(client, channel)) and channels.configured(channel)


def channel_choose(client: Client, requested: str | None = None) -> str | None:
    """The channel of a message: the requested one if allowed, else the client's preferred
    one, else another allowed channel (email, WhatsApp, SMS). In-app only when requested:
    until the portal exists nobody would read it. None: no way to reach the client."""
    candidates: list[str] = []
    if requested:
        candidates.append(requested)
    if client.preferred_channel in MessageChannel.values:
        candidates.append(client.preferred_channel)
    candidates.extend(FALLBACK_ORDER)
    for channel in dict.fromkeys(candidates):
        if channel == MessageChannel.IN_APP and channel != requested:
            continue
        if channel_allowed(client, channel):
            return channel
    return None


# ------------------------------------------------------------------ rendering


def base_context(
    *,
    organization: Organization,
    client: Client,
    patient: Patient | None,
    location: Location | None,
) -> dict[str, Any]:
    """The variables every message has."""
    return {
        "client_name": client.full_name,
        "client_first_name": client.first_name,
        "pet_name": patient.name if patient is not None else "",
        "clinic_name": organization.name,
        "location_name": location.name if location is not None else organization.name,
        "location_address": location.address if location is not None else "",
        "location_phone": location.phone if location is not None else "",
        "portal_url": settings.PORTAL_URL,
    }


def template_for(
    *, organization: Organization, kind: str, channel: str, language: str
) -> MessageTemplate | None:
    """The organization's active template of a kind, channel and language (None: built-in)."""
    return MessageTemplate.objects.filter(
        organization=organization, kind=kind, channel=channel, language=language, is_active=True
    ).first()


def message_render(
    *,
    organization: Organization,
    kind: str,
    channel: str,
    language: str,
    values: Mapping[str, Any],
    zone: str,
) -> tuple[MessageTemplate | None, rendering.Rendered]:
    """The template used (None: built-in) and the rendered subject and body."""
    context = rendering.plain_context(values, language=language, zone=zone)
    template = template_for(
        organization=organization, kind=kind, channel=channel, language=language
    )
    if template is not None:
        try:
            return template, rendering.render(template.subject, template.body, context)
        except TemplateSyntaxError:
            # Saved templates are checked; one broken by an upgrade falls back to the default.
            logger.warning("message template %s does not compile; using the default", template.pk)
    subject, body = default_text(kind, channel, language)
    return None, rendering.render(subject, body, context)


# ------------------------------------------------------------------ queuing


def message_queue(
    *,
    organization: Organization,
    client: Client,
    kind: str,
    idempotency_key: str,
    scheduled_for: dt.datetime,
    context: Mapping[str, Any],
    location: Location | None = None,
    patient: Patient | None = None,
    channel: str | None = None,
    rule: ReminderRule | None = None,
    cause_type: str = "",
    cause_id: uuid.UUID | str | None = None,
    cause_at: dt.datetime | None = None,
    actor: Any = None,
) -> Message | None:
    """Queue one message to a client, in the caller's (the cause's) transaction.

    Answers the existing row when `idempotency_key` was already queued (nothing written), and
    None when the client cannot be reached: no consent and address on any channel that is set
    up (SMS / WhatsApp need the Twilio settings), an archived client, a deceased patient. The
    channel is `channel` if allowed, else the client's preferred one, else another consented
    one. The text comes from the organization's template of (kind, channel, client's language)
    or the built-in one; `context` adds or overrides variables (datetimes are written in the
    location's zone). A time inside the location's quiet hours moves to their end. Nothing is
    sent here: a due message is handed to the job when the transaction commits.
    """
    existing = Message.objects.filter(
        organization=organization, idempotency_key=idempotency_key
    ).first()
    if existing is not None:
        return existing
    why_not = _unreachable(organization=organization, client=client, patient=patient)
    chosen = None if why_not else channel_choose(client, channel)
    if chosen is None:
        logger.info(
            "message %s not queued for client %s: %s",
            idempotency_key,
            client.pk,
            why_not or "no consented channel with an address",
        )
        return None
    language = client.language if client.language in ("es", "en") else "es"
    zone = location.time_zone if location is not None else settings.TIME_ZONE
    values = base_context(
        organization=organization, client=client, patient=patient, location=location
    )
    values.update(context)
    template, text = message_render(
        organization=organization,
        kind=kind,
        channel=chosen,
        language=language,
        values=values,
        zone=zone,
    )
    message = Message(
        organization=organization,
        location=location,
        client=client,
        patient=patient,
        kind=kind,
        channel=chosen,
        rule=rule,
        template=template,
        language=language,
        to=client_address(client, chosen) if chosen != MessageChannel.IN_APP else str(client.pk),
        subject=text.subject,
        body=text.body,
        scheduled_for=quiet_hours.defer(
            scheduled_for, location=location, kind=kind, channel=chosen
        ),
        idempotency_key=idempotency_key[:200],
        cause_type=cause_type,
        cause_id=cause_id,
        cause_at=cause_at,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        # Another transaction queued the same purpose first (it waited for it to commit).
        return Message.objects.get(organization=organization, idempotency_key=idempotency_key)
    if message.scheduled_for <= timeutil.now():
        message_id = message.pk
        transaction.on_commit(lambda: enqueue_send(message_id))
    return message


def _unreachable(*, organization: Organization, client: Client, patient: Patient | None) -> str:
    if client.organization_id != organization.pk:
        return "client of another organization"
    if not client.is_active or client.merged_into_id:
        return "client archived"
    if patient is not None and (patient.deceased_on is not None or not patient.is_active):
        return "patient deceased or archived"
    return ""


def enqueue_send(message_id: uuid.UUID) -> None:
    """Hand one message to the job queue (after the commit that made it due)."""
    from vetrisys.notifications.tasks import send_message

    send_message(str(message_id))


# ------------------------------------------------------------------ cancelling and retrying


def message_cancel(*, message: Message, reason: str, actor: Any = None) -> Message:
    """Cancel a queued message (409 once it is sending, sent, failed or cancelled). With an
    actor (a person), checks messages.manage and records the audit event."""
    if actor is not None:
        require(actor, Capability.MESSAGES_MANAGE, message.location)
    with transaction.atomic():
        changed = Message.objects.filter(pk=message.pk, status=Status.QUEUED).update(
            status=Status.CANCELLED,
            cancelled_reason=reason[:200],
            updated_at=timeutil.now(),
            version=F("version") + 1,
        )
        if not changed:
            raise Conflict(_("Only a queued message can be cancelled."), code="invalid_status")
        if actor is not None:
            record(
                actor=actor, action="message.cancel", target=message,
                location=message.location_id, changes={"reason": reason},
            )  # fmt: skip
    message.refresh_from_db()
    return message


def messages_cancel_for_cause(
    *, cause_type: str, cause_id: uuid.UUID | str, reason: str, kinds: Collection[str] | None = None
) -> int:
    """Cancel every still-queued message about a cause (the appointment cancelled, the vaccine
    given); answers how many. Sent and sending messages are left as they are."""
    rows = Message.objects.filter(cause_type=cause_type, cause_id=cause_id, status=Status.QUEUED)
    if kinds is not None:
        rows = rows.filter(kind__in=list(kinds))
    return rows.update(
        status=Status.CANCELLED,
        cancelled_reason=reason[:200],
        updated_at=timeutil.now(),
        version=F("version") + 1,
    )


def message_retry(*, actor: Any, message: Message) -> Message:
    """Queue a failed message again, now (messages.manage); 409 unless it failed."""
    require(actor, Capability.MESSAGES_MANAGE, message.location)
    now = timeutil.now()
    with transaction.atomic():
        changed = Message.objects.filter(pk=message.pk, status=Status.FAILED).update(
            status=Status.QUEUED,
            scheduled_for=now,
            claim_token=None,
            claimed_at=None,
            updated_at=now,
            version=F("version") + 1,
        )
        if not changed:
            raise Conflict(_("Only a failed message can be sent again."), code="invalid_status")
        record(
            actor=actor, action="message.retry", target=message,
            location=message.location_id, changes={"error": message.error},
        )  # fmt: skip
        message_id = message.pk
        transaction.on_commit(lambda: enqueue_send(message_id))
    message.refresh_from_db()
    return message


# ------------------------------------------------------------------ sending


def _claim(message_id: uuid.UUID | str, now: dt.datetime) -> uuid.UUID | None:
    token = uuid.uuid4()
    changed = Message.objects.filter(
        pk=message_id, status=Status.QUEUED, scheduled_for__lte=now
    ).update(
        status=Status.SENDING,
        claim_token=token,
        claimed_at=now,
        attempts=F("attempts") + 1,
        updated_at=now,
    )
    return token if changed else None


def _finish(message: Message, token: uuid.UUID, **fields: Any) -> bool:
    """Write the outcome if the claim is still ours (one statement: its own transaction)."""
    fields.setdefault("updated_at", timeutil.now())
    changed = Message.objects.filter(
        pk=message.pk, status=Status.SENDING, claim_token=token
    ).update(version=F("version") + 1, **fields)
    return bool(changed)


def message_send(*, message_id: uuid.UUID | str) -> str:
    """Send one due message if this worker wins its claim; answers its status afterwards
    ("" when it does not exist). The worker's unit of work; never inside a transaction."""
    now = timeutil.now()
    token = _claim(message_id, now)
    if token is None:
        status = Message.objects.filter(pk=message_id).values_list("status", flat=True).first()
        return status or ""
    message = Message.objects.select_related("client", "location", "location__messaging").get(
        pk=message_id
    )
    client = message.client
    if message.channel in CONSENT_CHANNELS and not client.has_consent(message.channel):
        _finish(message, token, status=Status.CANCELLED, cancelled_reason="consent withdrawn")
        return Status.CANCELLED
    if not client.is_active or client.merged_into_id:
        _finish(message, token, status=Status.CANCELLED, cancelled_reason="client archived")
        return Status.CANCELLED
    from vetrisys.notifications.reminders import reminder_still_valid

    still_valid, reason = reminder_still_valid(message)
    if not still_valid:
        # The reminder's reason went away since it was queued (the vaccine given, ...).
        _finish(message, token, status=Status.CANCELLED, cancelled_reason=reason)
        return Status.CANCELLED
    later = quiet_hours.defer(
        now, location=message.location, kind=message.kind, channel=message.channel
    )
    if later > now:
        # Due in the quiet hours (the job ran late): back to the queue until they end.
        _finish(
            message, token, status=Status.QUEUED, scheduled_for=later, claim_token=None,
            claimed_at=None, attempts=F("attempts") - 1,
        )  # fmt: skip
        return Status.QUEUED
    sender = channels.sender_for(message.channel)
    try:
        provider_id = sender.send(message)
    except channels.ChannelError as error:
        return _failed(message, token, error)
    _finish(
        message,
        token,
        status=Status.SENT,
        sent_at=timeutil.now(),
        provider_id=provider_id,
        error="",
    )
    return Status.SENT


def _failed(message: Message, token: uuid.UUID, error: channels.ChannelError) -> str:
    attempts = message.attempts
    if error.unknown:
        if sender_reconciles(message.channel):
            # Left "sending": the stale-claim sweep asks the provider once it has settled.
            _finish(message, token, error=error.message[:2000])
            return Status.SENDING
        _finish(
            message, token, status=Status.FAILED,
            error=f"delivery unknown, check before retrying: {error.message}"[:2000],
        )  # fmt: skip
        return Status.FAILED
    if error.retry and attempts < MAX_ATTEMPTS:
        wait = BACKOFF.get(attempts, BACKOFF_LONGEST)
        _finish(
            message, token, status=Status.QUEUED, scheduled_for=timeutil.now() + wait,
            claim_token=None, claimed_at=None, error=error.message[:2000],
        )  # fmt: skip
        return Status.QUEUED
    _finish(message, token, status=Status.FAILED, error=error.message[:2000])
    return Status.FAILED


def sender_reconciles(channel: str) -> bool:
    """Whether a stale claim of this channel is settled by asking the provider."""
    return channels.sender_for(channel).reconcile == channels.Reconcile.LOOKUP


def messages_reap_stale(*, stale_after: dt.timedelta = STALE_CLAIM) -> dict[str, int]:
    """Settle messages left "sending" by a worker that died; answers how many went where."""
    counts = {"sent": 0, "queued": 0, "failed": 0}
    cutoff = timeutil.now() - stale_after
    stale = list(
        Message.objects.filter(status=Status.SENDING, claimed_at__lte=cutoff).order_by(
            "claimed_at"
        )[:500]
    )
    for message in stale:
        token = message.claim_token
        if token is None:
            continue
        sender = channels.sender_for(message.channel)
        if sender.reconcile == channels.Reconcile.LOOKUP:
            try:
                provider_id = sender.lookup(message)
            except Exception as error:
                # The provider cannot answer now: ask again on the next run.
                logger.warning("cannot look message %s up: %s", message.pk, error)
                continue
            if provider_id:
                if _finish(message, token, status=Status.SENT, sent_at=message.claimed_at,
                           provider_id=provider_id, error=""):  # fmt: skip
                    counts["sent"] += 1
                continue
            outcome = _requeue_or_fail(message, token)
        elif sender.reconcile == channels.Reconcile.RESEND:
            outcome = _requeue_or_fail(message, token)
        else:
            outcome = Status.FAILED if _finish(
                message, token, status=Status.FAILED,
                error="delivery unknown: the sending worker stopped; check before retrying",
            ) else ""  # fmt: skip
        if outcome:
            counts[outcome] += 1
    return counts


def _requeue_or_fail(message: Message, token: uuid.UUID) -> str:
    if message.attempts >= MAX_ATTEMPTS:
        done = _finish(message, token, status=Status.FAILED, error="too many attempts")
        return Status.FAILED if done else ""
    done = _finish(
        message, token, status=Status.QUEUED, scheduled_for=timeutil.now(),
        claim_token=None, claimed_at=None,
    )  # fmt: skip
    return Status.QUEUED if done else ""


def messages_due_ids(*, limit: int = 500) -> list[uuid.UUID]:
    """Ids of queued messages whose time has come, oldest first."""
    return list(
        Message.objects.filter(status=Status.QUEUED, scheduled_for__lte=timeutil.now())
        .order_by("scheduled_for", "id")
        .values_list("id", flat=True)[:limit]
    )


def messages_send_due(*, limit: int = 500) -> dict[str, int]:
    """The periodic job: settle stale claims, then send what is due; answers counts."""
    counts = {f"reaped_{key}": value for key, value in messages_reap_stale().items()}
    for message_id in messages_due_ids(limit=limit):
        status = message_send(message_id=message_id)
        if status:
            counts[status] = counts.get(status, 0) + 1
    return counts
