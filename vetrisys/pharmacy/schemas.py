"""Ninja schemas of the prescriptions API (quantities as decimal strings)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from uuid import UUID

from ninja import Schema

from vetrisys.inventory.schemas import MovementOut


class PrescriptionIn(Schema):
    visit: UUID
    product: UUID
    dose: str | None = None
    route: str = ""
    frequency: str = ""
    duration_days: int | None = None
    quantity: Decimal | None = None
    refills: int = 0
    instructions: str = ""


class PrescriptionFilter(Schema):
    patient: UUID | None = None
    visit: UUID | None = None
    status: str = ""


class PrescriptionOut(Schema):
    id: UUID
    visit: UUID
    patient: UUID
    patient_name: str
    location: UUID
    prescriber: UUID
    prescriber_name: str
    product: UUID
    product_name: str
    dose: str
    route: str
    frequency: str
    duration_days: int | None
    quantity: Decimal
    refills: int
    instructions: str
    status: str
    dispensed_quantity: Decimal
    remaining_quantity: Decimal
    prescribed_at: dt.datetime

    @staticmethod
    def resolve_visit(obj: object) -> UUID:
        return obj.visit_id  # type: ignore[attr-defined, no-any-return]

    @staticmethod
    def resolve_patient(obj: object) -> UUID:
        return obj.patient_id  # type: ignore[attr-defined, no-any-return]

    @staticmethod
    def resolve_patient_name(obj: object) -> str:
        return obj.patient.name  # type: ignore[attr-defined, no-any-return]

    @staticmethod
    def resolve_location(obj: object) -> UUID:
        return obj.location_id  # type: ignore[attr-defined, no-any-return]

    @staticmethod
    def resolve_prescriber(obj: object) -> UUID:
        return obj.prescriber_id  # type: ignore[attr-defined, no-any-return]

    @staticmethod
    def resolve_prescriber_name(obj: object) -> str:
        return str(obj.prescriber.display_name)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_product(obj: object) -> UUID:
        return obj.product_id  # type: ignore[attr-defined, no-any-return]

    @staticmethod
    def resolve_product_name(obj: object) -> str:
        return obj.product.name  # type: ignore[attr-defined, no-any-return]


class PrescriptionDispenseIn(Schema):
    quantity: Decimal | None = None
    lot: str | None = None


class DispenseOut(Schema):
    id: UUID
    prescription: UUID
    location: UUID
    quantity: Decimal
    movements: list[MovementOut]
    charge: UUID | None
    dispensed_quantity: Decimal
    remaining_quantity: Decimal
    status: str
    dispensed_at: dt.datetime
