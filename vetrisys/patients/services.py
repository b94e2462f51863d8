"""Writes of patients. Each checks the capability, validates, writes, and audits in one go."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.permissions import require
from vetrisys.audit.services import diff, record, snapshot
from vetrisys.clients.models import Client
from vetrisys.core.errors import Conflict, NotFound, ValidationFailed
from vetrisys.core.text import normalize_search
from vetrisys.patients import files
from vetrisys.patients.models import (
    Attachment,
    Breed,
    OwnershipTransfer,
    Patient,
    PatientNote,
    Species,
    WeightRecord,
    add_months,
)

PATIENT_FIELDS = [
    "client_id", "name", "species_id", "breed_id", "sex", "neutered", "birth_date",
    "birth_date_is_estimated", "color", "microchip", "allergies", "chronic_conditions",
    "alerts", "alert_note", "deceased_on", "is_active",
]  # fmt: skip
EDITABLE_FIELDS = {
    "name", "species", "breed", "sex", "neutered", "birth_date", "age_years", "age_months",
    "color", "microchip", "allergies", "chronic_conditions", "alerts", "alert_note", "is_active",
}  # fmt: skip

LB_TO_KG = Decimal("0.45359237")
MAX_WEIGHT_KG = Decimal(1500)
WEIGHT_PLACES = Decimal("0.001")
MAX_AGE_YEARS = 100
# ISO 11784/11785: 15 digits. Older AVID and FECAVA chips: 9 or 10 letters and digits.
_ISO_CHIP = re.compile(r"^\d{15}$")
_LEGACY_CHIP = re.compile(r"^[0-9A-Z]{9,10}$")
_CHIP_SEPARATORS = re.compile(r"[\s.\-]+")


# ---------------------------------------------------------------- reference data


@transaction.atomic
def species_create(*, actor: Any, name_es: str, name_en: str, code: str = "") -> Species:
    """Add a species used by the actor's organization only."""
    require(actor, Capability.PATIENTS_MANAGE)
    name_es, name_en = name_es.strip(), name_en.strip()
    errors: dict[str, list[str]] = {}
    if not name_es:
        errors["name_es"] = [_("The species needs a Spanish name.")]
    if len(name_es) > 100 or len(name_en) > 100:
        errors["name_en" if len(name_en) > 100 else "name_es"] = [_("100 characters at most.")]
    code = slugify(code or name_en or name_es)[:40]
    if not code and not errors:
        errors["code"] = [_("Use letters or digits in the code.")]
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)
    org_id = actor.organization_id
    taken = Species.objects.filter(code=code, organization_id__in=[org_id]).exists() or (
        Species.objects.filter(code=code, organization__isnull=True).exists()
    )
    if taken:
        raise Conflict(_("A species with this code already exists."), code="species_exists")
    species = Species.objects.create(
        organization_id=org_id, code=code, name_es=name_es, name_en=name_en or name_es
    )
    record(
        actor=actor,
        action="species.create",
        target=species,
        changes={"code": code, "name_es": name_es, "name_en": species.name_en},
    )
    return species


@transaction.atomic
def breed_create(*, actor: Any, species: Species, name_es: str, name_en: str) -> Breed:
    """Add a breed of a species, used by the actor's organization only."""
    require(actor, Capability.PATIENTS_MANAGE)
    if species.organization_id not in (None, actor.organization_id):
        raise NotFound(_("Species not found."))
    name_es, name_en = name_es.strip(), name_en.strip()
    if not name_es:
        raise ValidationFailed.for_field("name_es", _("The breed needs a Spanish name."))
    if len(name_es) > 100 or len(name_en) > 100:
        raise ValidationFailed.for_field("name_es", _("100 characters at most."))
    same_name = Breed.objects.filter(species=species, name_es__iexact=name_es)
    if (
        same_name.filter(organization__isnull=True).exists()
        or same_name.filter(organization_id=actor.organization_id).exists()
    ):
        raise Conflict(_("This species already has a breed with this name."), code="breed_exists")
    breed = Breed.objects.create(
        organization_id=actor.organization_id,
        species=species,
        name_es=name_es,
        name_en=name_en or name_es,
    )
    record(
        actor=actor,
        action="breed.create",
        target=breed,
        changes={"species": species.code, "name_es": name_es, "name_en": breed.name_en},
    )
    return breed


# ---------------------------------------------------------------- validation helpers


