"""Writing to and verifying the audit log. Every service calls `record` in its transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from vetrisys.audit.models import AuditChainHead, AuditEvent
from vetrisys.core.context import client_ip_var, request_id_var

SYSTEM_CHAIN = "system"
GENESIS = "0" * 64


def _json_default(value: Any) -> Any:
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, set | frozenset):
        return sorted(value)
    return str(value)


def normalize(value: Any) -> Any:
    """Turn a change payload into plain JSON values, exactly as it will be stored."""
    return json.loads(json.dumps(value, default=_json_default))


def _payload(event: AuditEvent) -> bytes:
    fields = {
        "chain": event.chain,
        "sequence": event.sequence,
        "id": str(event.id),
        "occurred_at": event.occurred_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "organization": str(event.organization_id or ""),
        "location": str(event.location_id or ""),
        "actor": str(event.actor_id or ""),
        "actor_name": event.actor_name,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_label": event.target_label,
        "changes": event.changes,
        "request_id": event.request_id,
        "ip_address": event.ip_address or "",
        "prev_hash": event.prev_hash,
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def compute_hash(event: AuditEvent) -> str:
    """The keyed hash of one event, over its content and the previous link."""
    key = settings.AUDIT_HMAC_KEY.encode()
    return hmac.new(key, _payload(event), hashlib.sha256).hexdigest()


def record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    organization: Any = None,
    location: Any = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to its organization's chain, in the caller's transaction."""
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
    organization_id = getattr(organization, "pk", organization)
    if organization_id is None and actor is not None:
        organization_id = getattr(actor, "organization_id", None)
    location_id = getattr(location, "pk", location)
    chain = str(organization_id) if organization_id else SYSTEM_CHAIN
    actor_id = getattr(actor, "pk", None)
    actor_name = ""
    if actor is not None:
        actor_name = getattr(actor, "display_name", "") or str(actor)
    with transaction.atomic():
        AuditChainHead.objects.get_or_create(chain=chain)
        head = AuditChainHead.objects.select_for_update().get(chain=chain)
        event = AuditEvent(
            chain=chain,
            sequence=head.last_sequence + 1,
            occurred_at=timezone.now(),
            organization_id=organization_id,
            location_id=location_id,
            actor_id=actor_id,
            actor_name=actor_name[:200],
            action=action,
            target_type=target_type,
            target_id=str(target_id),
            target_label=(str(target) if target is not None else "")[:200],
            changes=normalize(changes or {}),
            request_id=request_id_var.get(),
            ip_address=client_ip_var.get(),
            prev_hash=head.last_hash or GENESIS,
        )
        event.hash = compute_hash(event)
        event.save(force_insert=True)
        head.last_sequence = event.sequence
        head.last_hash = event.hash
        head.save(update_fields=["last_sequence", "last_hash"])
    return event


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The fields that changed, as {field: [old, new]} in plain JSON values."""
    old, new = normalize(before), normalize(after)
    return {key: [old.get(key), new.get(key)] for key in new if old.get(key) != new.get(key)}


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of a row, to compare before and after a change."""
    return {name: getattr(instance, name) for name in fields}


@dataclass(frozen=True)
class BrokenLink:
    """Where a chain stops being intact, and why."""

    chain: str
    sequence: int
    reason: str

    def __str__(self) -> str:
        return f"chain {self.chain}, event #{self.sequence}: {self.reason}"


def verify(*, chain: str | None = None, batch_size: int = 2000) -> BrokenLink | None:
    """Walk every chain (or one) and return the first broken link, or None if intact."""
    heads = AuditChainHead.objects.order_by("chain")
    if chain is not None:
        heads = heads.filter(chain=chain)
    for head in heads:
        broken = _verify_chain(head, batch_size)
        if broken is not None:
            return broken
    # Events whose chain has no head at all (the head row itself was deleted).
    orphan = (
        AuditEvent.objects.exclude(chain__in=AuditChainHead.objects.values("chain"))
        .order_by("chain", "sequence")
        .first()
    )
    if orphan is not None and (chain is None or orphan.chain == chain):
        return BrokenLink(orphan.chain, orphan.sequence, "the chain's head is missing")
    return None


def _verify_chain(head: AuditChainHead, batch_size: int) -> BrokenLink | None:
    expected_sequence = 1
    prev_hash = GENESIS
    last_seen = 0
    while True:
        batch = list(
            AuditEvent.objects.filter(chain=head.chain, sequence__gt=last_seen).order_by(
                "sequence"
            )[:batch_size]
        )
        if not batch:
            break
        for event in batch:
            if event.sequence != expected_sequence:
                return BrokenLink(head.chain, expected_sequence, "the event is missing (deleted)")
            if event.prev_hash != prev_hash:
                return BrokenLink(
                    head.chain, event.sequence, "it does not follow the previous event"
                )
            if not hmac.compare_digest(compute_hash(event), event.hash):
                return BrokenLink(head.chain, event.sequence, "its content was changed")
            prev_hash = event.hash
            expected_sequence += 1
            last_seen = event.sequence
    if last_seen != head.last_sequence or (last_seen and prev_hash != head.last_hash):
        return BrokenLink(
            head.chain, last_seen + 1, "events at the end of the chain are missing (deleted)"
        )
    return None
