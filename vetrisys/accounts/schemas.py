"""Schemas of the accounts API: what goes in (XIn, XPatch) and what comes out (XOut)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from ninja import Field, Schema
from pydantic import ConfigDict, PlainSerializer

from vetrisys.accounts.models import Location, Room, StaffMembership, User


def _two_places(value: Decimal) -> str:
    return f"{value:.2f}"


# A percentage as a decimal string: "18.00" is 18 %.
RateIn = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]
RateOut = Annotated[Decimal, PlainSerializer(_two_places, return_type=str)]


class InputSchema(Schema):
    """Input that names a field the API does not know is refused, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- auth


class TokenIn(InputSchema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=4096)
    otp_code: str | None = Field(None, max_length=64)


class TokenOut(Schema):
    token: str
    expires_at: datetime


# ---------------------------------------------------------------- references


class OrganizationRef(Schema):
    id: UUID
    name: str


class LocationRef(Schema):
    id: UUID
    name: str


class MembershipOut(Schema):
    location: LocationRef
    role: str

    @staticmethod
    def resolve_role(obj: StaffMembership) -> str:
        return obj.role.key


class MembershipIn(InputSchema):
    location: UUID
    role: str = Field(max_length=50)


# ---------------------------------------------------------------- me


class UserOut(Schema):
    id: UUID
    username: str
    first_name: str
    last_name: str
    email: str
    language: str
    organization: OrganizationRef | None


class MeOut(Schema):
    user: UserOut
    memberships: list[MembershipOut]
    capabilities: dict[str, list[str]]


# ---------------------------------------------------------------- locations and rooms


class LocationIn(InputSchema):
    name: str = Field(min_length=1, max_length=200)
    time_zone: str = Field("America/Lima", max_length=64)
    currency: str = Field("PEN", max_length=3)
    tax_rate: RateIn = Decimal("18.00")
    address: str = Field("", max_length=300)
    phone: str = Field("", max_length=40)
    is_active: bool = True


class LocationPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    time_zone: str | None = Field(None, max_length=64)
    currency: str | None = Field(None, max_length=3)
    tax_rate: RateIn | None = None
    address: str | None = Field(None, max_length=300)
    phone: str | None = Field(None, max_length=40)
    is_active: bool | None = None


class LocationOut(Schema):
    id: UUID
    name: str
    time_zone: str
    currency: str
    tax_rate: RateOut
    address: str
    phone: str
    is_active: bool

    @staticmethod
    def resolve_tax_rate(obj: Location) -> Decimal:
        return Decimal(obj.tax_rate)


class RoomIn(InputSchema):
    name: str = Field(min_length=1, max_length=100)
    kind: Room.Kind = Room.Kind.EXAM


class RoomOut(Schema):
    id: UUID
    location: UUID
    name: str
    kind: str
    is_active: bool

    @staticmethod
    def resolve_location(obj: Room) -> UUID:
        return obj.location_id


# ---------------------------------------------------------------- staff


class StaffIn(InputSchema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=4096)
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    email: str = Field("", max_length=254)
    language: User.Language = User.Language.SPANISH
    memberships: list[MembershipIn] = Field(min_length=1, max_length=100)


class StaffPatch(InputSchema):
    password: str | None = Field(None, min_length=1, max_length=4096)
    first_name: str | None = Field(None, max_length=150)
    last_name: str | None = Field(None, max_length=150)
    email: str | None = Field(None, max_length=254)
    language: User.Language | None = None
    is_active: bool | None = None
    memberships: list[MembershipIn] | None = Field(None, min_length=1, max_length=100)


class StaffOut(Schema):
    id: UUID
    username: str
    first_name: str
    last_name: str
    email: str
    language: str
    is_active: bool
    last_login: datetime | None
    memberships: list[MembershipOut]

    @staticmethod
    def resolve_memberships(obj: User) -> list[StaffMembership]:
        return list(obj.memberships.all())
