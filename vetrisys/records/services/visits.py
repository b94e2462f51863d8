"""Opening, noting, signing and reading visits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.models import Location, User
from vetrisys.accounts.permissions import has_capability, require
from vetrisys.audit.services import record
from vetrisys.core import timeutil
from vetrisys.core.errors import Conflict, ValidationFailed
from vetrisys.patients.models import Patient
from vetrisys.records.models import Addendum, SoapNote, Visit, VisitType
from vetrisys.records.permissions import require_read, require_sign
from vetrisys.records.services.common import (
    locked_visit,
    open_visit_for_write,
    raise_if,
    raise_signed,
    text,
)
from vetrisys.scheduling import services as scheduling
from vetrisys.scheduling.models import Appointment

SOAP_FIELDS = ("subjective", "objective", "assessment", "plan")
SOAP_LIMIT = 20000


def _check_vet(vet: Any, location: Location, errors: dict[str, list[str]]) -> None:
    if not isinstance(vet, User) or vet.organization_id != location.organization_id:
        errors["vet"] = [_("Choose a veterinarian of the clinic.")]
    elif not has_capability(vet, Capability.RECORDS_WRITE, location):
        errors["vet"] = [_("This person does not write medical records at this location.")]


def _open(
    *,
    actor: Any,
    location: Location,
    patient: Patient,
    vet: Any,
    reason: str,
    visit_type: str,
    appointment: Appointment | None,
    opened_at: dt.datetime | None = None,
) -> Visit:
    now = opened_at or timeutil.now()
    visit = Visit.objects.create(
        organization_id=location.organization_id,
        location=location,
        patient=patient,
        client_id=patient.client_id,
        vet=vet,
        appointment=appointment,
        visit_type=visit_type,
        reason=reason,
        opened_at=now,
        opened_by=actor,
    )
    SoapNote.objects.create(organization_id=visit.organization_id, visit=visit, updated_by=actor)
    record(
        actor=actor,
        action="records.visit.open",
        target=visit,
        location=location,
        changes={
            "patient": patient.pk,
            "vet": vet.pk,
            "appointment": appointment.pk if appointment else None,
            "visit_type": visit_type,
            "reason": reason,
        },
    )
    return visit


def _clean_open(
    *, actor: Any, location: Location, patient: Patient, vet: Any, reason: str, visit_type: str
) -> str:
    require(actor, Capability.RECORDS_WRITE, location)
    errors: dict[str, list[str]] = {}
    if patient.organization_id != location.organization_id:
        errors["patient"] = [_("No such patient.")]
    elif patient.is_deceased:
        errors["patient"] = [_("This patient is recorded as deceased.")]
    _check_vet(vet, location, errors)
    if visit_type not in VisitType.values:
        errors["visit_type"] = [_("Choose a kind of visit.")]
    cleaned = text(reason, "reason", 300, errors)
    raise_if(errors)
    return cleaned


@transaction.atomic
def visit_open(
    *,
    actor: Any,
    location: Location,
    patient: Patient,
    vet: Any,
    reason: str = "",
    visit_type: str = VisitType.CONSULTATION,
    appointment: Appointment | None = None,
) -> Visit:
    """Open a visit directly (a walk-in, an emergency) or for an appointment."""
    if appointment is not None:
        return visit_start_from_appointment(
            actor=actor, appointment=appointment, visit_type=visit_type, reason=reason
        )
    cleaned = _clean_open(
        actor=actor,
        location=location,
        patient=patient,
        vet=vet,
        reason=reason,
        visit_type=visit_type,
    )
    return _open(
        actor=actor,
        location=location,
        patient=patient,
        vet=vet,
        reason=cleaned,
        visit_type=visit_type,
        appointment=None,
    )


@transaction.atomic
def visit_start_from_appointment(
    *, actor: Any, appointment: Appointment, visit_type: str = "", reason: str = ""
) -> Visit:
    """Start the consultation of a checked-in appointment and open its visit; the visit that
    already exists for it is returned as it is. A consultation completed without a visit gets
    one recorded, opened when the consultation started."""
    locked = (
        Appointment.objects.select_for_update()
        .select_related("location", "patient", "vet", "appointment_type")
        .get(pk=appointment.pk)
    )
    existing = Visit.objects.filter(appointment=locked).first()
    if existing is not None:
        require(actor, Capability.RECORDS_WRITE, existing.location_id)
        return existing
    status = Appointment.Status
    if locked.status not in (status.CHECKED_IN, status.IN_PROGRESS, status.COMPLETED):
        raise Conflict(
            _("Only a checked-in appointment can start a consultation."),
            code="invalid_transition",
            status=locked.status,
        )
    cleaned = _clean_open(
        actor=actor,
        location=locked.location,
        patient=locked.patient,
        vet=locked.vet,
        reason=reason or locked.notes[:300],
        visit_type=visit_type or VisitType.CONSULTATION,
    )
    if locked.status == status.CHECKED_IN:
        scheduling.appointment_start(actor=actor, appointment=locked)
    return _open(
        actor=actor,
        location=locked.location,
        patient=locked.patient,
        vet=locked.vet,
        reason=cleaned,
        visit_type=visit_type or VisitType.CONSULTATION,
        appointment=locked,
        opened_at=(locked.started_at or locked.starts_at)
        if locked.status == status.COMPLETED
        else None,
    )


@transaction.atomic
def soap_save(*, actor: Any, visit: Visit, version: int | None = None, **fields: str) -> SoapNote:
    """Save the SOAP note (autosave); 409 stale when it changed since `version` was read."""
    locked = open_visit_for_write(actor, visit)
    errors: dict[str, list[str]] = {}
    unknown = set(fields) - set(SOAP_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("Some fields are not valid."),
            fields={name: [_("Not a part of the SOAP note.")] for name in sorted(unknown)},
        )
    cleaned = {name: text(value, name, SOAP_LIMIT, errors) for name, value in fields.items()}
    raise_if(errors)
    soap = SoapNote.objects.select_for_update().get(visit=locked)
    if version is not None and version != soap.version:
        raise Conflict(
            _("Someone else changed this note since you opened it; reload to see it."),
            code="stale",
            version=soap.version,
        )
    changed = [name for name, value in cleaned.items() if getattr(soap, name) != value]
    if not changed:
        return soap
    for name in changed:
        setattr(soap, name, cleaned[name])
    soap.updated_by = actor
    soap.bump_version()
    soap.save()
    # The note's text is the record itself; the log keeps which parts changed and their size.
    record(
        actor=actor,
        action="records.soap.save",
        target=locked,
        location=locked.location_id,
        changes={name: {"length": len(cleaned[name])} for name in changed}
        | {"version": soap.version},
    )
    return soap


@transaction.atomic
def visit_update(*, actor: Any, visit: Visit, **fields: Any) -> Visit:
    """Change the reason or the kind of an open visit."""
    locked = open_visit_for_write(actor, visit)
    errors: dict[str, list[str]] = {}
    changes: dict[str, Any] = {}
    if "reason" in fields:
        changes["reason"] = text(fields["reason"], "reason", 300, errors)
    if "visit_type" in fields:
        if fields["visit_type"] not in VisitType.values:
            errors["visit_type"] = [_("Choose a kind of visit.")]
        changes["visit_type"] = str(fields["visit_type"])
    raise_if(errors)
    before = {name: getattr(locked, name) for name in changes}
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.bump_version()
    locked.save()
    record(
        actor=actor,
        action="records.visit.update",
        target=locked,
        location=locked.location_id,
        changes={name: [before[name], value] for name, value in changes.items()},
    )
    return locked


@transaction.atomic
def visit_sign(*, actor: Any, visit: Visit) -> Visit:
    """Sign the visit: from now on it is a legal record that takes only addenda. Completes an
    appointment still in consultation."""
    require_sign(actor, visit)
    locked = locked_visit(visit)
    if locked.is_signed:
        raise_signed(locked)
    locked.status = Visit.Status.SIGNED
    locked.signed_at = timeutil.now()
    locked.signed_by = actor
    locked.bump_version()
    locked.save()
    record(
        actor=actor,
        action="records.visit.sign",
        target=locked,
        location=locked.location_id,
        changes={"status": ["open", "signed"], "signed_at": locked.signed_at},
    )
    if locked.appointment_id is not None:
        appointment = Appointment.objects.get(pk=locked.appointment_id)
        if appointment.status == Appointment.Status.IN_PROGRESS and has_capability(
            actor, Capability.APPOINTMENTS_MANAGE, appointment.location_id
        ):
            scheduling.appointment_complete(actor=actor, appointment=appointment)
    return locked


@transaction.atomic
def addendum_add(*, actor: Any, visit: Visit, text_value: str) -> Addendum:
    """Add text to a signed visit (an open visit is simply edited)."""
    require(actor, Capability.RECORDS_WRITE, visit.location_id)
    locked = locked_visit(visit)
    if not locked.is_signed:
        raise Conflict(
            _("The visit is still open: edit the note instead of adding an addendum."),
            code="visit_open",
        )
    errors: dict[str, list[str]] = {}
    cleaned = text(text_value, "text", 5000, errors)
    if not cleaned:
        errors["text"] = [_("Write the addendum.")]
    raise_if(errors)
    addendum = Addendum.objects.create(
        organization_id=locked.organization_id, visit=locked, text=cleaned, author=actor
    )
    record(
        actor=actor,
        action="records.addendum.add",
        target=locked,
        location=locked.location_id,
        changes={"addendum": addendum.pk, "length": len(cleaned)},
    )
    return addendum


def visit_record_read(*, actor: Any, visit: Visit) -> None:
    """Note in the audit log that someone read a medical record."""
    require_read(actor)
    record(
        actor=actor,
        action="records.visit.read",
        target=visit,
        location=visit.location_id,
        changes={"patient": visit.patient_id},
    )
