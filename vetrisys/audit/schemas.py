"""Schemas of the audit API."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from ninja import Field, Schema
from pydantic import AwareDatetime

from vetrisys.audit.models import AuditEvent


class ActorRef(Schema):
    id: UUID
    name: str


class AuditFilter(Schema):
    target: str = Field("", max_length=200, description="a target id, or `type:id`")
    actor: UUID | None = None
    action: str = Field("", max_length=100, description="an action or its prefix (`staff.`)")
    date_from: AwareDatetime | None = None
    date_to: AwareDatetime | None = Field(None, description="exclusive")


class AuditEventOut(Schema):
    id: UUID
    sequence: int
    occurred_at: AwareDatetime
    actor: ActorRef | None
    action: str
    target_type: str
    target_id: str
    target_label: str
    changes: dict[str, Any]
    request_id: str
    location: UUID | None

    @staticmethod
    def resolve_actor(obj: AuditEvent) -> dict[str, Any] | None:
        if obj.actor_id is None:
            return None
        return {"id": obj.actor_id, "name": obj.actor_name}

    @staticmethod
    def resolve_location(obj: AuditEvent) -> UUID | None:
        return obj.location_id