def normalize_microchip(value: str) -> str:
    """Uppercase, without spaces, dots or dashes: "985 112-003 456 789" → "985112003456789"."""
    return _CHIP_SEPARATORS.sub("", value or "").upper()


def microchip_is_valid(chip: str) -> bool:
    """Whether a normalized microchip looks like an ISO (15 digits) or legacy (9 to 10) code."""
    return bool(_ISO_CHIP.match(chip) or _LEGACY_CHIP.match(chip))


def estimated_birth_date(*, years: int, months: int, today: dt.date) -> dt.date:
    """The birth date of an animal said to be `years` and `months` old on `today`."""
    return add_months(today, -(years * 12 + months))


def _check_microchip_free(*, organization_id: Any, chip: str, patient: Patient | None) -> None:
    if not chip:
        return
    holders = Patient.objects.filter(organization_id=organization_id, microchip=chip)
    if patient is not None:
        holders = holders.exclude(pk=patient.pk)
    holder = holders.only("id", "name").first()
    if holder is not None:
        _raise_microchip_taken(holder)


def _raise_microchip_taken(holder: Patient) -> None:
    raise Conflict(
        _("The microchip is already registered to %(name)s.") % {"name": holder.name},
        code="microchip_taken",
        patient={"id": str(holder.pk), "name": holder.name},
    )


def _clean_patient_fields(
    fields: dict[str, Any], *, organization_id: Any, patient: Patient | None
) -> dict[str, Any]:
    """Validate and normalize patient fields; raise one ValidationFailed with every problem."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    if "name" in fields:
        name = str(fields["name"] or "").strip()
        if not name:
            errors["name"] = [_("The patient needs a name.")]
        elif len(name) > 100:
            errors["name"] = [_("100 characters at most.")]
        cleaned["name"] = name
        cleaned["search_name"] = normalize_search(name)
    species = fields.get("species", patient.species if patient else None)
    if "species" in fields:
        if not isinstance(species, Species) or species.organization_id not in (
            None,
            organization_id,
        ):
            errors["species"] = [_("Choose a species.")]
        else:
            cleaned["species"] = species
    if "breed" in fields or "species" in fields:
        breed = fields.get("breed", patient.breed if patient else None)
        if breed is not None:
            if not isinstance(breed, Breed) or breed.organization_id not in (
                None,
                organization_id,
            ):
                errors["breed"] = [_("Choose a breed.")]
            elif isinstance(species, Species) and breed.species_id != species.pk:
                errors["breed"] = [
                    _("%(breed)s is not a breed of %(species)s.")
                    % {"breed": breed.name, "species": species.name}
                ]
        cleaned["breed"] = breed
    if "sex" in fields:
        if fields["sex"] not in Patient.Sex.values:
            errors["sex"] = [_("Choose male, female or unknown.")]
        cleaned["sex"] = fields["sex"]
    if "neutered" in fields:
        cleaned["neutered"] = bool(fields["neutered"])
    _clean_birth(fields, cleaned, errors)
    for name, limit in (("color", 200), ("alert_note", 300)):
        if name in fields:
            value = str(fields[name] or "").strip()
            if len(value) > limit:
                errors[name] = [_("%(limit)d characters at most.") % {"limit": limit}]
            cleaned[name] = value
    for name in ("allergies", "chronic_conditions"):
        if name in fields:
            cleaned[name] = str(fields[name] or "").strip()
    if "alerts" in fields:
        alerts = list(dict.fromkeys(str(code) for code in (fields["alerts"] or [])))
        unknown = [code for code in alerts if code not in Patient.Alert.values]
        if unknown:
            errors["alerts"] = [_("Unknown alert: %(code)s") % {"code": unknown[0]}]
        cleaned["alerts"] = alerts
    if "microchip" in fields:
        chip = normalize_microchip(str(fields["microchip"] or ""))
        if chip and not microchip_is_valid(chip):
            errors["microchip"] = [
                _("A microchip has 15 digits (ISO), or 9 to 10 letters and digits (older chips).")
            ]
        cleaned["microchip"] = chip
    if "is_active" in fields:
        cleaned["is_active"] = bool(fields["is_active"])
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)
    return cleaned


def _clean_birth(
    fields: dict[str, Any], cleaned: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    today = timezone.localdate()
    years, months = fields.get("age_years"), fields.get("age_months")
    has_age = years not in (None, "") or months not in (None, "")
    if has_age:
        if fields.get("birth_date"):
            errors["birth_date"] = [_("Give a birth date or an estimated age, not both.")]
            return
        try:
            years_n, months_n = int(years or 0), int(months or 0)
        except (TypeError, ValueError):
            errors["age_years"] = [_("Enter whole numbers of years and months.")]
            return
        if not 0 <= years_n <= MAX_AGE_YEARS:
            errors["age_years"] = [_("Between 0 and %(max)d years.") % {"max": MAX_AGE_YEARS}]
        elif not 0 <= months_n <= 11:
            errors["age_months"] = [_("Between 0 and 11 months.")]
        else:
            cleaned["birth_date"] = estimated_birth_date(
                years=years_n, months=months_n, today=today
            )
            cleaned["birth_date_is_estimated"] = True
        return
    if "birth_date" in fields:
        birth_date = fields["birth_date"]
        if birth_date is not None and not isinstance(birth_date, dt.date):
            errors["birth_date"] = [_("Enter a date (YYYY-MM-DD).")]
        elif birth_date is not None and birth_date > today:
            errors["birth_date"] = [_("The birth date cannot be in the future.")]
        elif birth_date is not None and birth_date.year < today.year - MAX_AGE_YEARS:
            errors["birth_date"] = [_("The birth date is too far in the past.")]
        cleaned["birth_date"] = birth_date
        cleaned["birth_date_is_estimated"] = bool(fields.get("birth_date_is_estimated", False))


def _check_owner(actor: Any, client: Any, field: str = "client") -> Client:
    if not isinstance(client, Client) or client.organization_id != actor.organization_id:
        raise ValidationFailed.for_field(field, _("Choose an owner."))
    if not client.is_active:
        raise ValidationFailed.for_field(field, _("This owner is archived."))
    return client


def _save_patient(patient: Patient) -> None:
    """Save, turning a race on the microchip's unique constraint into the same 409."""
    try:
        with transaction.atomic():
            patient.save()
    except IntegrityError:
        holder = (
            Patient.objects.filter(
                organization_id=patient.organization_id, microchip=patient.microchip
            )
            .exclude(pk=patient.pk)
            .first()
        )
        if patient.microchip and holder is not None:
            _raise_microchip_taken(holder)
        raise


