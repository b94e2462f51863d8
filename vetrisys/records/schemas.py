"""Schemas of the records API: what goes in (XIn, XFilter) and what comes out (XOut)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from uuid import UUID

from ninja import Field, Schema
from pydantic import ConfigDict

from vetrisys.records import ranges
from vetrisys.records.models import (
    LabResult,
    Problem,
    Visit,
    VisitDiagnosis,
    VisitType,
    Vitals,
)


class InputSchema(Schema):
    """Input that names a field the API does not know is refused, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class Ref(Schema):
    id: UUID
    name: str


def _person(user: Any) -> dict[str, Any] | None:
    return {"id": user.pk, "name": user.display_name} if user is not None else None


# ---------------------------------------------------------------- parts of a visit


class SoapOut(Schema):
    subjective: str
    objective: str
    assessment: str
    plan: str
    version: int
    updated_at: dt.datetime


class SoapIn(InputSchema):
    subjective: str = Field("", max_length=20000)
    objective: str = Field("", max_length=20000)
    assessment: str = Field("", max_length=20000)
    plan: str = Field("", max_length=20000)
    version: int | None = Field(
        None, description="the note's version as read; 409 `stale` when it changed since"
    )


class VitalsIn(InputSchema):
    weight_kg: Decimal | None = None
    temperature_c: Decimal | None = None
    heart_rate: int | None = None
    respiratory_rate: int | None = None
    body_condition_score: int | None = None
    pain_score: int | None = None
    mucous_membranes: Vitals.MucousMembranes | None = None
    crt_seconds: Decimal | None = None
    notes: str = Field("", max_length=300)


class VitalsOut(Schema):
    id: UUID
    recorded_at: dt.datetime
    recorded_by: Ref | None
    weight_kg: Decimal | None
    temperature_c: Decimal | None
    heart_rate: int | None
    respiratory_rate: int | None
    body_condition_score: int | None
    pain_score: int | None
    mucous_membranes: str
    crt_seconds: Decimal | None
    notes: str
    flags: dict[str, str] = Field(description="measurement → low / high / abnormal")

    @staticmethod
    def resolve_recorded_by(obj: Vitals) -> dict[str, Any] | None:
        return _person(obj.recorded_by)

    @staticmethod
    def resolve_flags(obj: Vitals) -> dict[str, str]:
        return ranges.vitals_flags(obj, obj.visit.patient.species.code)


class DiagnosisIn(InputSchema):
    code: str | None = Field(None, max_length=40, description="a term's code or id")
    term: str = Field("", max_length=300, description="free text when there is no code")
    status: VisitDiagnosis.Status = VisitDiagnosis.Status.PROVISIONAL
    notes: str = Field("", max_length=300)
    add_to_problems: bool = False
    chronic: bool = False


class TermOut(Schema):
    id: UUID
    code: str
    name: str
    name_es: str
    name_en: str
    category: str
    is_global: bool
    is_active: bool

    @staticmethod
    def resolve_is_global(obj: Any) -> bool:
        return obj.organization_id is None


class TermIn(InputSchema):
    code: str = Field(..., max_length=40)
    name_es: str = Field(..., max_length=200)
    name_en: str = Field("", max_length=200)
    category: str = Field("", max_length=40)


class DiagnosisOut(Schema):
    id: UUID
    code: str
    term: str
    status: str
    notes: str
    problem: UUID | None
    created_at: dt.datetime

    @staticmethod
    def resolve_code(obj: VisitDiagnosis) -> str:
        return obj.term.code if obj.term is not None else ""

    @staticmethod
    def resolve_term(obj: VisitDiagnosis) -> str:
        return obj.label

    @staticmethod
    def resolve_problem(obj: VisitDiagnosis) -> UUID | None:
        return obj.problem_id


class ProcedureIn(InputSchema):
    price_item: UUID
    quantity: Decimal = Decimal(1)
    notes: str = Field("", max_length=300)


class ProcedureOut(Schema):
    id: UUID
    price_item: Ref
    quantity: Decimal
    notes: str
    performed_by: Ref | None
    performed_at: dt.datetime

    @staticmethod
    def resolve_price_item(obj: Any) -> dict[str, Any]:
        return {"id": obj.product_id, "name": obj.product.name}

    @staticmethod
    def resolve_performed_by(obj: Any) -> dict[str, Any] | None:
        return _person(obj.performed_by)


class ProcedureRemoveIn(InputSchema):
    reason: str = Field("", max_length=300)


class LabResultIn(InputSchema):
    test_name: str = Field(..., max_length=120)
    value: str = Field(..., max_length=60)
    unit: str = Field("", max_length=30)
    reference_range: str = Field("", max_length=60)
    flag: LabResult.Flag | None = None
    notes: str = Field("", max_length=300)
    attachment: UUID | None = None


class LabResultOut(Schema):
    id: UUID
    test_name: str
    value: str
    unit: str
    reference_range: str
    flag: str
    notes: str
    attachment: UUID | None
    created_at: dt.datetime

    @staticmethod
    def resolve_attachment(obj: LabResult) -> UUID | None:
        return obj.attachment_id


class AttachmentLinkIn(InputSchema):
    attachment: UUID


