"""HTTP API of vaccinations: doses given, a patient's vaccine status and certificate, and the
protocols."""

from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status
from ninja.pagination import paginate

from vetrisys.accounts.auth import api_actor
from vetrisys.core.api import ERRORS, Pagination, patch_fields
from vetrisys.core.timeutil import today_in
from vetrisys.patients import selectors as patient_selectors
from vetrisys.vaccinations import documents, lookups, selectors, services
from vetrisys.vaccinations.models import Vaccination, VaccineProtocol
from vetrisys.vaccinations.schemas import (
    ProtocolIn,
    ProtocolOut,
    ProtocolPatch,
    VaccinationFilter,
    VaccinationIn,
    VaccinationOut,
    VaccineStatusOut,
)

router = Router(tags=["vaccinations"])
patient_router = Router(tags=["vaccinations"])
protocols_router = Router(tags=["vaccinations"])


@router.get("", response={200: list[VaccinationOut], **ERRORS})
@paginate(Pagination)
def vaccination_list(
    request: HttpRequest, filters: Query[VaccinationFilter]
) -> QuerySet[Vaccination]:
    return selectors.vaccination_list(
        actor=api_actor(request), patient=filters.patient, visit=filters.visit
    )


@router.post("", response={201: VaccinationOut, **ERRORS})
def vaccination_create(request: HttpRequest, payload: VaccinationIn) -> Status[Vaccination]:
    actor = api_actor(request)
    patient = patient_selectors.patient_get(actor=actor, patient_id=payload.patient)
    vaccination = services.vaccination_record(
        actor=actor,
        patient=patient,
        product=lookups.product(actor, payload.product),
        location=lookups.location(actor, payload.location),
        administered_on=payload.administered_on,
        lot=payload.lot,
        lot_expires_on=payload.lot_expires_on,
        vet=lookups.staff(actor, payload.vet) if payload.vet else None,
        visit=lookups.visit(actor, payload.visit) if payload.visit else None,
        protocol=(
            selectors.protocol_get(actor=actor, protocol_id=payload.protocol)
            if payload.protocol
            else None
        ),
        route=payload.route,
        site=payload.site,
        next_due_on=payload.next_due_on,
        notes=payload.notes,
    )
    return Status(201, selectors.vaccination_get(actor=actor, vaccination_id=vaccination.pk))


@router.get("/{vaccination_id}", response={200: VaccinationOut, **ERRORS})
def vaccination_get(request: HttpRequest, vaccination_id: UUID) -> Vaccination:
    return selectors.vaccination_get(actor=api_actor(request), vaccination_id=vaccination_id)


@patient_router.get(
    "/{patient_id}/vaccine-status", response={200: list[VaccineStatusOut], **ERRORS}
)
def vaccine_status(request: HttpRequest, patient_id: UUID) -> list[dict[str, Any]]:
    actor = api_actor(request)
    patient = patient_selectors.patient_get(actor=actor, patient_id=patient_id)
    today = today_in(lookups.home_zone(actor))
    return [
        {
            "vaccine": row.name,
            "protocol": row.protocol.pk if row.protocol else None,
            "is_core": row.is_core,
            "last_given_on": row.last_given_on,
            "last_vaccination": row.last_vaccination.pk if row.last_vaccination else None,
            "doses_given": row.doses_given,
            "next_due_on": row.next_due_on,
            "status": str(row.status),
        }
        for row in selectors.vaccine_status(actor=actor, patient=patient, today=today)
    ]


@patient_router.get(
    "/{patient_id}/vaccination-certificate.pdf",
    response={200: None, **ERRORS},
    summary="The vaccination certificate (PDF, in the owner's language)",
)
def vaccination_certificate(
    request: HttpRequest, patient_id: UUID, location: UUID | None = None
) -> HttpResponse:
    actor = api_actor(request)
    patient = patient_selectors.patient_get(actor=actor, patient_id=patient_id)
    clinic = lookups.location(actor, location) if location else None
    context = documents.certificate_context(
        actor=actor, patient=patient, location=clinic, today=today_in(lookups.home_zone(actor))
    )
    response = HttpResponse(documents.certificate_pdf(context), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="{documents.certificate_filename(patient)}"'
    )
    return response


# ---------------------------------------------------------------- protocols


@protocols_router.get("", response={200: list[ProtocolOut], **ERRORS})
@paginate(Pagination)
def protocol_list(request: HttpRequest, species: str = "") -> QuerySet[VaccineProtocol]:
    actor = api_actor(request)
    species_obj = patient_selectors.species_resolve(actor=actor, value=species) if species else None
    return selectors.protocol_list(actor=actor, species=species_obj, is_active=None)


@protocols_router.post("", response={201: ProtocolOut, **ERRORS})
def protocol_create(request: HttpRequest, payload: ProtocolIn) -> Status[VaccineProtocol]:
    actor = api_actor(request)
    fields = payload.model_dump()
    species = patient_selectors.species_resolve(actor=actor, value=fields.pop("species"))
    products = [lookups.product(actor, pk, "products") for pk in fields.pop("products")]
    protocol = services.protocol_create(actor=actor, species=species, **fields)
    if products:
        protocol = services.protocol_update(actor=actor, protocol=protocol, products=products)
    return Status(201, selectors.protocol_get(actor=actor, protocol_id=protocol.pk))


@protocols_router.patch("/{protocol_id}", response={200: ProtocolOut, **ERRORS})
def protocol_update(
    request: HttpRequest, protocol_id: UUID, payload: ProtocolPatch
) -> VaccineProtocol:
    actor = api_actor(request)
    protocol = selectors.protocol_get(actor=actor, protocol_id=protocol_id)
    fields = payload.model_dump(exclude_unset=True)
    nullable = {"series_end_age_weeks", "first_booster_months", "booster_interval_months"}
    kept = {k: v for k, v in fields.items() if k in nullable}
    fields = {
        **patch_fields(ProtocolPatch(**{k: v for k, v in fields.items() if k not in nullable})),
        **kept,
    }
    product_ids = fields.pop("products", None)
    products = (
        [lookups.product(actor, pk, "products") for pk in product_ids]
        if product_ids is not None
        else None
    )
    updated = services.protocol_update(actor=actor, protocol=protocol, products=products, **fields)
    return selectors.protocol_get(actor=actor, protocol_id=updated.pk)
