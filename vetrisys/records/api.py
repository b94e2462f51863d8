"""HTTP API of medical records: visits with their SOAP note, vitals, diagnoses, procedures,
lab results, files, signing and addenda; problems, diagnosis terms and SOAP templates."""

from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from vetrisys.accounts.auth import api_actor
from vetrisys.accounts.models import User
from vetrisys.core.api import ERRORS, Pagination, patch_fields
from vetrisys.core.errors import ValidationFailed
from vetrisys.inventory.models import Product
from vetrisys.patients import selectors as patient_selectors
from vetrisys.patients.models import Attachment
from vetrisys.records import panels, selectors, services
from vetrisys.records.models import (
    Addendum,
    DiagnosisTerm,
    LabResult,
    Problem,
    Procedure,
    SoapNote,
    SoapTemplate,
    Visit,
    VisitAttachment,
    VisitDiagnosis,
    Vitals,
)
from vetrisys.records.schemas import (
    AddendumIn,
    AddendumOut,
    AttachmentLinkIn,
    AttachmentLinkOut,
    DiagnosisIn,
    DiagnosisOut,
    LabResultIn,
    LabResultOut,
    ProblemIn,
    ProblemOut,
    ProcedureIn,
    ProcedureOut,
    ProcedureRemoveIn,
    SoapIn,
    SoapOut,
    SoapTemplateIn,
    SoapTemplateOut,
    SoapTemplatePatch,
    TermIn,
    TermOut,
    VisitDetailOut,
    VisitFilter,
    VisitIn,
    VisitOut,
    VitalsIn,
    VitalsOut,
)
from vetrisys.scheduling import selectors as scheduling_selectors

router = Router(tags=["records"])


def _org(actor: User) -> Any:
    return actor.organization_id


def _detail(actor: User, visit_id: Any) -> dict[str, Any] | Visit:
    visit = selectors.visit_get(actor=actor, visit_id=visit_id)
    sections = panels.sections_for(actor, visit)
    # Kept off the model's own attribute names: another app may give Visit a reverse relation
    # named like its section.
    visit.api_sections = sections  # type: ignore[attr-defined]
    return visit


def _visit(request: HttpRequest, visit_id: UUID) -> Visit:
    return selectors.visit_for_write(actor=api_actor(request), visit_id=visit_id)


def _term(actor: User, code: str | None, field: str = "code") -> DiagnosisTerm | None:
    if not code:
        return None
    return selectors.diagnosis_term_resolve(actor=actor, value=code, field=field)


def _attachment(actor: User, attachment_id: UUID | None) -> Attachment | None:
    if attachment_id is None:
        return None
    found = Attachment.objects.filter(organization_id=_org(actor), pk=attachment_id).first()
    if found is None:
        raise ValidationFailed.for_field("attachment", _("No such file."))
    return found


# ---------------------------------------------------------------- visits


@router.get("/visits", response={200: list[VisitOut], **ERRORS})
@paginate(Pagination)
def visit_list(request: HttpRequest, filters: Query[VisitFilter]) -> QuerySet[Visit]:
    return selectors.visit_list(
        actor=api_actor(request),
        patient=filters.patient,
        location=filters.location,
        vet=filters.vet,
        status=str(filters.status or ""),
    )


@router.post("/visits", response={201: VisitDetailOut, **ERRORS})
def visit_open(request: HttpRequest, payload: VisitIn) -> Status[Any]:
    actor = api_actor(request)
    location = selectors.location_for_visit(actor=actor, location_id=payload.location)
    patient = selectors.patient_for_visit(actor=actor, patient_id=payload.patient)
    appointment = None
    if payload.appointment is not None:
        appointment = scheduling_selectors.appointment_get(
            actor=actor, appointment_id=payload.appointment
        )
        if appointment.patient_id != patient.pk or appointment.location_id != location.pk:
            raise ValidationFailed.for_field(
                "appointment", _("The appointment is of another patient or location.")
            )
    vet: Any = actor
    if payload.vet is not None:
        vet = User.objects.filter(organization_id=_org(actor), pk=payload.vet).first()
    visit = services.visit_open(
        actor=actor,
        location=location,
        patient=patient,
        vet=vet,
        reason=payload.reason,
        visit_type=str(payload.visit_type),
        appointment=appointment,
    )
    return Status(201, _detail(actor, visit.pk))


