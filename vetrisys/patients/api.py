"""HTTP API of patients: patients, species and breeds, weights, files, notes, history, search."""

from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from vetrisys.accounts.auth import api_actor
from vetrisys.accounts.models import User
from vetrisys.core.api import ERRORS, Pagination
from vetrisys.core.errors import ValidationFailed
from vetrisys.patients import selectors, services
from vetrisys.patients.downloads import open_download
from vetrisys.patients.models import Attachment, Breed, Patient, PatientNote, Species, WeightRecord
from vetrisys.patients.schemas import (
    AttachmentOut,
    BreedIn,
    BreedOut,
    DeceasedIn,
    NoteIn,
    NoteOut,
    PatientFilter,
    PatientIn,
    PatientOut,
    PatientPatch,
    PatientTransferIn,
    SearchOut,
    SpeciesIn,
    SpeciesOut,
    TimelineOut,
    WeightIn,
    WeightOut,
)

router = Router(tags=["patients"])
species_router = Router(tags=["species"])
attachments_router = Router(tags=["patients"])

CLEARABLE = {"breed", "birth_date"}


def _reference_fields(actor: User, fields: dict[str, Any]) -> dict[str, Any]:
    """Species (id or code) and breed (id) named in a body, looked up among the visible."""
    if "species" in fields:
        fields["species"] = selectors.species_resolve(actor=actor, value=fields["species"])
    if "breed" in fields:
        fields["breed"] = selectors.breed_resolve(actor=actor, value=fields["breed"])
    if "alerts" in fields:
        fields["alerts"] = [str(code) for code in fields["alerts"]]
    if "sex" in fields:
        fields["sex"] = str(fields["sex"])
    return fields


# ---------------------------------------------------------------- patients


@router.get("", response={200: list[PatientOut], **ERRORS})
@paginate(Pagination)
def patient_list(request: HttpRequest, filters: Query[PatientFilter]) -> QuerySet[Patient]:
    return selectors.patient_list(
        actor=api_actor(request), q=filters.q, client=filters.client, species=filters.species
    )


@router.post("", response={201: PatientOut, **ERRORS})
def patient_create(request: HttpRequest, payload: PatientIn) -> Status[Patient]:
    actor = api_actor(request)
    fields = payload.model_dump(exclude_unset=True)
    client = selectors.owner_for_patient(actor=actor, client_id=fields.pop("client"))
    fields = _reference_fields(actor, fields)
    patient = services.patient_create(actor=actor, client=client, **fields)
    return Status(201, selectors.patient_get(actor=actor, patient_id=patient.pk))


@router.get("/search", response={200: SearchOut, **ERRORS}, summary="The one search box")
def quick_search(request: HttpRequest, q: str = "", limit: int = 10) -> selectors.QuickSearchResult:
    return selectors.quick_search(actor=api_actor(request), q=q, limit=max(1, min(limit, 50)))


@router.get("/{patient_id}", response={200: PatientOut, **ERRORS})
def patient_get(request: HttpRequest, patient_id: UUID) -> Patient:
    return selectors.patient_get(actor=api_actor(request), patient_id=patient_id)


@router.patch("/{patient_id}", response={200: PatientOut, **ERRORS})
def patient_update(request: HttpRequest, patient_id: UUID, payload: PatientPatch) -> Patient:
    actor = api_actor(request)
    patient = selectors.patient_get(actor=actor, patient_id=patient_id)
    fields = payload.model_dump(exclude_unset=True)
    # breed and birth_date may be cleared with null; the rest are changed, not unset.
    nulls = sorted(
        name for name, value in fields.items() if value is None and name not in CLEARABLE
    )
    if nulls:
        raise ValidationFailed(
            _("Some fields are not valid."),
            fields={name: [_("This field may not be null.")] for name in nulls},
        )
    client_id = fields.pop("client", None)
    with transaction.atomic():
        if client_id is not None and str(client_id) != str(patient.client_id):
            client = selectors.owner_for_patient(actor=actor, client_id=client_id)
            services.patient_transfer(actor=actor, patient=patient, client=client)
        if fields:
            services.patient_update(
                actor=actor, patient=patient, **_reference_fields(actor, fields)
            )
    return selectors.patient_get(actor=actor, patient_id=patient.pk)


@router.post("/{patient_id}/transfer", response={200: PatientOut, **ERRORS})
def patient_transfer(request: HttpRequest, patient_id: UUID, payload: PatientTransferIn) -> Patient:
    actor = api_actor(request)
    patient = selectors.patient_get(actor=actor, patient_id=patient_id)
    client = selectors.owner_for_patient(actor=actor, client_id=payload.client)
    services.patient_transfer(actor=actor, patient=patient, client=client, reason=payload.reason)
    return selectors.patient_get(actor=actor, patient_id=patient.pk)


@router.post("/{patient_id}/deceased", response={200: PatientOut, **ERRORS})
def patient_deceased(request: HttpRequest, patient_id: UUID, payload: DeceasedIn) -> Patient:
    actor = api_actor(request)
    patient = selectors.patient_get(actor=actor, patient_id=patient_id)
    services.patient_mark_deceased(actor=actor, patient=patient, deceased_on=payload.deceased_on)
    return selectors.patient_get(actor=actor, patient_id=patient.pk)