class AttachmentLinkOut(Schema):
    id: UUID
    kind: str
    description: str
    name: str
    content_type: str

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        attachment_id: UUID = obj.attachment_id
        return attachment_id

    @staticmethod
    def resolve_kind(obj: Any) -> str:
        return str(obj.attachment.kind)

    @staticmethod
    def resolve_description(obj: Any) -> str:
        return str(obj.attachment.description)

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.attachment.original_name)

    @staticmethod
    def resolve_content_type(obj: Any) -> str:
        return str(obj.attachment.content_type)


class AddendumIn(InputSchema):
    text: str = Field(..., max_length=5000)


class AddendumOut(Schema):
    id: UUID
    text: str
    author: Ref
    created_at: dt.datetime

    @staticmethod
    def resolve_author(obj: Any) -> dict[str, Any] | None:
        return _person(obj.author)


class ProblemOut(Schema):
    id: UUID
    patient: UUID
    code: str
    term: str
    status: Problem.Status
    is_chronic: bool
    started_on: dt.date | None
    resolved_on: dt.date | None
    noted_in_visit: UUID | None
    notes: str

    @staticmethod
    def resolve_patient(obj: Problem) -> UUID:
        return obj.patient_id

    @staticmethod
    def resolve_code(obj: Problem) -> str:
        return obj.term.code if obj.term is not None else ""

    @staticmethod
    def resolve_term(obj: Problem) -> str:
        return obj.label

    @staticmethod
    def resolve_noted_in_visit(obj: Problem) -> UUID | None:
        return obj.noted_in_visit_id


class ProblemIn(InputSchema):
    code: str | None = Field(None, max_length=40)
    term: str = Field("", max_length=300)
    chronic: bool = False
    notes: str = Field("", max_length=300)


# ---------------------------------------------------------------- visits


class VisitIn(InputSchema):
    patient: UUID
    location: UUID
    vet: UUID | None = Field(None, description="default: the person opening the visit")
    appointment: UUID | None = None
    reason: str = Field("", max_length=300)
    visit_type: VisitType = VisitType.CONSULTATION


class VisitFilter(Schema):
    patient: UUID | None = None
    location: UUID | None = None
    vet: UUID | None = None
    status: Visit.Status | None = None


class VisitOut(Schema):
    id: UUID
    location: Ref
    patient: Ref
    client: Ref
    vet: Ref
    appointment: UUID | None
    visit_type: VisitType
    reason: str
    status: Visit.Status
    opened_at: dt.datetime
    signed_at: dt.datetime | None
    signed_by: Ref | None
    version: int

    @staticmethod
    def resolve_location(obj: Visit) -> dict[str, Any]:
        return {"id": obj.location_id, "name": obj.location.name}

    @staticmethod
    def resolve_patient(obj: Visit) -> dict[str, Any]:
        return {"id": obj.patient_id, "name": obj.patient.name}

    @staticmethod
    def resolve_client(obj: Visit) -> dict[str, Any]:
        return {"id": obj.client_id, "name": obj.client.full_name}

    @staticmethod
    def resolve_vet(obj: Visit) -> dict[str, Any] | None:
        return _person(obj.vet)

    @staticmethod
    def resolve_appointment(obj: Visit) -> UUID | None:
        return obj.appointment_id

    @staticmethod
    def resolve_signed_by(obj: Visit) -> dict[str, Any] | None:
        return _person(obj.signed_by)


class VisitDetailOut(VisitOut):
    soap: SoapOut
    vitals: list[VitalsOut]
    diagnoses: list[DiagnosisOut]
    procedures: list[ProcedureOut]
    lab_results: list[LabResultOut]
    attachments: list[AttachmentLinkOut]
    addenda: list[AddendumOut]
    prescriptions: list[dict[str, Any]] = Field(
        default_factory=list, description="the prescriptions written in the visit"
    )
    sections: dict[str, list[dict[str, Any]]] = Field(
        default_factory=dict, description="lists other parts of the system add to a visit"
    )

    @staticmethod
    def resolve_attachments(obj: Visit) -> list[Any]:
        return list(obj.attachment_links.all())

    @staticmethod
    def resolve_prescriptions(obj: Visit) -> list[dict[str, Any]]:
        sections: dict[str, list[dict[str, Any]]] = getattr(obj, "api_sections", {})
        return sections.get("prescriptions", [])

    @staticmethod
    def resolve_sections(obj: Visit) -> dict[str, list[dict[str, Any]]]:
        sections: dict[str, list[dict[str, Any]]] = getattr(obj, "api_sections", {})
        return sections


# ---------------------------------------------------------------- templates


class SoapTemplateOut(Schema):
    id: UUID
    visit_type: VisitType
    name: str
    language: str
    subjective: str
    objective: str
    assessment: str
    plan: str
    is_global: bool
    is_active: bool

    @staticmethod
    def resolve_is_global(obj: Any) -> bool:
        return obj.organization_id is None


class SoapTemplateIn(InputSchema):
    visit_type: VisitType
    name: str = Field(..., max_length=120)
    language: str = Field("es", max_length=5)
    subjective: str = Field("", max_length=5000)
    objective: str = Field("", max_length=5000)
    assessment: str = Field("", max_length=5000)
    plan: str = Field("", max_length=5000)


class SoapTemplatePatch(InputSchema):
    visit_type: VisitType | None = None
    name: str | None = Field(None, max_length=120)
    language: str | None = Field(None, max_length=5)
    subjective: str | None = Field(None, max_length=5000)
    objective: str | None = Field(None, max_length=5000)
    assessment: str | None = Field(None, max_length=5000)
    plan: str | None = Field(None, max_length=5000)
    is_active: bool | None = None
