"""Ninja schemas of the vaccinations API."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from ninja import Schema


class VaccinationIn(Schema):
    patient: UUID
    product: UUID
    lot: str
    administered_on: dt.date
    location: UUID
    vet: UUID | None = None
    next_due_on: dt.date | None = None
    lot_expires_on: dt.date | None = None
    visit: UUID | None = None
    protocol: UUID | None = None
    route: str = ""
    site: str = ""
    notes: str = ""


class VaccinationFilter(Schema):
    patient: UUID | None = None
    visit: UUID | None = None


class VaccinationOut(Schema):
    id: UUID
    patient: UUID
    patient_name: str
    product: UUID
    product_name: str
    protocol: UUID | None
    protocol_name: str | None
    lot: UUID | None
    lot_number: str
    lot_expires_on: dt.date | None
    administered_on: dt.date
    location: UUID
    vet: UUID
    vet_name: str
    visit: UUID | None
    route: str
    site: str
    dose_number: int
    next_due_on: dt.date | None
    next_due_is_overridden: bool
    notes: str

    @staticmethod
    def resolve_patient(obj: object) -> UUID:
        return obj.patient_id  # type: ignore[attr-defined, no-any-return]

    @staticmethod
    def resolve_patient_name(obj: object) -> str:
        return obj.patient.name  # type: ignore[attr-defined, no-any-return]

    @staticmethod
    def resolve_product(obj: object) -> UUID:
        return obj.product_id  # type: ignore[attr-defined, no-any-return]

    @staticmethod
    def resolve_product_name(obj: object) -> str:
        return obj.product.name  # type: ignore[attr-defined, no-any-return]

    @staticmethod
    def resolve_protocol(obj: object) -> UUID | None:
        return obj.protocol_id  # type: ignore[attr-defined, no-any-return]

    @staticmethod
    def resolve_protocol_name(obj: object) -> str | None:
        protocol = obj.protocol  # type: ignore[attr-defined]
        return protocol.name if protocol else None

    @staticmethod
    def resolve_lot(obj: object) -> UUID | None:
        return obj.lot_id  # type: ignore[attr-defined, no-any-return]

    @staticmethod
    def resolve_location(obj: object) -> UUID:
        return obj.location_id  # type: ignore[attr-defined, no-any-return]

    @staticmethod
    def resolve_vet(obj: object) -> UUID:
        return obj.vet_id  # type: ignore[attr-defined, no-any-return]

    @staticmethod
    def resolve_vet_name(obj: object) -> str:
        return str(obj.vet.display_name)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_visit(obj: object) -> UUID | None:
        return obj.visit_id  # type: ignore[attr-defined, no-any-return]


class VaccineStatusOut(Schema):
    vaccine: str
    protocol: UUID | None
    is_core: bool
    last_given_on: dt.date | None
    last_vaccination: UUID | None
    doses_given: int
    next_due_on: dt.date | None
    status: str


class ProtocolIn(Schema):
    species: str
    name_es: str
    name_en: str = ""
    code: str = ""
    diseases: str = ""
    is_core: bool = False
    product_keywords: str = ""
    products: list[UUID] = []
    min_age_weeks: int
    primary_doses: int = 1
    primary_interval_weeks: int = 4
    series_end_age_weeks: int | None = None
    first_booster_months: int | None = None
    booster_interval_months: int | None = None
    notes: str = ""


class ProtocolPatch(Schema):
    name_es: str | None = None
    name_en: str | None = None
    diseases: str | None = None
    is_core: bool | None = None
    product_keywords: str | None = None
    products: list[UUID] | None = None
    min_age_weeks: int | None = None
    primary_doses: int | None = None
    primary_interval_weeks: int | None = None
    series_end_age_weeks: int | None = None
    first_booster_months: int | None = None
    booster_interval_months: int | None = None
    notes: str | None = None
    is_active: bool | None = None


class ProtocolOut(Schema):
    id: UUID
    code: str
    species: str
    name: str
    name_es: str
    name_en: str
    diseases: str
    is_core: bool
    is_seeded: bool
    product_keywords: str
    min_age_weeks: int
    primary_doses: int
    primary_interval_weeks: int
    series_end_age_weeks: int | None
    first_booster_months: int | None
    booster_interval_months: int | None
    notes: str
    is_active: bool

    @staticmethod
    def resolve_species(obj: object) -> str:
        return obj.species.code  # type: ignore[attr-defined, no-any-return]

    @staticmethod
    def resolve_is_seeded(obj: object) -> bool:
        return obj.organization_id is None  # type: ignore[attr-defined]