@router.get("/visits/{visit_id}", response={200: VisitDetailOut, **ERRORS})
def visit_get(request: HttpRequest, visit_id: UUID) -> Any:
    actor = api_actor(request)
    visit = _detail(actor, visit_id)
    assert isinstance(visit, Visit)
    services.visit_record_read(actor=actor, visit=visit)
    return visit


@router.put("/visits/{visit_id}/soap", response={200: SoapOut, **ERRORS})
def soap_save(request: HttpRequest, visit_id: UUID, payload: SoapIn) -> SoapNote:
    fields = payload.model_dump()
    version = fields.pop("version")
    return services.soap_save(
        actor=api_actor(request), visit=_visit(request, visit_id), version=version, **fields
    )


@router.post("/visits/{visit_id}/vitals", response={201: VitalsOut, **ERRORS})
def vitals_add(request: HttpRequest, visit_id: UUID, payload: VitalsIn) -> Status[Vitals]:
    fields = payload.model_dump()
    vitals = services.vitals_add(
        actor=api_actor(request), visit=_visit(request, visit_id), **fields
    )
    return Status(
        201,
        Vitals.objects.select_related("visit__patient__species", "recorded_by").get(pk=vitals.pk),
    )


@router.post("/visits/{visit_id}/diagnoses", response={201: DiagnosisOut, **ERRORS})
def diagnosis_add(
    request: HttpRequest, visit_id: UUID, payload: DiagnosisIn
) -> Status[VisitDiagnosis]:
    actor = api_actor(request)
    visit = _visit(request, visit_id)
    diagnosis = services.diagnosis_add(
        actor=actor,
        visit=visit,
        term=_term(actor, payload.code),
        free_text=payload.term if not payload.code else "",
        status=str(payload.status),
        notes=payload.notes,
        add_to_problems=payload.add_to_problems,
        chronic=payload.chronic,
    )
    return Status(201, diagnosis)


@router.delete("/visits/{visit_id}/diagnoses/{diagnosis_id}", response={204: None, **ERRORS})
def diagnosis_remove(request: HttpRequest, visit_id: UUID, diagnosis_id: UUID) -> Status[None]:
    visit = _visit(request, visit_id)
    diagnosis = (
        VisitDiagnosis.objects.filter(visit=visit, pk=diagnosis_id)
        .select_related("visit", "term")
        .first()
    )
    if diagnosis is None:
        raise ValidationFailed.for_field("diagnosis", _("No such diagnosis in this visit."))
    services.diagnosis_remove(actor=api_actor(request), diagnosis=diagnosis)
    return Status(204, None)


@router.post("/visits/{visit_id}/procedures", response={201: ProcedureOut, **ERRORS})
def procedure_add(request: HttpRequest, visit_id: UUID, payload: ProcedureIn) -> Status[Procedure]:
    actor = api_actor(request)
    visit = _visit(request, visit_id)
    product = Product.objects.filter(organization_id=_org(actor), pk=payload.price_item).first()
    if product is None:
        raise ValidationFailed.for_field("price_item", _("No such item in the price list."))
    procedure = services.procedure_add(
        actor=actor, visit=visit, product=product, quantity=payload.quantity, notes=payload.notes
    )
    return Status(201, procedure)


@router.post(
    "/visits/{visit_id}/procedures/{procedure_id}/remove", response={200: ProcedureOut, **ERRORS}
)
def procedure_remove(
    request: HttpRequest, visit_id: UUID, procedure_id: UUID, payload: ProcedureRemoveIn
) -> Procedure:
    visit = _visit(request, visit_id)
    procedure = (
        Procedure.objects.filter(visit=visit, pk=procedure_id)
        .select_related("visit", "product", "performed_by")
        .first()
    )
    if procedure is None:
        raise ValidationFailed.for_field("procedure", _("No such procedure in this visit."))
    return services.procedure_remove(
        actor=api_actor(request), procedure=procedure, reason=payload.reason
    )


@router.post("/visits/{visit_id}/lab-results", response={201: LabResultOut, **ERRORS})
def lab_result_add(request: HttpRequest, visit_id: UUID, payload: LabResultIn) -> Status[LabResult]:
    actor = api_actor(request)
    visit = _visit(request, visit_id)  # first: a visit the actor cannot see answers 404
    fields = payload.model_dump()
    fields["attachment"] = _attachment(actor, payload.attachment)
    fields["flag"] = str(payload.flag or "")
    result = services.lab_result_add(actor=actor, visit=visit, **fields)
    return Status(201, result)