# ---------------------------------------------------------------- patients


@transaction.atomic
def patient_create(
    *, actor: Any, client: Client, name: str, species: Species, **fields: Any
) -> Patient:
    """Register an animal of an owner (reference data checked, microchip unique)."""
    require(actor, Capability.PATIENTS_MANAGE)
    _check_owner(actor, client)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValidationFailed.for_field(sorted(unknown)[0], _("This field cannot be set."))
    fields.setdefault("breed", None)
    cleaned = _clean_patient_fields(
        {"name": name, "species": species, **fields},
        organization_id=actor.organization_id,
        patient=None,
    )
    _check_microchip_free(
        organization_id=actor.organization_id, chip=cleaned.get("microchip", ""), patient=None
    )
    patient = Patient(organization_id=actor.organization_id, client=client, **cleaned)
    _save_patient(patient)
    record(
        actor=actor,
        action="patient.create",
        target=patient,
        changes=snapshot(patient, PATIENT_FIELDS),
    )
    return patient


@transaction.atomic
def patient_update(*, actor: Any, patient: Patient, **fields: Any) -> Patient:
    """Change a patient's details (the owner changes through patient_transfer)."""
    require(actor, Capability.PATIENTS_MANAGE)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValidationFailed.for_field(sorted(unknown)[0], _("This field cannot be changed."))
    cleaned = _clean_patient_fields(
        fields, organization_id=patient.organization_id, patient=patient
    )
    if "microchip" in cleaned:
        _check_microchip_free(
            organization_id=patient.organization_id, chip=cleaned["microchip"], patient=patient
        )
    before = snapshot(patient, PATIENT_FIELDS)
    for key, value in cleaned.items():
        setattr(patient, key, value)
    changes = diff(before, snapshot(patient, PATIENT_FIELDS))
    if not changes:
        return patient
    patient.bump_version()
    _save_patient(patient)
    record(actor=actor, action="patient.update", target=patient, changes=changes)
    return patient


