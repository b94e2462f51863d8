"""HTTP API of prescriptions: write on a visit, list, dispense, and print the prescription and
label."""

from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status
from ninja.pagination import paginate

from vetrisys.accounts.auth import api_actor
from vetrisys.core.api import ERRORS, Pagination
from vetrisys.pharmacy import documents, selectors, services
from vetrisys.pharmacy.models import Prescription
from vetrisys.pharmacy.schemas import (
    DispenseOut,
    PrescriptionDispenseIn,
    PrescriptionFilter,
    PrescriptionIn,
    PrescriptionOut,
)

router = Router(tags=["prescriptions"])


def _pdf(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@router.get("", response={200: list[PrescriptionOut], **ERRORS})
@paginate(Pagination)
def prescription_list(
    request: HttpRequest, filters: Query[PrescriptionFilter]
) -> QuerySet[Prescription]:
    return selectors.prescription_list(
        actor=api_actor(request),
        patient=filters.patient,
        visit=filters.visit,
        status=filters.status,
    )


@router.post("", response={201: PrescriptionOut, **ERRORS})
def prescription_create(request: HttpRequest, payload: PrescriptionIn) -> Status[Prescription]:
    actor = api_actor(request)
    prescription = services.prescription_create(
        actor=actor,
        visit=selectors.visit_for_prescription(actor=actor, visit_id=payload.visit),
        product=selectors.product_for_prescription(actor=actor, product_id=payload.product),
        dose=payload.dose or "",
        route=payload.route,
        frequency=payload.frequency,
        duration_days=payload.duration_days,
        quantity=payload.quantity,
        refills=payload.refills,
        instructions=payload.instructions,
    )
    return Status(201, selectors.prescription_get(actor=actor, prescription_id=prescription.pk))


@router.get("/{prescription_id}", response={200: PrescriptionOut, **ERRORS})
def prescription_get(request: HttpRequest, prescription_id: UUID) -> Prescription:
    return selectors.prescription_get(actor=api_actor(request), prescription_id=prescription_id)


@router.get("/{prescription_id}/prescription.pdf", response={200: None, **ERRORS})
def prescription_pdf(request: HttpRequest, prescription_id: UUID) -> HttpResponse:
    found = selectors.prescription_get(actor=api_actor(request), prescription_id=prescription_id)
    return _pdf(documents.prescription_pdf(found), documents.filename(found, "prescription"))


@router.get("/{prescription_id}/label.pdf", response={200: None, **ERRORS})
def label_pdf(request: HttpRequest, prescription_id: UUID) -> HttpResponse:
    found = selectors.prescription_get(actor=api_actor(request), prescription_id=prescription_id)
    return _pdf(documents.label_pdf(found), documents.filename(found, "label"))


@router.post("/{prescription_id}/dispense", response={201: DispenseOut, **ERRORS})
def prescription_dispense(
    request: HttpRequest, prescription_id: UUID, payload: PrescriptionDispenseIn
) -> Status[dict[str, Any]]:
    actor = api_actor(request)
    prescription = selectors.prescription_get(actor=actor, prescription_id=prescription_id)
    dispense = services.prescription_dispense(
        actor=actor,
        prescription=prescription,
        quantity="" if payload.quantity is None else payload.quantity,
        lot=payload.lot or None,
    )
    return Status(
        201,
        {
            "id": dispense.pk,
            "prescription": prescription.pk,
            "location": dispense.location_id,
            "quantity": dispense.quantity,
            "movements": list(
                dispense.movements.select_related("lot").order_by("occurred_at", "id")
            ),
            "charge": dispense.charge_id,
            "dispensed_quantity": prescription.dispensed_quantity,
            "remaining_quantity": prescription.remaining_quantity,
            "status": prescription.status,
            "dispensed_at": dispense.dispensed_at,
        },
    )
