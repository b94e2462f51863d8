"""Reads of patients, always within the actor's organization and with a bounded query count."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Case, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.permissions import has_capability, require
from vetrisys.clients.models import Client
from vetrisys.clients.selectors import client_search
from vetrisys.core.errors import NotFound, ValidationFailed
from vetrisys.core.text import normalize_search
from vetrisys.patients import timeline
from vetrisys.patients.models import (
    Attachment,
    Breed,
    Patient,
    PatientNote,
    Species,
    WeightRecord,
)

_CHIP_LIKE = re.compile(r"^[0-9A-Za-z\s.\-]+$")


def _latest_weight() -> Subquery:
    return Subquery(
        WeightRecord.objects.filter(patient=OuterRef("pk"))
        .order_by("-measured_at", "-id")
        .values("weight_kg")[:1]
    )


def _visible_patients(actor: Any) -> QuerySet[Patient]:
    require(actor, Capability.PATIENTS_VIEW)
    return Patient.objects.filter(organization_id=actor.organization_id)


def patient_list(
    *,
    actor: Any,
    q: str = "",
    client: Any = None,
    species: Any = None,
    is_active: bool | None = True,
) -> QuerySet[Patient]:
    """Patients of the organization with their owner, species, breed and latest weight."""
    patients = _visible_patients(actor)
    if is_active is not None:
        patients = patients.filter(is_active=is_active)
    ordering = ["search_name", "id"]
    if q.strip():
        match, direct = _patient_match(actor, q)
        patients = patients.filter(match).annotate(
            is_direct_match=Case(When(direct, then=Value(0)), default=Value(1))
        )
        ordering = ["is_direct_match", *ordering]
    if client:
        patients = patients.filter(client_id=_uuid_or_invalid(client, "client"))
    if species:
        species_obj = species_resolve(actor=actor, value=species, field="species")
        patients = patients.filter(species=species_obj)
    return (
        patients.select_related("client", "species", "breed")
        .annotate(latest_weight_kg=_latest_weight())
        .order_by(*ordering)
    )


def _patient_match(actor: Any, q: str) -> tuple[Q, Q]:
    """Patients whose name has every word typed, whose microchip starts with what was typed,
    or whose owner the owners' search finds (name, phone, email, document); and the part of
    that which is about the patient itself, to list those first."""
    query = q.strip()
    words = normalize_search(query).split()
    # Nothing searchable typed (only punctuation): match no name rather than every name.
    match = Q() if words else Q(pk__in=[])
    for word in words:
        match &= Q(search_name__contains=word)
    compact = re.sub(r"[\s.\-]", "", query).upper()
    if _CHIP_LIKE.match(query) and len(compact) >= 6:
        match |= Q(microchip__startswith=compact)
    direct = match
    if has_capability(actor, Capability.CLIENTS_VIEW):
        match |= Q(client__in=client_search(actor=actor, q=query).values("pk"))
    return match, direct


def _uuid_or_invalid(value: Any, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError):
        raise ValidationFailed.for_field(field, _("Not a valid id.")) from None


def patient_get(*, actor: Any, patient_id: Any) -> Patient:
    """One patient of the actor's organization, or NotFound."""
    try:
        return (
            _visible_patients(actor)
            .select_related("client", "species", "breed", "photo")
            .annotate(latest_weight_kg=_latest_weight())
            .get(pk=patient_id)
        )
    except (Patient.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound(_("Patient not found.")) from None


def owner_for_patient(*, actor: Any, client_id: Any, field: str = "client") -> Client:
    """The owner named in a request (422 when it is not one of the organization's)."""
    require(actor, Capability.PATIENTS_VIEW)
    try:
        return Client.objects.get(organization_id=actor.organization_id, pk=client_id)
    except (Client.DoesNotExist, ValueError, TypeError, ValidationError):
        raise ValidationFailed.for_field(field, _("Choose an owner.")) from None


# ---------------------------------------------------------------- reference data


def species_list(*, actor: Any, is_active: bool | None = True) -> QuerySet[Species]:
    """The global species and the organization's own."""
    require(actor, Capability.PATIENTS_VIEW)
    species = Species.objects.filter(
        Q(organization__isnull=True) | Q(organization_id=actor.organization_id)
    )
    if is_active is not None:
        species = species.filter(is_active=is_active)
    return species.order_by("name_es", "id")


def species_get(*, actor: Any, species_id: Any) -> Species:
    """One visible species, or NotFound."""
    try:
        return species_list(actor=actor, is_active=None).get(pk=species_id)
    except (Species.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound(_("Species not found.")) from None


def species_resolve(*, actor: Any, value: Any, field: str = "species") -> Species:
    """A species named by id or code (the organization's own code wins), or 422."""
    if isinstance(value, Species):
        return value
    visible = species_list(actor=actor, is_active=None)
    text = str(value or "").strip()
    try:
        return visible.get(pk=uuid.UUID(text))
    except (ValueError, Species.DoesNotExist):
        pass
    found = visible.filter(code=text.lower()).order_by("organization_id").first()
    if found is None:
        raise ValidationFailed.for_field(field, _("Choose a species."))
    # A code that is both global and the organization's own: the organization's one.
    own = visible.filter(code=text.lower(), organization_id=actor.organization_id).first()
    return own or found


def breed_list(
    *, actor: Any, species: Species | None, is_active: bool | None = True
) -> QuerySet[Breed]:
    """Breeds of a species (of every visible species when None): global and the organization's."""
    require(actor, Capability.PATIENTS_VIEW)
    breeds = Breed.objects.filter(
        Q(organization__isnull=True) | Q(organization_id=actor.organization_id)
    )
    if species is not None:
        return (
            breeds.filter(species=species)
            .filter(**({} if is_active is None else {"is_active": is_active}))
            .order_by("name_es", "id")
        )
    breeds = breeds.filter(
        Q(species__organization__isnull=True) | Q(species__organization_id=actor.organization_id),
        species__is_active=True,
    ).select_related("species")
    if is_active is not None:
        breeds = breeds.filter(is_active=is_active)
    return breeds.order_by("species__name_es", "name_es", "id")


def breed_resolve(*, actor: Any, value: Any, field: str = "breed") -> Breed | None:
    """A visible breed by id (None for none), or 422."""
    if value in (None, ""):
        return None
    if isinstance(value, Breed):
        return value
    require(actor, Capability.PATIENTS_VIEW)
    try:
        return Breed.objects.select_related("species").get(
            Q(organization__isnull=True) | Q(organization_id=actor.organization_id),
            pk=uuid.UUID(str(value)),
        )
    except (ValueError, TypeError, Breed.DoesNotExist):
        raise ValidationFailed.for_field(field, _("Choose a breed.")) from None


# ---------------------------------------------------------------- a patient's records


def weight_list(*, actor: Any, patient: Patient) -> QuerySet[WeightRecord]:
    """The patient's weighings, newest first."""
    require(actor, Capability.PATIENTS_VIEW)
    return (
        WeightRecord.objects.filter(patient=patient, organization_id=actor.organization_id)
        .select_related("recorded_by")
        .order_by("-measured_at", "-id")
    )


def attachment_list(*, actor: Any, patient: Patient) -> QuerySet[Attachment]:
    """The patient's files, newest first."""
    require(actor, Capability.PATIENTS_VIEW)
    return (
        Attachment.objects.filter(patient=patient, organization_id=actor.organization_id)
        .select_related("uploaded_by")
        .order_by("-created_at", "-id")
    )


def attachment_get(*, actor: Any, attachment_id: Any) -> Attachment:
    """One file of the actor's organization, or NotFound."""
    require(actor, Capability.PATIENTS_VIEW)
    try:
        return Attachment.objects.select_related("patient").get(
            organization_id=actor.organization_id, pk=attachment_id
        )
    except (Attachment.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound(_("File not found.")) from None


def note_list(*, actor: Any, patient: Patient) -> QuerySet[PatientNote]:
    """The patient's notes, newest first."""
    require(actor, Capability.PATIENTS_VIEW)
    return (
        PatientNote.objects.filter(patient=patient, organization_id=actor.organization_id)
        .select_related("author")
        .order_by("-created_at", "-id")
    )


def patient_history(
    *, actor: Any, patient: Patient, limit: int = 50, offset: int = 0
) -> timeline.TimelinePage:
    """One timeline of everything about the patient the actor may see, newest first."""
    require(actor, Capability.PATIENTS_VIEW)
    if patient.organization_id != actor.organization_id:
        raise NotFound(_("Patient not found."))
    sources = [
        source
        for source in timeline.registered()
        if source.capability is None or has_capability(actor, source.capability)
    ]
    return timeline.merge(
        sources, patient=patient, limit=max(1, min(limit, 200)), offset=max(0, offset)
    )


# ---------------------------------------------------------------- the search box


@dataclass(frozen=True)
class QuickSearchResult:
    """What the one search box found: owners and patients."""

    query: str
    clients: list[Client]
    patients: list[Patient]

    @property
    def is_empty(self) -> bool:
        return not self.clients and not self.patients


def quick_search(*, actor: Any, q: str, limit: int = 10) -> QuickSearchResult:
    """Owners and patients for what was typed: owner name, phone (whole or its last 4+
    digits), email, document id, pet name or microchip; accents and case ignored."""
    query = (q or "").strip()[:100]
    if len(query) < 2:
        return QuickSearchResult(query=query, clients=[], patients=[])
    clients: list[Client] = []
    if has_capability(actor, Capability.CLIENTS_VIEW):
        clients = list(client_search(actor=actor, q=query).prefetch_related("phones")[:limit])
    patients: list[Patient] = []
    if has_capability(actor, Capability.PATIENTS_VIEW):
        match, direct = _patient_match(actor, query)
        patients = list(
            _visible_patients(actor)
            .filter(is_active=True)
            .filter(match)
            .annotate(is_direct_match=Case(When(direct, then=Value(0)), default=Value(1)))
            .select_related("client", "species", "breed")
            .order_by("is_direct_match", "search_name", "id")[:limit]
        )
    return QuickSearchResult(query=query, clients=clients, patients=patients)