@transaction.atomic
def patient_transfer(*, actor: Any, patient: Patient, client: Client, reason: str = "") -> Patient:
    """Give the patient to another owner of the same organization."""
    require(actor, Capability.PATIENTS_MANAGE)
    _check_owner(actor, client)
    if client.pk == patient.client_id:
        raise Conflict(_("The patient already belongs to this owner."), code="same_owner")
    if patient.is_deceased:
        raise Conflict(_("A deceased patient cannot change owner."), code="patient_deceased")
    previous_id = patient.client_id
    OwnershipTransfer.objects.create(
        organization_id=patient.organization_id,
        patient=patient,
        from_client_id=previous_id,
        to_client=client,
        transferred_by=actor,
        reason=reason.strip()[:300],
    )
    patient.client = client
    patient.bump_version()
    patient.save(update_fields=["client", "version", "updated_at"])
    record(
        actor=actor,
        action="patient.transfer",
        target=patient,
        changes={"client": [str(previous_id), str(client.pk)], "reason": reason.strip()[:300]},
    )
    return patient


@transaction.atomic
def patient_mark_deceased(*, actor: Any, patient: Patient, deceased_on: dt.date) -> Patient:
    """Record the patient's death: it is flagged everywhere and stops reminders and bookings."""
    require(actor, Capability.PATIENTS_MANAGE)
    if patient.is_deceased:
        raise Conflict(_("The patient is already recorded as deceased."), code="already_deceased")
    if not isinstance(deceased_on, dt.date):
        raise ValidationFailed.for_field("deceased_on", _("Enter a date (YYYY-MM-DD)."))
    if deceased_on > timezone.localdate():
        raise ValidationFailed.for_field("deceased_on", _("The date cannot be in the future."))
    if (
        patient.birth_date
        and deceased_on < patient.birth_date
        and not patient.birth_date_is_estimated
    ):
        raise ValidationFailed.for_field("deceased_on", _("The date is before the birth date."))
    patient.deceased_on = deceased_on
    patient.bump_version()
    patient.save(update_fields=["deceased_on", "version", "updated_at"])
    record(
        actor=actor,
        action="patient.deceased",
        target=patient,
        changes={"deceased_on": deceased_on},
    )
    return patient


@transaction.atomic
def patient_set_photo(*, actor: Any, patient: Patient, attachment: Attachment) -> Patient:
    """Use one of the patient's image attachments as its photo."""
    require(actor, Capability.PATIENTS_MANAGE)
    if attachment.patient_id != patient.pk:
        raise ValidationFailed.for_field("attachment", _("Choose a file of this patient."))
    if not attachment.is_image:
        raise ValidationFailed.for_field("attachment", _("Only an image can be the photo."))
    previous = patient.photo_id
    patient.photo = attachment
    patient.bump_version()
    patient.save(update_fields=["photo", "version", "updated_at"])
    record(
        actor=actor,
        action="patient.photo",
        target=patient,
        changes={"photo": [str(previous) if previous else None, str(attachment.pk)]},
    )
    return patient


# ---------------------------------------------------------------- weights


def weight_to_kg(value: Decimal, unit: str) -> Decimal:
    """Kilograms, rounded half-up to grams (1 lb = 0.45359237 kg exactly)."""
    kg = value * LB_TO_KG if unit == WeightRecord.Unit.LB else value
    return kg.quantize(WEIGHT_PLACES, rounding=ROUND_HALF_UP)


@transaction.atomic
def weight_record_add(
    *,
    actor: Any,
    patient: Patient,
    value: Decimal | str,
    unit: str = WeightRecord.Unit.KG,
    measured_at: dt.datetime | None = None,
    note: str = "",
) -> WeightRecord:
    """Record a weighing given in kg or lb; kept in kg."""
    require(actor, Capability.PATIENTS_MANAGE)
    errors: dict[str, list[str]] = {}
    if unit not in WeightRecord.Unit.values:
        errors["unit"] = [_("Choose kg or lb.")]
    try:
        entered = Decimal(str(value))
        if not entered.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        errors["weight"] = [_("Enter a number.")]
        entered = Decimal(0)
    weight_kg = weight_to_kg(entered, unit) if not errors else Decimal(0)
    if not errors and not Decimal(0) < weight_kg <= MAX_WEIGHT_KG:
        errors["weight"] = [_("A weight must be above 0 and at most 1500 kg.")]
    now = timezone.now()
    if measured_at is None:
        measured_at = now
    elif timezone.is_naive(measured_at):
        errors["measured_at"] = [
            _("Give the time with its offset (e.g. 2025-03-01T10:00:00-05:00).")
        ]
    elif measured_at > now + dt.timedelta(minutes=5):
        errors["measured_at"] = [_("The time cannot be in the future.")]
    if len(note) > 300:
        errors["note"] = [_("300 characters at most.")]
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)
    weight = WeightRecord.objects.create(
        organization_id=patient.organization_id,
        patient=patient,
        weight_kg=weight_kg,
        entered_value=entered.quantize(WEIGHT_PLACES, rounding=ROUND_HALF_UP),
        entered_unit=unit,
        measured_at=measured_at,
        recorded_by=actor,
        note=note.strip(),
    )
    record(
        actor=actor,
        action="patient.weight_add",
        target=patient,
        changes={
            "weight_kg": weight_kg,
            "entered": f"{entered} {unit}",
            "measured_at": measured_at,
        },
    )
    return weight


