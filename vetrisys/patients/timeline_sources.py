"""The patient's own history entries: registration, owners, death, weights, files, notes."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vetrisys.patients import timeline
from vetrisys.patients.models import (
    Attachment,
    OwnershipTransfer,
    Patient,
    PatientNote,
    WeightRecord,
)
from vetrisys.patients.timeline import TimelineEntry


def _name(user: object | None) -> str:
    return str(getattr(user, "display_name", "") or "") if user is not None else ""


def _life_events(patient: Patient) -> list[TimelineEntry]:
    entries = [
        TimelineEntry(
            occurred_at=patient.created_at,
            kind="registration",
            title=_("Registered"),
            detail=_("%(name)s was registered.") % {"name": patient.name},
            object_id=str(patient.pk),
        )
    ]
    if patient.deceased_on is not None:
        at = dt.datetime.combine(
            patient.deceased_on, dt.time(12), tzinfo=timezone.get_current_timezone()
        )
        entries.append(
            TimelineEntry(
                occurred_at=at,
                kind="deceased",
                title=_("Deceased"),
                detail=_("Died on %(date)s.") % {"date": patient.deceased_on.isoformat()},
                object_id=str(patient.pk),
            )
        )
    return entries


def _transfers(patient: Patient) -> QuerySet[OwnershipTransfer]:
    return OwnershipTransfer.objects.filter(patient=patient).select_related(
        "from_client", "to_client", "transferred_by"
    )


def _transfer_entry(row: OwnershipTransfer) -> TimelineEntry:
    return TimelineEntry(
        occurred_at=row.created_at,
        kind="transfer",
        title=_("New owner"),
        detail=_("From %(old)s to %(new)s.")
        % {"old": row.from_client.full_name, "new": row.to_client.full_name}
        + (f" {row.reason}" if row.reason else ""),
        actor_name=_name(row.transferred_by),
        object_id=str(row.pk),
        data={"from_client": str(row.from_client_id), "to_client": str(row.to_client_id)},
    )


def _weights(patient: Patient) -> QuerySet[WeightRecord]:
    return WeightRecord.objects.filter(patient=patient).select_related("recorded_by")


def _weight_entry(row: WeightRecord) -> TimelineEntry:
    detail = f"{row.weight_kg.normalize():f} kg"
    if row.entered_unit == WeightRecord.Unit.LB:
        detail += f" ({row.entered_value.normalize():f} lb)"
    return TimelineEntry(
        occurred_at=row.measured_at,
        kind="weight",
        title=_("Weight"),
        detail=detail + (f" · {row.note}" if row.note else ""),
        actor_name=_name(row.recorded_by),
        object_id=str(row.pk),
        data={"weight_kg": str(row.weight_kg)},
    )


def _attachments(patient: Patient) -> QuerySet[Attachment]:
    return Attachment.objects.filter(patient=patient).select_related("uploaded_by")


def _attachment_entry(row: Attachment) -> TimelineEntry:
    return TimelineEntry(
        occurred_at=row.created_at,
        kind="attachment",
        title=str(row.get_kind_display()),
        detail=row.description or row.original_name,
        actor_name=_name(row.uploaded_by),
        object_id=str(row.pk),
        url=reverse("patients:attachment_download", args=[row.pk]),
        data={"content_type": row.content_type, "name": row.original_name},
    )


def _notes(patient: Patient) -> QuerySet[PatientNote]:
    return PatientNote.objects.filter(patient=patient).select_related("author")


def _note_entry(row: PatientNote) -> TimelineEntry:
    return TimelineEntry(
        occurred_at=row.created_at,
        kind="note",
        title=_("Note"),
        detail=row.text,
        actor_name=_name(row.author),
        object_id=str(row.pk),
    )


timeline.register(timeline.PatientSource(kind="life", entries=_life_events))
timeline.register(
    timeline.QuerySetSource(
        kind="transfer", rows=_transfers, date_field="created_at", to_entry=_transfer_entry
    )
)
timeline.register(
    timeline.QuerySetSource(
        kind="weight", rows=_weights, date_field="measured_at", to_entry=_weight_entry
    )
)
timeline.register(
    timeline.QuerySetSource(
        kind="attachment", rows=_attachments, date_field="created_at", to_entry=_attachment_entry
    )
)
timeline.register(
    timeline.QuerySetSource(kind="note", rows=_notes, date_field="created_at", to_entry=_note_entry)
)
