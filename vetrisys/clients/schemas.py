"""Schemas of the owners API: what goes in (XIn, XPatch) and what comes out (XOut)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from ninja import Field, Schema
from pydantic import AwareDatetime, PlainSerializer

from vetrisys.accounts.schemas import InputSchema
from vetrisys.clients.models import CONSENT_CHANNELS, Client, ClientPhone, Communication

DocumentType = Literal["dni", "ruc", "ce", "passport", "other"]
ChannelName = Literal["email", "sms", "whatsapp", "phone"]
LanguageCode = Literal["es", "en"]
PhoneLabel = Literal["mobile", "home", "work", "other"]
Money = Annotated[Decimal, PlainSerializer(lambda value: f"{value:.2f}", return_type=str)]


class ConsentsIn(InputSchema):
    email: bool = False
    sms: bool = False
    whatsapp: bool = False


class ConsentsPatch(InputSchema):
    email: bool | None = None
    sms: bool | None = None
    whatsapp: bool | None = None


class PhoneIn(InputSchema):
    number: str = Field(max_length=40)
    label: PhoneLabel = "mobile"
    is_primary: bool = False


class ClientIn(InputSchema):
    first_name: str = Field(max_length=100)
    last_name: str = Field("", max_length=100)
    email: str = Field("", max_length=254)
    phone: str | None = Field(None, max_length=40, description="The primary phone.")
    phones: list[PhoneIn] | None = Field(None, description="Every phone; one may be primary.")
    document_type: DocumentType | None = Field(
        None, description="dni, ruc, ce, passport or other; guessed from the number if absent."
    )
    document_id: str = Field("", max_length=20)
    address: str = Field("", max_length=300)
    district: str = Field("", max_length=100)
    city: str = Field("", max_length=100)
    emergency_contact_name: str = Field("", max_length=200)
    emergency_contact_phone: str = Field("", max_length=40)
    preferred_channel: ChannelName = "phone"
    consents: ConsentsIn | None = None
    language: LanguageCode = "es"
    notes: str = Field("", max_length=5000)


class ClientPatch(InputSchema):
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    phones: list[PhoneIn] | None = None
    document_type: DocumentType | None = None
    document_id: str | None = Field(None, max_length=20)
    address: str | None = Field(None, max_length=300)
    district: str | None = Field(None, max_length=100)
    city: str | None = Field(None, max_length=100)
    emergency_contact_name: str | None = Field(None, max_length=200)
    emergency_contact_phone: str | None = Field(None, max_length=40)
    preferred_channel: ChannelName | None = None
    consents: ConsentsPatch | None = None
    language: LanguageCode | None = None
    notes: str | None = Field(None, max_length=5000)


class MergeIn(InputSchema):
    duplicate: UUID = Field(description="The owner to fold into this one (archived afterwards).")


class PhoneOut(Schema):
    id: UUID
    number: str
    e164: str
    label: str
    is_primary: bool


class ClientRef(Schema):
    id: UUID
    name: str

    @staticmethod
    def resolve_name(obj: Client) -> str:
        return obj.full_name


class ClientOut(Schema):
    id: UUID
    first_name: str
    last_name: str
    full_name: str
    email: str
    phone: str | None = Field(description="The primary phone, international format.")
    phones: list[PhoneOut]
    document_type: str
    document_id: str
    address: str
    district: str
    city: str
    emergency_contact_name: str
    emergency_contact_phone: str
    preferred_channel: str
    consents: dict[str, bool]
    consents_given_at: dict[str, dt.datetime | None]
    language: str
    notes: str
    balance: Money
    is_active: bool
    archived_at: dt.datetime | None
    merged_into: UUID | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int

    @staticmethod
    def resolve_phones(obj: Client) -> list[ClientPhone]:
        return list(obj.phones.all())

    @staticmethod
    def resolve_phone(obj: Client) -> str | None:
        primary = next((p for p in obj.phones.all() if p.is_primary), None)
        return primary.e164 if primary else None

    @staticmethod
    def resolve_document_id(obj: Client) -> str:
        return obj.document_number

    @staticmethod
    def resolve_consents(obj: Client) -> dict[str, bool]:
        return {channel: obj.has_consent(channel) for channel in CONSENT_CHANNELS}

    @staticmethod
    def resolve_consents_given_at(obj: Client) -> dict[str, dt.datetime | None]:
        return {channel: obj.consent_given_at(channel) for channel in CONSENT_CHANNELS}

    @staticmethod
    def resolve_merged_into(obj: Client) -> UUID | None:
        return obj.merged_into_id


class PatientSummaryOut(Schema):
    id: UUID
    name: str
    species: str
    breed: str
    sex: str
    birth_date: dt.date | None
    microchip: str
    is_active: bool

    @staticmethod
    def resolve_species(obj: Any) -> str:
        return _display(getattr(obj, "species", ""))

    @staticmethod
    def resolve_breed(obj: Any) -> str:
        return _display(getattr(obj, "breed", ""))

    @staticmethod
    def resolve_sex(obj: Any) -> str:
        return str(getattr(obj, "sex", "") or "")

    @staticmethod
    def resolve_birth_date(obj: Any) -> dt.date | None:
        value = getattr(obj, "birth_date", None)
        return value if isinstance(value, dt.date) else None

    @staticmethod
    def resolve_microchip(obj: Any) -> str:
        return str(getattr(obj, "microchip", "") or "")


def _display(value: Any) -> str:
    """A related row's name, or a plain value as text."""
    if value is None:
        return ""
    return str(getattr(value, "name", value))


class AuthorOut(Schema):
    id: UUID
    name: str

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.display_name)


class CommunicationIn(InputSchema):
    kind: Literal["call", "email", "sms", "whatsapp", "note", "letter"]
    direction: Literal["in", "out"] = "out"
    subject: str = Field("", max_length=200)
    body: str = Field("", max_length=10000)
    occurred_at: AwareDatetime | None = Field(None, description="Default: now.")


class CommunicationOut(Schema):
    id: UUID
    client: UUID
    kind: str
    direction: str
    subject: str
    body: str
    occurred_at: dt.datetime
    author: AuthorOut | None
    created_at: dt.datetime

    @staticmethod
    def resolve_client(obj: Communication) -> UUID:
        return obj.client_id


class HistoryEntryOut(Schema):
    """One entry of the history: a call or note logged by hand (`source: "log"`) or a message
    of the outbox (`source: "message"`, with its `status` and `topic`, e.g. vaccine_due)."""

    id: UUID
    client: UUID
    source: str
    kind: str = Field(description="call, email, sms, whatsapp, note, letter, in_app")
    direction: str
    subject: str
    body: str
    occurred_at: dt.datetime
    author: AuthorOut | None
    created_at: dt.datetime | None
    status: str = Field(description="Messages: queued, sending, sent, failed, cancelled.")
    topic: str = Field(description="Messages: why it was sent (appointment_reminder, ...).")

    @staticmethod
    def resolve_client(obj: Any) -> UUID:
        return UUID(str(obj.client_id))
