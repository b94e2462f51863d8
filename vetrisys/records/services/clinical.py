"""Vitals, diagnoses and problems, lab results and linked files of a visit."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.permissions import require
from vetrisys.audit.services import record
from vetrisys.core import timeutil
from vetrisys.core.errors import Conflict, ValidationFailed
from vetrisys.patients import services as patient_services
from vetrisys.patients.models import Attachment, Patient
from vetrisys.records.models import (
    DiagnosisTerm,
    LabResult,
    Problem,
    Visit,
    VisitAttachment,
    VisitDiagnosis,
    Vitals,
)
from vetrisys.records.permissions import require_write
from vetrisys.records.services.common import open_visit_for_write, raise_if, text

# field → (lowest, highest, decimal places or None for whole numbers)
VITAL_LIMITS: dict[str, tuple[Decimal, Decimal, int | None]] = {
    "weight_kg": (Decimal("0.001"), Decimal(1500), 3),
    "temperature_c": (Decimal(25), Decimal(45), 1),
    "heart_rate": (Decimal(1), Decimal(600), None),
    "respiratory_rate": (Decimal(1), Decimal(250), None),
    "body_condition_score": (Decimal(1), Decimal(9), None),
    "pain_score": (Decimal(0), Decimal(10), None),
    "crt_seconds": (Decimal(0), Decimal(10), 1),
}


def _number(name: str, value: Any, errors: dict[str, list[str]]) -> Decimal | int | None:
    if value is None or value == "":
        return None
    low, high, places = VITAL_LIMITS[name]
    try:
        number = Decimal(str(value).replace(",", "."))
        if not number.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        errors[name] = [_("Enter a number.")]
        return None
    if places is None and number != number.to_integral_value():
        errors[name] = [_("Enter a whole number.")]
        return None
    if not low <= number <= high:
        errors[name] = [
            _("Between %(low)s and %(high)s.") % {"low": f"{low:f}", "high": f"{high:f}"}
        ]
        return None
    if places is None:
        return int(number)
    return number.quantize(Decimal(1).scaleb(-places))


@transaction.atomic
def vitals_add(*, actor: Any, visit: Visit, **fields: Any) -> Vitals:
    """Record a set of vital signs; a weight also goes to the patient's weight history."""
    locked = open_visit_for_write(actor, visit)
    errors: dict[str, list[str]] = {}
    values = {name: _number(name, fields.get(name), errors) for name in VITAL_LIMITS}
    membranes = str(fields.get("mucous_membranes") or "")
    if membranes and membranes not in Vitals.MucousMembranes.values:
        errors["mucous_membranes"] = [_("Choose a colour from the list.")]
    notes = text(fields.get("notes"), "notes", 300, errors)
    if not errors and all(value is None for value in values.values()) and not membranes:
        errors["__all__"] = [_("Enter at least one measurement.")]
    raise_if(errors)
    now = timeutil.now()
    weight_record = None
    weight = values["weight_kg"]
    if weight is not None:
        weight_record = patient_services.weight_record_add(
            actor=actor,
            patient=Patient.objects.get(pk=locked.patient_id),
            value=Decimal(weight),
            measured_at=now,
            note=_("Taken in a visit"),
        )
    vitals = Vitals.objects.create(
        organization_id=locked.organization_id,
        visit=locked,
        recorded_at=now,
        recorded_by=actor,
        mucous_membranes=membranes,
        weight_record=weight_record,
        notes=notes,
        **values,
    )
    record(
        actor=actor,
        action="records.vitals.add",
        target=locked,
        location=locked.location_id,
        changes={"vitals": vitals.pk, **{k: v for k, v in values.items() if v is not None}}
        | ({"mucous_membranes": membranes} if membranes else {}),
    )
    return vitals


def _term_or_text(
    term: DiagnosisTerm | None, free_text: str, errors: dict[str, list[str]], field: str
) -> str:
    cleaned = text(free_text, field, 300, errors)
    if term is None and not cleaned:
        errors.setdefault(field, []).append(_("Choose a diagnosis or describe it."))
    return cleaned


