"""Schemas of the messages API."""

from __future__ import annotations

import datetime as dt
from typing import Literal
from uuid import UUID

from ninja import Field, Schema

from vetrisys.accounts.schemas import InputSchema
from vetrisys.core.api import ClockIn, ClockOut
from vetrisys.notifications.models import Message

MessageStatus = Literal["queued", "sending", "sent", "failed", "cancelled"]
MessageKindName = Literal[
    "appointment_confirmation", "appointment_reminder", "vaccine_due", "vaccine_overdue",
    "follow_up", "birthday", "lapsed_client", "receipt", "general",
]  # fmt: skip
ChannelName = Literal["email", "sms", "whatsapp", "in_app"]
LanguageCode = Literal["es", "en"]


class MessageFilter(Schema):
    client: UUID | None = None
    patient: UUID | None = None
    status: MessageStatus | None = None
    kind: MessageKindName | None = None
    channel: ChannelName | None = None
    location: UUID | None = None


class MessageOut(Schema):
    id: UUID
    client: UUID
    patient: UUID | None
    location: UUID | None
    kind: str
    channel: str
    status: str
    language: str
    to: str
    subject: str
    body: str
    scheduled_for: dt.datetime
    sent_at: dt.datetime | None
    attempts: int
    error: str
    cancelled_reason: str
    provider_id: str
    rule: UUID | None
    created_at: dt.datetime

    @staticmethod
    def resolve_client(obj: Message) -> UUID:
        return obj.client_id

    @staticmethod
    def resolve_patient(obj: Message) -> UUID | None:
        return obj.patient_id

    @staticmethod
    def resolve_location(obj: Message) -> UUID | None:
        return obj.location_id

    @staticmethod
    def resolve_rule(obj: Message) -> UUID | None:
        return obj.rule_id


class CancelIn(InputSchema):
    reason: str = Field(min_length=1, max_length=200)


class TemplateOut(Schema):
    kind: str
    channel: str
    language: str
    subject: str
    body: str
    is_custom: bool = Field(description="False: the built-in text is in force.")
    is_active: bool


class TemplateIn(InputSchema):
    subject: str = Field("", max_length=200)
    body: str = Field(max_length=5000)
    is_active: bool = True


class QuietHoursOut(Schema):
    location: UUID
    quiet_from: ClockOut | None = Field(description="Local time in the location's zone.")
    quiet_until: ClockOut | None


class QuietHoursIn(InputSchema):
    quiet_from: ClockIn | None = Field(None, description="Both empty: no quiet hours.")
    quiet_until: ClockIn | None = None
