"""Reads of the audit log: an organization's events, for those who may read them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.permissions import locations_with, require
from vetrisys.audit.models import AuditEvent
from vetrisys.core.errors import NotFound


def audit_event_list(
    *,
    actor: Any,
    target: str = "",
    actor_id: Any = None,
    action: str = "",
    date_from: dt.datetime | None = None,
    date_to: dt.datetime | None = None,
) -> QuerySet[AuditEvent]:
    """Events of the actor's organization, newest first. Admins see every location's events;
    a custom role holding `audit.view` sees the events of its locations only.

    `target` matches a target id, or `type:id` (e.g. `accounts.location:<uuid>`).
    `date_to` is exclusive.
    """
    require(actor, Capability.AUDIT_VIEW)
    events = AuditEvent.objects.filter(organization_id=actor.organization_id)
    if not actor.is_organization_wide():
        events = events.filter(location_id__in=locations_with(actor, Capability.AUDIT_VIEW))
    if target:
        if ":" in target:
            target_type, _sep, target_id = target.partition(":")
            events = events.filter(target_type=target_type, target_id=target_id)
        else:
            events = events.filter(Q(target_id=target))
    if actor_id:
        events = events.filter(actor_id=actor_id)
    if action:
        events = events.filter(action__startswith=action)
    if date_from is not None:
        events = events.filter(occurred_at__gte=date_from)
    if date_to is not None:
        events = events.filter(occurred_at__lt=date_to)
    return events.order_by("-occurred_at", "-sequence")


def audit_event_get(*, actor: Any, event_id: Any) -> AuditEvent:
    """One event the actor may read, or NotFound."""
    try:
        return audit_event_list(actor=actor).get(pk=event_id)
    except (AuditEvent.DoesNotExist, ValueError, TypeError):
        raise NotFound("Audit event not found.") from None
