"""Reads of medical records, always within the actor's organization, with bounded queries."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.models import Location
from vetrisys.accounts.permissions import capability_map, require
from vetrisys.core.errors import NotFound, ValidationFailed
from vetrisys.core.text import normalize_search
from vetrisys.patients.models import Patient
from vetrisys.records.models import (
    Addendum,
    DiagnosisTerm,
    LabResult,
    Problem,
    Procedure,
    SoapTemplate,
    Visit,
    VisitAttachment,
    VisitDiagnosis,
    Vitals,
)
from vetrisys.records.permissions import require_read


def _uuid(value: Any, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError):
        raise ValidationFailed.for_field(field, _("Not a valid id.")) from None


def _visible_visits(actor: Any) -> QuerySet[Visit]:
    require_read(actor)
    return Visit.objects.filter(organization_id=actor.organization_id)


def visit_list(
    *,
    actor: Any,
    patient: Any = None,
    location: Any = None,
    vet: Any = None,
    status: str = "",
) -> QuerySet[Visit]:
    """Visits, newest first, with patient, owner, vet and location."""
    visits = _visible_visits(actor)
    if patient:
        visits = visits.filter(patient_id=_uuid(patient, "patient"))
    if location:
        visits = visits.filter(location_id=_uuid(location, "location"))
    if vet:
        visits = visits.filter(vet_id=_uuid(vet, "vet"))
    if status:
        if status not in Visit.Status.values:
            raise ValidationFailed.for_field("status", _("Not a known status."))
        visits = visits.filter(status=status)
    return visits.select_related(
        "patient__species", "client", "vet", "signed_by", "location"
    ).order_by("-opened_at", "-id")


def visit_get(*, actor: Any, visit_id: Any) -> Visit:
    """One visit of the organization, with everything it holds, or NotFound."""
    try:
        return (
            _visible_visits(actor)
            .select_related(
                "patient__species",
                "patient__breed",
                "client",
                "vet",
                "signed_by",
                "location",
                "soap",
                "appointment",
            )
            .prefetch_related(
                Prefetch("vitals", queryset=Vitals.objects.select_related("recorded_by")),
                Prefetch(
                    "diagnoses",
                    queryset=VisitDiagnosis.objects.select_related("term", "created_by"),
                ),
                Prefetch(
                    "procedures",
                    queryset=Procedure.objects.filter(removed_at__isnull=True).select_related(
                        "product", "performed_by"
                    ),
                ),
                Prefetch("lab_results", queryset=LabResult.objects.select_related("attachment")),
                Prefetch(
                    "attachment_links",
                    queryset=VisitAttachment.objects.select_related("attachment"),
                ),
                Prefetch("addenda", queryset=Addendum.objects.select_related("author")),
            )
            .get(pk=visit_id)
        )
    except (Visit.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound(_("Visit not found.")) from None


def visit_for_write(*, actor: Any, visit_id: Any) -> Visit:
    """A visit looked up for a change (the service checks capability and lock)."""
    try:
        return (
            _visible_visits(actor)
            .select_related("patient__species", "client", "location")
            .get(pk=visit_id)
        )
    except (Visit.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound(_("Visit not found.")) from None


def location_for_visit(*, actor: Any, location_id: Any) -> Location:
    """A location where the actor works (404 for any other; the service checks rights)."""
    found = Location.objects.filter(
        organization_id=actor.organization_id, pk=_uuid(location_id, "location")
    ).first()
    if found is None or str(found.pk) not in capability_map(actor):
        raise NotFound(_("Location not found."))
    return found


def patient_for_visit(*, actor: Any, patient_id: Any) -> Patient:
    """A patient of the organization named in a request, or 422."""
    found = (
        Patient.objects.filter(
            organization_id=actor.organization_id, pk=_uuid(patient_id, "patient")
        )
        .select_related("client", "species")
        .first()
    )
    if found is None:
        raise ValidationFailed.for_field("patient", _("No such patient."))
    return found


def patient_problems(
    *, actor: Any, patient: Patient, include_resolved: bool = False
) -> QuerySet[Problem]:
    """The patient's problem list, active first."""
    require_read(actor)
    problems = Problem.objects.filter(organization_id=actor.organization_id, patient=patient)
    if not include_resolved:
        problems = problems.filter(status=Problem.Status.ACTIVE)
    return problems.select_related("term").order_by("status", "-created_at")


def problem_get(*, actor: Any, problem_id: Any) -> Problem:
    """One problem of the organization, or NotFound."""
    require_read(actor)
    found = (
        Problem.objects.filter(
            organization_id=actor.organization_id, pk=_uuid(problem_id, "problem")
        )
        .select_related("term", "patient")
        .first()
    )
    if found is None:
        raise NotFound(_("Problem not found."))
    return found


def _terms(actor: Any) -> QuerySet[DiagnosisTerm]:
    return DiagnosisTerm.objects.filter(
        Q(organization__isnull=True) | Q(organization_id=actor.organization_id)
    )


def diagnosis_term_search(
    *, actor: Any, q: str = "", include_inactive: bool = False
) -> QuerySet[DiagnosisTerm]:
    """Global and the clinic's own terms whose code or names contain every word typed."""
    require_read(actor)
    terms = _terms(actor)
    if not include_inactive:
        terms = terms.filter(is_active=True)
    for word in normalize_search(q).split():
        terms = terms.filter(search_text__contains=word)
    return terms.order_by("code")


def diagnosis_term_resolve(*, actor: Any, value: Any, field: str = "code") -> DiagnosisTerm:
    """A visible term by id or code, or 422."""
    terms = _terms(actor).filter(is_active=True)
    text = str(value or "").strip()
    try:
        found = terms.filter(pk=uuid.UUID(text)).first()
    except ValueError:
        # The clinic's own code wins over a global one of the same code.
        found = terms.filter(code__iexact=text).order_by("organization_id").first()
        own = terms.filter(code__iexact=text, organization_id=actor.organization_id).first()
        found = own or found
    if found is None:
        raise ValidationFailed.for_field(field, _("No such diagnosis code."))
    return found


def diagnosis_term_get(*, actor: Any, term_id: Any) -> DiagnosisTerm:
    """One term the clinic may edit (its own), or NotFound."""
    require_read(actor)
    found = DiagnosisTerm.objects.filter(
        organization_id=actor.organization_id, pk=_uuid(term_id, "term")
    ).first()
    if found is None:
        raise NotFound(_("Diagnosis term not found."))
    return found


def soap_template_list(
    *, actor: Any, visit_type: str = "", include_inactive: bool = False
) -> QuerySet[SoapTemplate]:
    """Global and the clinic's own SOAP templates."""
    require_read(actor)
    templates = SoapTemplate.objects.filter(
        Q(organization__isnull=True) | Q(organization_id=actor.organization_id)
    )
    if not include_inactive:
        templates = templates.filter(is_active=True)
    if visit_type:
        templates = templates.filter(visit_type=visit_type)
    return templates.order_by("visit_type", "name")


def soap_template_get(*, actor: Any, template_id: Any) -> SoapTemplate:
    """One of the clinic's own templates (global ones are not editable), or NotFound."""
    require(actor, Capability.RECORDS_VIEW)
    found = SoapTemplate.objects.filter(
        organization_id=actor.organization_id, pk=_uuid(template_id, "template")
    ).first()
    if found is None:
        raise NotFound(_("Template not found."))
    return found