@transaction.atomic
def diagnosis_add(
    *,
    actor: Any,
    visit: Visit,
    term: DiagnosisTerm | None = None,
    free_text: str = "",
    status: str = VisitDiagnosis.Status.PROVISIONAL,
    notes: str = "",
    add_to_problems: bool = False,
    chronic: bool = False,
) -> VisitDiagnosis:
    """Record a diagnosis; a confirmed one may go on the patient's active problem list."""
    locked = open_visit_for_write(actor, visit)
    errors: dict[str, list[str]] = {}
    cleaned = _term_or_text(term, free_text, errors, "term")
    if status not in VisitDiagnosis.Status.values:
        errors["status"] = [_("Choose provisional, confirmed or ruled out.")]
    cleaned_notes = text(notes, "notes", 300, errors)
    if add_to_problems and status != VisitDiagnosis.Status.CONFIRMED:
        errors["add_to_problems"] = [_("Only a confirmed diagnosis goes on the problem list.")]
    raise_if(errors)
    problem = None
    if add_to_problems:
        problem = _problem_for(
            actor=actor, visit=locked, term=term, free_text=cleaned, chronic=chronic
        )
    diagnosis = VisitDiagnosis.objects.create(
        organization_id=locked.organization_id,
        visit=locked,
        term=term,
        free_text=cleaned,
        status=status,
        notes=cleaned_notes,
        problem=problem,
        created_by=actor,
    )
    record(
        actor=actor,
        action="records.diagnosis.add",
        target=locked,
        location=locked.location_id,
        changes={
            "diagnosis": diagnosis.pk,
            "code": term.code if term else "",
            "status": status,
            "problem": problem.pk if problem else None,
        },
    )
    return diagnosis


def _problem_for(
    *, actor: Any, visit: Visit, term: DiagnosisTerm | None, free_text: str, chronic: bool
) -> Problem:
    """The patient's active problem for this term (carried over), or a new one."""
    if term is not None:
        existing = (
            Problem.objects.select_for_update()
            .filter(patient_id=visit.patient_id, term=term, status=Problem.Status.ACTIVE)
            .first()
        )
        if existing is not None:
            return existing
    problem = Problem.objects.create(
        organization_id=visit.organization_id,
        patient_id=visit.patient_id,
        term=term,
        free_text="" if term is not None else free_text,
        is_chronic=chronic,
        noted_in_visit=visit,
        started_on=timeutil.now().date(),
        created_by=actor,
    )
    record(
        actor=actor,
        action="records.problem.add",
        target=problem,
        location=visit.location_id,
        changes={"patient": visit.patient_id, "visit": visit.pk, "chronic": chronic},
    )
    return problem


@transaction.atomic
def diagnosis_remove(*, actor: Any, diagnosis: VisitDiagnosis) -> None:
    """Take back a diagnosis written by mistake in an open visit."""
    locked = open_visit_for_write(actor, diagnosis.visit)
    VisitDiagnosis.objects.filter(pk=diagnosis.pk, visit=locked).delete()
    record(
        actor=actor,
        action="records.diagnosis.remove",
        target=locked,
        location=locked.location_id,
        changes={"diagnosis": diagnosis.pk, "label": diagnosis.label},
    )


@transaction.atomic
def problem_add(
    *,
    actor: Any,
    patient: Patient,
    term: DiagnosisTerm | None = None,
    free_text: str = "",
    chronic: bool = False,
    notes: str = "",
) -> Problem:
    """Put a problem on the patient's active list directly."""
    require(actor, Capability.RECORDS_WRITE)
    errors: dict[str, list[str]] = {}
    cleaned = _term_or_text(term, free_text, errors, "term")
    cleaned_notes = text(notes, "notes", 300, errors)
    raise_if(errors)
    if (
        term is not None
        and Problem.objects.filter(
            patient=patient, term=term, status=Problem.Status.ACTIVE
        ).exists()
    ):
        raise Conflict(_("This problem is already on the active list."), code="problem_exists")
    problem = Problem.objects.create(
        organization_id=patient.organization_id,
        patient=patient,
        term=term,
        free_text="" if term is not None else cleaned,
        is_chronic=chronic,
        started_on=timeutil.now().date(),
        notes=cleaned_notes,
        created_by=actor,
    )
    record(
        actor=actor,
        action="records.problem.add",
        target=problem,
        changes={"patient": patient.pk, "chronic": chronic},
    )
    return problem


