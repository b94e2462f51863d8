"""HTTP API of reminder rules: GET, POST /reminder-rules · GET, PATCH /reminder-rules/{id} ·
POST /reminder-rules/recommended · GET /reminder-rules/{id}/preview."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from vetrisys.accounts.auth import api_actor
from vetrisys.core.api import ERRORS, Pagination, patch_fields
from vetrisys.notifications import rules
from vetrisys.notifications.models import ReminderRule

router = Router(tags=["reminder rules"])


class ReminderRuleOut(Schema):
    id: UUID
    name: str
    trigger: str
    kind: str
    offset_minutes: int
    channel: str
    species: str
    appointment_type: UUID | None
    visit_type: str
    location: UUID | None
    is_active: bool
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_appointment_type(obj: ReminderRule) -> UUID | None:
        return obj.appointment_type_id

    @staticmethod
    def resolve_location(obj: ReminderRule) -> UUID | None:
        return obj.location_id


class ReminderRuleIn(Schema):
    name: str
    trigger: ReminderRule.Trigger
    kind: str
    offset_minutes: int
    channel: str = ""
    species: str = ""
    appointment_type: UUID | None = None
    visit_type: str = ""
    location: UUID | None = None
    is_active: bool = True


class ReminderRulePatch(Schema):
    name: str | None = None
    kind: str | None = None
    offset_minutes: int | None = None
    channel: str | None = None
    species: str | None = None
    appointment_type: UUID | None = None
    visit_type: str | None = None
    location: UUID | None = None
    is_active: bool | None = None


class PreviewRowOut(Schema):
    client_name: str
    pet_name: str
    location_name: str
    cause_at: dt.datetime
    scheduled_for: dt.datetime


class PreviewOut(Schema):
    count: int
    items: list[PreviewRowOut]


def _references(actor: Any, fields: dict[str, Any]) -> dict[str, Any]:
    """Ids of the body replaced by the rows they name (404 when not of the organization)."""
    if fields.get("appointment_type") is not None:
        fields["appointment_type"] = rules.appointment_type_get(
            actor=actor, appointment_type_id=fields["appointment_type"]
        )
    if fields.get("location") is not None:
        fields["location"] = rules.location_get(actor=actor, location_id=fields["location"])
    return fields


@router.get("", response={200: list[ReminderRuleOut], **ERRORS})
@paginate(Pagination)
def rule_list(request: HttpRequest) -> QuerySet[ReminderRule]:
    return rules.rule_list(actor=api_actor(request))


@router.post("", response={201: ReminderRuleOut, **ERRORS})
def rule_create(request: HttpRequest, payload: ReminderRuleIn) -> Status[ReminderRule]:
    actor = api_actor(request)
    fields = _references(actor, payload.model_dump())
    fields["trigger"] = str(fields["trigger"])
    return Status(201, rules.rule_create(actor=actor, **fields))


@router.post("/recommended", response={201: list[ReminderRuleOut], **ERRORS})
def rules_recommended(request: HttpRequest) -> Status[list[ReminderRule]]:
    """Add the recommended rules the organization does not have yet; answers those added."""
    actor = api_actor(request)
    return Status(
        201, rules.rules_create_recommended(actor=actor, organization=actor.organization_id)
    )


@router.get("/{rule_id}", response={200: ReminderRuleOut, **ERRORS})
def rule_get(request: HttpRequest, rule_id: UUID) -> ReminderRule:
    return rules.rule_get(actor=api_actor(request), rule_id=rule_id)


@router.patch("/{rule_id}", response={200: ReminderRuleOut, **ERRORS})
def rule_update(request: HttpRequest, rule_id: UUID, payload: ReminderRulePatch) -> ReminderRule:
    actor = api_actor(request)
    rule = rules.rule_get(actor=actor, rule_id=rule_id)
    sent = payload.model_dump(exclude_unset=True)
    # appointment_type and location may be set to null (any type, every location).
    nullable = {k: v for k, v in sent.items() if k in ("appointment_type", "location")}
    fields = patch_fields(ReminderRulePatch(**{k: v for k, v in sent.items() if k not in nullable}))
    fields.update(_references(actor, nullable))
    return rules.rule_update(actor=actor, rule=rule, **fields)


@router.get("/{rule_id}/preview", response={200: PreviewOut, **ERRORS})
def rule_preview(request: HttpRequest, rule_id: UUID) -> dict[str, Any]:
    """Who the rule would remind if the job ran now: how many, and the first 20."""
    actor = api_actor(request)
    rule = rules.rule_get(actor=actor, rule_id=rule_id)
    preview = rules.rule_preview(actor=actor, rule=rule, now=timezone.now())
    return {"count": preview.count, "items": preview.rows}
