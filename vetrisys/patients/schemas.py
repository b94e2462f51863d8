"""Schemas of the patients API: what goes in (XIn, XPatch) and what comes out (XOut)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from ninja import Field, Schema
from pydantic import AwareDatetime, ConfigDict, PlainSerializer, model_validator

from vetrisys.patients.models import Attachment, Patient, WeightRecord


def _three_places(value: Decimal) -> str:
    return f"{value:.3f}"


# A weight in kilograms as a decimal string with grams: "12.350".
KilogramsOut = Annotated[Decimal, PlainSerializer(_three_places, return_type=str)]


class InputSchema(Schema):
    """Input that names a field the API does not know is refused, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- reference data


class SpeciesOut(Schema):
    id: UUID
    code: str
    name: str
    name_es: str
    name_en: str
    is_global: bool
    is_active: bool

    @staticmethod
    def resolve_is_global(obj: Any) -> bool:
        return obj.organization_id is None


class SpeciesIn(InputSchema):
    code: str = Field("", max_length=40)
    name_es: str = Field(max_length=100)
    name_en: str = Field("", max_length=100)


class BreedOut(Schema):
    id: UUID
    species: UUID
    name: str
    name_es: str
    name_en: str
    is_global: bool
    is_active: bool

    @staticmethod
    def resolve_species(obj: Any) -> UUID:
        species_id: UUID = obj.species_id
        return species_id

    @staticmethod
    def resolve_is_global(obj: Any) -> bool:
        return obj.organization_id is None


class BreedIn(InputSchema):
    name_es: str = Field(max_length=100)
    name_en: str = Field("", max_length=100)


class SpeciesRef(Schema):
    id: UUID
    code: str
    name: str


class BreedRef(Schema):
    id: UUID
    name: str


class ClientRef(Schema):
    id: UUID
    full_name: str


# ---------------------------------------------------------------- patients


class AgeOut(Schema):
    years: int
    months: int
    days: int
    is_estimated: bool
    text: str


class PatientOut(Schema):
    id: UUID
    client: ClientRef
    name: str
    species: SpeciesRef
    breed: BreedRef | None
    sex: Patient.Sex
    neutered: bool
    birth_date: dt.date | None
    birth_date_is_estimated: bool
    age: AgeOut | None
    color: str
    microchip: str
    allergies: str
    chronic_conditions: str
    alerts: list[Patient.Alert]
    alert_note: str
    deceased_on: dt.date | None
    is_deceased: bool
    weight_kg: KilogramsOut | None
    photo: UUID | None
    is_active: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int

    @staticmethod
    def resolve_age(obj: Patient) -> dict[str, Any] | None:
        age = obj.age
        return age.as_dict() if age is not None else None

    @staticmethod
    def resolve_photo(obj: Patient) -> UUID | None:
        return obj.photo_id


class PatientBase(InputSchema):
    name: str = Field(max_length=100)
    species: str = Field(max_length=40, description="A species id or code (dog, cat, …).")
    breed: UUID | None = None
    sex: Patient.Sex = Patient.Sex.UNKNOWN
    neutered: bool = False
    birth_date: dt.date | None = None
    birth_date_is_estimated: bool = False
    age_years: int | None = Field(None, ge=0, le=100, description="Instead of birth_date.")
    age_months: int | None = Field(None, ge=0, le=11)
    color: str = Field("", max_length=200)
    microchip: str = Field("", max_length=30)
    allergies: str = Field("", max_length=5000)
    chronic_conditions: str = Field("", max_length=5000)
    alerts: list[Patient.Alert] = Field(default_factory=list)
    alert_note: str = Field("", max_length=300)


class PatientIn(PatientBase):
    client: UUID


class PatientPatch(InputSchema):
    client: UUID | None = Field(None, description="Another owner: the patient is transferred.")
    name: str | None = Field(None, max_length=100)
    species: str | None = Field(None, max_length=40)
    breed: UUID | None = None
    sex: Patient.Sex | None = None
    neutered: bool | None = None
    birth_date: dt.date | None = None
    birth_date_is_estimated: bool | None = None
    age_years: int | None = Field(None, ge=0, le=100)
    age_months: int | None = Field(None, ge=0, le=11)
    color: str | None = Field(None, max_length=200)
    microchip: str | None = Field(None, max_length=30)
    allergies: str | None = Field(None, max_length=5000)
    chronic_conditions: str | None = Field(None, max_length=5000)
    alerts: list[Patient.Alert] | None = None
    alert_note: str | None = Field(None, max_length=300)
    is_active: bool | None = None


class PatientFilter(Schema):
    q: str = Field("", max_length=100)
    client: UUID | None = None
    species: str | None = Field(None, max_length=40)


class PatientTransferIn(InputSchema):
    client: UUID
    reason: str = Field("", max_length=300)


class DeceasedIn(InputSchema):
    deceased_on: dt.date


# ---------------------------------------------------------------- weights


class WeightIn(InputSchema):
    weight_kg: Decimal | None = Field(None, gt=0, max_digits=10, decimal_places=3)
    weight_lb: Decimal | None = Field(None, gt=0, max_digits=10, decimal_places=3)
    measured_at: AwareDatetime | None = None
    note: str = Field("", max_length=300)

    @model_validator(mode="after")
    def one_unit(self) -> WeightIn:
        if (self.weight_kg is None) == (self.weight_lb is None):
            raise ValueError("Give weight_kg or weight_lb (exactly one).")
        return self


class WeightOut(Schema):
    id: UUID
    weight_kg: KilogramsOut
    entered_value: KilogramsOut
    entered_unit: WeightRecord.Unit
    measured_at: dt.datetime
    note: str
    recorded_by: str

    @staticmethod
    def resolve_recorded_by(obj: WeightRecord) -> str:
        return obj.recorded_by.display_name if obj.recorded_by else ""


# ---------------------------------------------------------------- attachments and notes


class AttachmentOut(Schema):
    id: UUID
    patient: UUID
    kind: Attachment.Kind
    description: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    created_at: dt.datetime
    download_url: str

    @staticmethod
    def resolve_patient(obj: Attachment) -> UUID:
        return obj.patient_id

    @staticmethod
    def resolve_uploaded_by(obj: Attachment) -> str:
        return obj.uploaded_by.display_name if obj.uploaded_by else ""

    @staticmethod
    def resolve_download_url(obj: Attachment) -> str:
        return f"/api/v1/attachments/{obj.pk}/download"


class NoteIn(InputSchema):
    text: str = Field(max_length=5000)


class NoteOut(Schema):
    id: UUID
    text: str
    author: str
    created_at: dt.datetime

    @staticmethod
    def resolve_author(obj: Any) -> str:
        return obj.author.display_name if obj.author else ""


class TimelineEntryOut(Schema):
    occurred_at: dt.datetime
    kind: str
    title: str
    detail: str
    actor_name: str
    object_id: str
    url: str
    data: dict[str, Any]


class TimelineOut(Schema):
    items: list[TimelineEntryOut]
    count: int


# ---------------------------------------------------------------- quick search


class SearchPatientOut(Schema):
    id: UUID
    name: str
    species: str
    client: ClientRef
    microchip: str
    is_deceased: bool

    @staticmethod
    def resolve_species(obj: Patient) -> str:
        return obj.species.name


class SearchClientOut(Schema):
    id: UUID
    full_name: str
    phones: list[str]

    @staticmethod
    def resolve_phones(obj: Any) -> list[str]:
        return [phone.number for phone in obj.phones.all()]


class SearchOut(Schema):
    query: str
    clients: list[SearchClientOut]
    patients: list[SearchPatientOut]
