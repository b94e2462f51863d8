"""Schemas of the scheduling API: what goes in (XIn, XPatch, XFilter) and what comes out (XOut)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from uuid import UUID

from ninja import Field, Schema
from pydantic import AwareDatetime, ConfigDict

from vetrisys.core.api import ClockIn, ClockOut
from vetrisys.scheduling.models import Appointment, ShiftException

Weekday = Annotated[int, Field(ge=0, le=6, description="0 = Monday … 6 = Sunday")]


class InputSchema(Schema):
    """Input that names a field the API does not know is refused, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class Ref(Schema):
    id: UUID
    name: str


# ---------------------------------------------------------------- hours and shifts


class OpeningHoursItem(InputSchema):
    weekday: Weekday
    opens_at: ClockIn
    closes_at: ClockIn


class OpeningHoursOut(Schema):
    weekday: int
    opens_at: ClockOut
    closes_at: ClockOut


class ShiftIn(InputSchema):
    staff: UUID
    location: UUID
    weekday: Weekday
    starts_at: ClockIn
    ends_at: ClockIn
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None


class ShiftOut(Schema):
    id: UUID
    staff: Ref
    location: UUID
    weekday: int
    starts_at: ClockOut
    ends_at: ClockOut
    valid_from: dt.date | None
    valid_until: dt.date | None

    @staticmethod
    def resolve_staff(obj: Any) -> dict[str, Any]:
        return {"id": obj.staff_id, "name": obj.staff.display_name}

    @staticmethod
    def resolve_location(obj: Any) -> UUID:
        location_id: UUID = obj.location_id
        return location_id


class ShiftFilter(Schema):
    location: UUID | None = None
    staff: UUID | None = None


class ShiftExceptionIn(InputSchema):
    staff: UUID
    location: UUID
    date: dt.date
    kind: ShiftException.Kind
    starts_at: ClockIn | None = None
    ends_at: ClockIn | None = None
    reason: str = Field("", max_length=200)


class ShiftExceptionOut(Schema):
    id: UUID
    staff: Ref
    location: UUID
    date: dt.date
    kind: str
    starts_at: ClockOut | None
    ends_at: ClockOut | None
    reason: str

    @staticmethod
    def resolve_staff(obj: Any) -> dict[str, Any]:
        return {"id": obj.staff_id, "name": obj.staff.display_name}

    @staticmethod
    def resolve_location(obj: Any) -> UUID:
        location_id: UUID = obj.location_id
        return location_id


class ShiftExceptionFilter(Schema):
    location: UUID | None = None
    staff: UUID | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


# ---------------------------------------------------------------- appointment types


class AppointmentTypeOut(Schema):
    id: UUID
    name: str
    duration_minutes: int
    color: str
    species: list[UUID]
    requires_room_kind: str
    price_item: UUID | None
    buffer_before_minutes: int
    buffer_after_minutes: int
    online_bookable: bool
    is_active: bool

    @staticmethod
    def resolve_species(obj: Any) -> list[UUID]:
        return [s.pk for s in obj.species.all()]

    @staticmethod
    def resolve_price_item(obj: Any) -> UUID | None:
        price_item_id: UUID | None = obj.price_item_id
        return price_item_id


class AppointmentTypeIn(InputSchema):
    name: str = Field(max_length=100)
    duration_minutes: int = Field(gt=0, le=24 * 60)
    color: str = Field("#0d6efd", pattern=r"^#[0-9a-fA-F]{6}$")
    species: list[str] = Field(default_factory=list, description="species ids or codes")
    requires_room_kind: str = ""
    price_item: UUID | None = None
    buffer_before_minutes: int = Field(0, ge=0, le=240)
    buffer_after_minutes: int = Field(0, ge=0, le=240)
    online_bookable: bool = False
    is_active: bool = True


class AppointmentTypePatch(InputSchema):
    name: str | None = Field(None, max_length=100)
    duration_minutes: int | None = Field(None, gt=0, le=24 * 60)
    color: str | None = Field(None, pattern=r"^#[0-9a-fA-F]{6}$")
    species: list[str] | None = None
    requires_room_kind: str | None = None
    price_item: UUID | None = None
    buffer_before_minutes: int | None = Field(None, ge=0, le=240)
    buffer_after_minutes: int | None = Field(None, ge=0, le=240)
    online_bookable: bool | None = None
    is_active: bool | None = None


# ---------------------------------------------------------------- availability


class AvailabilityQuery(Schema):
    location: UUID
    appointment_type: UUID
    date: dt.date
    vet: UUID | None = None
    room: UUID | None = None
    step_minutes: int | None = Field(None, ge=5, le=120)


class SlotOut(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    vet: Ref
    room: Ref | None

    @staticmethod
    def resolve_vet(obj: Any) -> dict[str, Any]:
        return {"id": obj.vet.pk, "name": obj.vet.display_name}

    @staticmethod
    def resolve_room(obj: Any) -> dict[str, Any] | None:
        return {"id": obj.room.pk, "name": obj.room.name} if obj.room else None


# ---------------------------------------------------------------- appointments


class PatientRef(Schema):
    id: UUID
    name: str
    species: str

    @staticmethod
    def resolve_species(obj: Any) -> str:
        return str(obj.species.code)


class ClientRef(Schema):
    id: UUID
    full_name: str


class TypeRef(Schema):
    id: UUID
    name: str
    color: str


class AppointmentOut(Schema):
    id: UUID
    location: UUID
    patient: PatientRef
    client: ClientRef
    vet: Ref
    room: Ref | None
    appointment_type: TypeRef
    starts_at: dt.datetime
    ends_at: dt.datetime
    busy_from: dt.datetime
    busy_until: dt.datetime
    status: Appointment.Status
    notes: str
    is_overbooked: bool
    overbook_reason: str
    cancel_reason: str
    checked_in_at: dt.datetime | None
    started_at: dt.datetime | None
    completed_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    no_show_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int

    @staticmethod
    def resolve_location(obj: Any) -> UUID:
        location_id: UUID = obj.location_id
        return location_id

    @staticmethod
    def resolve_vet(obj: Any) -> dict[str, Any]:
        return {"id": obj.vet_id, "name": obj.vet.display_name}

    @staticmethod
    def resolve_room(obj: Any) -> dict[str, Any] | None:
        return {"id": obj.room_id, "name": obj.room.name} if obj.room_id else None


class AppointmentIn(InputSchema):
    location: UUID
    patient: UUID
    vet: UUID
    room: UUID | None = None
    appointment_type: UUID
    starts_at: AwareDatetime
    ends_at: AwareDatetime | None = Field(None, description="default: the type's duration")
    notes: str = Field("", max_length=2000)
    allow_overlap: bool = False
    overlap_reason: str = Field("", max_length=300)


class AppointmentPatch(InputSchema):
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    vet: UUID | None = None
    room: UUID | None = Field(None, description="null: no room")
    allow_overlap: bool = False
    overlap_reason: str = Field("", max_length=300)


class AppointmentFilter(Schema):
    location: UUID | None = None
    vet: UUID | None = None
    room: UUID | None = None
    patient: UUID | None = None
    status: Appointment.Status | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


class AppointmentCancelIn(InputSchema):
    reason: str = Field("", max_length=300)


class CalendarFeedOut(Schema):
    url: str | None
    created_at: dt.datetime | None
    last_fetched_at: dt.datetime | None