@transaction.atomic
def problem_resolve(*, actor: Any, problem: Problem) -> Problem:
    """Mark a problem resolved: it leaves the active list and stays in the history."""
    require(actor, Capability.RECORDS_WRITE)
    locked = Problem.objects.select_for_update().get(pk=problem.pk)
    if locked.status == Problem.Status.RESOLVED:
        raise Conflict(_("This problem is already resolved."), code="invalid_transition")
    locked.status = Problem.Status.RESOLVED
    locked.resolved_on = timeutil.now().date()
    locked.bump_version()
    locked.save()
    record(
        actor=actor,
        action="records.problem.resolve",
        target=locked,
        changes={"status": ["active", "resolved"]},
    )
    return locked


@transaction.atomic
def lab_result_add(
    *,
    actor: Any,
    visit: Visit,
    test_name: str,
    value: str,
    unit: str = "",
    reference_range: str = "",
    flag: str = "",
    notes: str = "",
    attachment: Attachment | None = None,
) -> LabResult:
    """Record one lab value on the visit."""
    locked = open_visit_for_write(actor, visit)
    errors: dict[str, list[str]] = {}
    cleaned = {
        "test_name": text(test_name, "test_name", 120, errors),
        "value": text(value, "value", 60, errors),
        "unit": text(unit, "unit", 30, errors),
        "reference_range": text(reference_range, "reference_range", 60, errors),
        "notes": text(notes, "notes", 300, errors),
    }
    for name in ("test_name", "value"):
        if not cleaned[name] and name not in errors:
            errors[name] = [_("This field is required.")]
    if flag and flag not in LabResult.Flag.values:
        errors["flag"] = [_("Choose a flag from the list.")]
    if attachment is not None and attachment.patient_id != locked.patient_id:
        errors["attachment"] = [_("This file is not about this patient.")]
    raise_if(errors)
    result = LabResult.objects.create(
        organization_id=locked.organization_id,
        visit=locked,
        flag=flag,
        attachment=attachment,
        recorded_by=actor,
        **cleaned,
    )
    record(
        actor=actor,
        action="records.lab_result.add",
        target=locked,
        location=locked.location_id,
        changes={"lab_result": result.pk, "test": cleaned["test_name"], "flag": flag},
    )
    return result


@transaction.atomic
def attachment_link(*, actor: Any, visit: Visit, attachment: Attachment) -> VisitAttachment:
    """Link one of the patient's files to the visit (idempotent)."""
    locked = open_visit_for_write(actor, visit)
    if attachment.patient_id != locked.patient_id:
        raise ValidationFailed.for_field("attachment", _("This file is not about this patient."))
    link, created = VisitAttachment.objects.get_or_create(
        visit=locked,
        attachment=attachment,
        defaults={"organization_id": locked.organization_id, "linked_by": actor},
    )
    if created:
        record(
            actor=actor,
            action="records.attachment.link",
            target=locked,
            location=locked.location_id,
            changes={"attachment": attachment.pk},
        )
    return link


def attachment_upload_to_visit(
    *, actor: Any, visit: Visit, file: UploadedFile[Any], kind: str, description: str = ""
) -> VisitAttachment:
    """Upload a file about the visit's patient and link it to the visit: both or neither."""
    uploaded: list[Attachment] = []
    try:
        with transaction.atomic():
            locked = open_visit_for_write(actor, visit)
            attachment = patient_services.attachment_upload(
                actor=actor,
                patient=Patient.objects.get(pk=locked.patient_id),
                file=file,
                kind=kind,
                description=description,
            )
            uploaded.append(attachment)
            return attachment_link(actor=actor, visit=locked, attachment=attachment)
    except BaseException:
        # The rows were rolled back: leave no stored file behind them.
        for attachment in uploaded:
            if attachment.file.name:
                attachment.file.storage.delete(attachment.file.name)
        raise


def require_visit_write(actor: Any, visit: Visit) -> None:
    """For interfaces that want to know before uploading a file."""
    require_write(actor, visit)