# ---------------------------------------------------------------- attachments


def _clean_original_name(name: str) -> str:
    base = PurePath(str(name or "").replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[:255] or "file"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def attachment_upload(
    *, actor: Any, patient: Patient, file: UploadedFile[Any], kind: str, description: str = ""
) -> Attachment:
    """Store a file about a patient after checking its size and its real type."""
    require(actor, Capability.PATIENTS_MANAGE)
    errors: dict[str, list[str]] = {}
    if kind not in Attachment.Kind.values:
        errors["kind"] = [_("Choose a kind of file.")]
    if len(description) > 300:
        errors["description"] = [_("300 characters at most.")]
    max_bytes: int = settings.ATTACHMENT_MAX_BYTES
    size = file.size or 0
    content_type = None
    if size == 0:
        errors["file"] = [_("The file is empty.")]
    elif size > max_bytes:
        errors["file"] = [
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": _megabytes(size), "limit": _megabytes(max_bytes)}
        ]
    else:
        content_type = files.sniff(files.read_head(file))
        allowed: Iterable[str] = settings.ATTACHMENT_ALLOWED_TYPES
        if content_type is None or content_type not in allowed:
            errors["file"] = [
                _(
                    "This type of file is not accepted. Upload a PDF, an image (PNG, JPEG, GIF, "
                    "WebP), a DICOM file or plain text."
                )
            ]
        elif kind == Attachment.Kind.PHOTO and content_type not in files.IMAGE_TYPES:
            errors["file"] = [_("A photo must be a PNG, JPEG, GIF or WebP image.")]
    if errors or content_type is None:
        raise ValidationFailed(_("The file was not accepted."), fields=errors)
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    attachment = Attachment(
        organization_id=patient.organization_id,
        patient=patient,
        kind=kind,
        description=description.strip(),
        original_name=_clean_original_name(file.name or ""),
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    attachment.file.save(f"upload{files.EXTENSIONS[content_type]}", file, save=False)
    try:
        with transaction.atomic():
            attachment.save(force_insert=True)
            record(
                actor=actor,
                action="attachment.upload",
                target=attachment,
                changes={
                    "patient": patient.pk,
                    "kind": kind,
                    "name": attachment.original_name,
                    "content_type": content_type,
                    "size": size,
                    "sha256": attachment.sha256,
                },
            )
            if kind == Attachment.Kind.PHOTO and patient.photo_id is None:
                patient_set_photo(actor=actor, patient=patient, attachment=attachment)
    except BaseException:
        # Nothing half-saved: a row that could not be written leaves no file behind.
        if attachment.file.name:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


def attachment_record_download(*, actor: Any, attachment: Attachment) -> None:
    """Note in the audit log that someone read a patient's file."""
    record(
        actor=actor,
        action="attachment.download",
        target=attachment,
        changes={"patient": attachment.patient_id},
    )


# ---------------------------------------------------------------- notes


@transaction.atomic
def note_add(*, actor: Any, patient: Patient, text: str) -> PatientNote:
    """Write a note on the patient's history."""
    require(actor, Capability.PATIENTS_MANAGE)
    text = (text or "").strip()
    if not text:
        raise ValidationFailed.for_field("text", _("Write the note."))
    if len(text) > 5000:
        raise ValidationFailed.for_field("text", _("5000 characters at most."))
    note = PatientNote.objects.create(
        organization_id=patient.organization_id, patient=patient, text=text, author=actor
    )
    record(actor=actor, action="patient.note_add", target=patient, changes={"note": note.pk})
    return note