# ---------------------------------------------------------------- weights


@router.get("/{patient_id}/weights", response={200: list[WeightOut], **ERRORS})
@paginate(Pagination)
def weight_list(request: HttpRequest, patient_id: UUID) -> QuerySet[WeightRecord]:
    actor = api_actor(request)
    patient = selectors.patient_get(actor=actor, patient_id=patient_id)
    return selectors.weight_list(actor=actor, patient=patient)


@router.post("/{patient_id}/weights", response={201: WeightOut, **ERRORS})
def weight_add(request: HttpRequest, patient_id: UUID, payload: WeightIn) -> Status[WeightRecord]:
    actor = api_actor(request)
    patient = selectors.patient_get(actor=actor, patient_id=patient_id)
    if payload.weight_lb is not None:
        value, unit = payload.weight_lb, WeightRecord.Unit.LB
    else:
        value, unit = payload.weight_kg or Decimal(0), WeightRecord.Unit.KG
    weight = services.weight_record_add(
        actor=actor,
        patient=patient,
        value=value,
        unit=unit,
        measured_at=payload.measured_at,
        note=payload.note,
    )
    return Status(201, weight)


# ---------------------------------------------------------------- attachments


@router.get("/{patient_id}/attachments", response={200: list[AttachmentOut], **ERRORS})
@paginate(Pagination)
def attachment_list(request: HttpRequest, patient_id: UUID) -> QuerySet[Attachment]:
    actor = api_actor(request)
    patient = selectors.patient_get(actor=actor, patient_id=patient_id)
    return selectors.attachment_list(actor=actor, patient=patient)


@router.post("/{patient_id}/attachments", response={201: AttachmentOut, **ERRORS})
def attachment_upload(
    request: HttpRequest,
    patient_id: UUID,
    file: File[UploadedFile],
    kind: Form[Attachment.Kind],
    description: Form[str] = "",
) -> Status[Attachment]:
    actor = api_actor(request)
    patient = selectors.patient_get(actor=actor, patient_id=patient_id)
    attachment = services.attachment_upload(
        actor=actor, patient=patient, file=file, kind=str(kind), description=description
    )
    return Status(201, attachment)


@attachments_router.get(
    "/{attachment_id}/download",
    response={200: None, **ERRORS},
    summary="The file itself, as a download",
)
def attachment_download(request: HttpRequest, attachment_id: UUID) -> FileResponse:
    actor = api_actor(request)
    attachment = selectors.attachment_get(actor=actor, attachment_id=attachment_id)
    return open_download(actor=actor, attachment=attachment)


# ---------------------------------------------------------------- notes and history


@router.get("/{patient_id}/notes", response={200: list[NoteOut], **ERRORS})
@paginate(Pagination)
def note_list(request: HttpRequest, patient_id: UUID) -> QuerySet[PatientNote]:
    actor = api_actor(request)
    patient = selectors.patient_get(actor=actor, patient_id=patient_id)
    return selectors.note_list(actor=actor, patient=patient)


@router.post("/{patient_id}/notes", response={201: NoteOut, **ERRORS})
def note_add(request: HttpRequest, patient_id: UUID, payload: NoteIn) -> Status[PatientNote]:
    actor = api_actor(request)
    patient = selectors.patient_get(actor=actor, patient_id=patient_id)
    return Status(201, services.note_add(actor=actor, patient=patient, text=payload.text))


@router.get("/{patient_id}/history", response={200: TimelineOut, **ERRORS})
def patient_history(
    request: HttpRequest, patient_id: UUID, limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    actor = api_actor(request)
    patient = selectors.patient_get(actor=actor, patient_id=patient_id)
    page = selectors.patient_history(actor=actor, patient=patient, limit=limit, offset=offset)
    return {"items": page.items, "count": page.count}


# ---------------------------------------------------------------- species and breeds


@species_router.get("", response={200: list[SpeciesOut], **ERRORS})
@paginate(Pagination)
def species_list(request: HttpRequest) -> QuerySet[Species]:
    return selectors.species_list(actor=api_actor(request))


@species_router.post("", response={201: SpeciesOut, **ERRORS})
def species_create(request: HttpRequest, payload: SpeciesIn) -> Status[Species]:
    species = services.species_create(
        actor=api_actor(request),
        code=payload.code,
        name_es=payload.name_es,
        name_en=payload.name_en,
    )
    return Status(201, species)


@species_router.get("/{species_id}/breeds", response={200: list[BreedOut], **ERRORS})
@paginate(Pagination)
def breed_list(request: HttpRequest, species_id: UUID) -> QuerySet[Breed]:
    actor = api_actor(request)
    species = selectors.species_get(actor=actor, species_id=species_id)
    return selectors.breed_list(actor=actor, species=species)


@species_router.post("/{species_id}/breeds", response={201: BreedOut, **ERRORS})
def breed_create(request: HttpRequest, species_id: UUID, payload: BreedIn) -> Status[Breed]:
    actor = api_actor(request)
    species = selectors.species_get(actor=actor, species_id=species_id)
    breed = services.breed_create(
        actor=actor, species=species, name_es=payload.name_es, name_en=payload.name_en
    )
    return Status(201, breed)