@router.post("/visits/{visit_id}/attachments", response={201: AttachmentLinkOut, **ERRORS})
def attachment_link(
    request: HttpRequest, visit_id: UUID, payload: AttachmentLinkIn
) -> Status[VisitAttachment]:
    actor = api_actor(request)
    visit = _visit(request, visit_id)  # first: a visit the actor cannot see answers 404
    attachment = _attachment(actor, payload.attachment)
    assert attachment is not None
    link = services.attachment_link(actor=actor, visit=visit, attachment=attachment)
    return Status(201, link)


@router.post("/visits/{visit_id}/sign", response={200: VisitDetailOut, **ERRORS})
def visit_sign(request: HttpRequest, visit_id: UUID) -> Any:
    actor = api_actor(request)
    visit = services.visit_sign(actor=actor, visit=_visit(request, visit_id))
    return _detail(actor, visit.pk)


@router.post("/visits/{visit_id}/addenda", response={201: AddendumOut, **ERRORS})
def addendum_add(request: HttpRequest, visit_id: UUID, payload: AddendumIn) -> Status[Addendum]:
    addendum = services.addendum_add(
        actor=api_actor(request), visit=_visit(request, visit_id), text_value=payload.text
    )
    return Status(201, addendum)


# ---------------------------------------------------------------- problems


@router.get("/patients/{patient_id}/problems", response={200: list[ProblemOut], **ERRORS})
@paginate(Pagination)
def problem_list(
    request: HttpRequest, patient_id: UUID, include_resolved: bool = False
) -> QuerySet[Problem]:
    actor = api_actor(request)
    patient = patient_selectors.patient_get(actor=actor, patient_id=patient_id)
    return selectors.patient_problems(
        actor=actor, patient=patient, include_resolved=include_resolved
    )


@router.post("/patients/{patient_id}/problems", response={201: ProblemOut, **ERRORS})
def problem_add(request: HttpRequest, patient_id: UUID, payload: ProblemIn) -> Status[Problem]:
    actor = api_actor(request)
    patient = patient_selectors.patient_get(actor=actor, patient_id=patient_id)
    problem = services.problem_add(
        actor=actor,
        patient=patient,
        term=_term(actor, payload.code),
        free_text=payload.term if not payload.code else "",
        chronic=payload.chronic,
        notes=payload.notes,
    )
    return Status(201, problem)


@router.post("/problems/{problem_id}/resolve", response={200: ProblemOut, **ERRORS})
def problem_resolve(request: HttpRequest, problem_id: UUID) -> Problem:
    actor = api_actor(request)
    problem = selectors.problem_get(actor=actor, problem_id=problem_id)
    return services.problem_resolve(actor=actor, problem=problem)


# ---------------------------------------------------------------- terms and templates


@router.get("/diagnosis-terms", response={200: list[TermOut], **ERRORS})
@paginate(Pagination)
def term_list(request: HttpRequest, q: str = "") -> QuerySet[DiagnosisTerm]:
    return selectors.diagnosis_term_search(actor=api_actor(request), q=q[:100])


@router.post("/diagnosis-terms", response={201: TermOut, **ERRORS})
def term_create(request: HttpRequest, payload: TermIn) -> Status[DiagnosisTerm]:
    term = services.diagnosis_term_create(actor=api_actor(request), **payload.model_dump())
    return Status(201, term)


@router.get("/soap-templates", response={200: list[SoapTemplateOut], **ERRORS})
@paginate(Pagination)
def template_list(request: HttpRequest, visit_type: str = "") -> QuerySet[SoapTemplate]:
    return selectors.soap_template_list(actor=api_actor(request), visit_type=visit_type[:20])


@router.post("/soap-templates", response={201: SoapTemplateOut, **ERRORS})
def template_create(request: HttpRequest, payload: SoapTemplateIn) -> Status[SoapTemplate]:
    fields = payload.model_dump()
    fields["visit_type"] = str(fields["visit_type"])
    template = services.soap_template_create(actor=api_actor(request), **fields)
    return Status(201, template)


@router.patch("/soap-templates/{template_id}", response={200: SoapTemplateOut, **ERRORS})
def template_update(
    request: HttpRequest, template_id: UUID, payload: SoapTemplatePatch
) -> SoapTemplate:
    actor = api_actor(request)
    template = selectors.soap_template_get(actor=actor, template_id=template_id)
    fields = patch_fields(payload)
    if "visit_type" in fields:
        fields["visit_type"] = str(fields["visit_type"])
    return services.soap_template_update(actor=actor, template=template, **fields)
