"""Everything the clinic holds about one owner and their pets, as a ZIP: data.json (machine
readable), the receipts as PDF, and the pets' attachments."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import uuid
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.apps import apps
from django.db import models, transaction
from django.db.models.fields.files import FieldFile

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.permissions import require
from vetrisys.audit.services import record
from vetrisys.clients.models import Client
from vetrisys.core.errors import DomainError
from vetrisys.core.timeutil import now

FORMAT = "vetrisys-client-export"
FORMAT_VERSION = 1
# Internal columns that say nothing about the person (search keys, job bookkeeping).
_INTERNAL = {
    "search_name",
    "digits_reversed",
    "national_digits",
    "claim_token",
    "claimed_at",
    "idempotency_key",
    "busy_from",
    "busy_until",
    "ical_sequence",
}
SPOOL_BYTES = 16 * 1024 * 1024


@dataclass
class ClientExport:
    """The archive, in a temporary file positioned at its start."""

    filename: str
    file: IO[bytes]
    size: int


def _value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, memoryview | bytes):
        return None
    return value


def row(instance: models.Model) -> dict[str, Any]:
    """The columns of one row as JSON values (foreign keys as `<name>_id`)."""
    data = {}
    for field in instance._meta.concrete_fields:
        name = field.attname
        if name in _INTERNAL or name.endswith(("_hash", "_hashes", "_digest")):
            continue
        data[name] = _value(getattr(instance, name))
    return data


def _rows(queryset: models.QuerySet[Any]) -> list[dict[str, Any]]:
    return [row(item) for item in queryset.order_by("created_at", "pk")]


def _model(label: str) -> Any:
    app_label, name = label.split(".")
    return apps.get_model(app_label, name)


def _visits(patient: Any) -> list[dict[str, Any]]:
    visit_model = _model("records.Visit")
    soap_model = _model("records.SoapNote")
    result = []
    for visit in visit_model.objects.filter(patient=patient).order_by("created_at", "pk"):
        data = row(visit)
        soap = soap_model.objects.filter(visit=visit).first()
        data["soap"] = row(soap) if soap else None
        for key, label in (
            ("vitals", "records.Vitals"),
            ("diagnoses", "records.VisitDiagnosis"),
            ("procedures", "records.Procedure"),
            ("lab_results", "records.LabResult"),
            ("addenda", "records.Addendum"),
        ):
            data[key] = _rows(_model(label).objects.filter(visit=visit))
        result.append(data)
    return result


def _patients(client: Client, archive: zipfile.ZipFile) -> list[dict[str, Any]]:
    patient_model = _model("patients.Patient")
    prescription_model = _model("pharmacy.Prescription")
    dispense_model = _model("pharmacy.PrescriptionDispense")
    result = []
    for patient in patient_model.objects.filter(client=client).order_by("created_at", "pk"):
        data = row(patient)
        data["weights"] = _rows(_model("patients.WeightRecord").objects.filter(patient=patient))
        data["notes"] = _rows(_model("patients.PatientNote").objects.filter(patient=patient))
        data["problems"] = _rows(_model("records.Problem").objects.filter(patient=patient))
        data["visits"] = _visits(patient)
        data["vaccinations"] = _rows(
            _model("vaccinations.Vaccination").objects.filter(patient=patient)
        )
        prescriptions = []
        for prescription in prescription_model.objects.filter(patient=patient).order_by(
            "created_at", "pk"
        ):
            item = row(prescription)
            item["dispenses"] = _rows(dispense_model.objects.filter(prescription=prescription))
            prescriptions.append(item)
        data["prescriptions"] = prescriptions
        attachments = []
        for attachment in (
            _model("patients.Attachment")
            .objects.filter(patient=patient)
            .order_by("created_at", "pk")
        ):
            item = row(attachment)
            inside = f"attachments/{attachment.pk}-{attachment.original_name.replace('/', '_')}"
            try:
                with attachment.file.open("rb") as source, archive.open(inside, "w") as target:
                    while chunk := source.read(1024 * 1024):
                        target.write(chunk)
                item["file_in_archive"] = inside
            except OSError:
                item["file_in_archive"] = None
            attachments.append(item)
        data["attachments"] = attachments
        result.append(data)
    return result


def _invoices(client: Client, archive: zipfile.ZipFile) -> list[dict[str, Any]]:
    from vetrisys.billing.documents import receipt_filename, receipt_pdf

    invoice_model = _model("billing.Invoice")
    result = []
    for invoice in (
        invoice_model.objects.filter(client=client)
        .select_related("location__organization", "client", "patient", "issued_by")
        .order_by("created_at", "pk")
    ):
        data = row(invoice)
        data["lines"] = _rows(invoice.lines.all())
        data["payments"] = _rows(invoice.payments.all())
        data["credit_notes"] = _rows(invoice.credit_notes.all())
        data["receipt_pdf"] = None
        if invoice.status != "draft":
            inside = f"receipts/{receipt_filename(invoice)}"
            try:
                archive.writestr(inside, receipt_pdf(invoice))
                data["receipt_pdf"] = inside
            except DomainError:  # PDF printing unavailable on this machine
                pass
        result.append(data)
    return result


def _write(client: Client, archive: zipfile.ZipFile) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": now().isoformat(),
        "organization": client.organization.name,
        "client": row(client),
        "phones": _rows(client.phones.all()),
        "communications": _rows(client.communications.all()),
    }
    data["patients"] = _patients(client, archive)
    data["ownership_transfers"] = _rows(
        _model("patients.OwnershipTransfer").objects.filter(
            models.Q(from_client=client) | models.Q(to_client=client)
        )
    )
    data["appointments"] = _rows(_model("scheduling.Appointment").objects.filter(client=client))
    data["invoices"] = _invoices(client, archive)
    data["estimates"] = _rows(_model("billing.Estimate").objects.filter(client=client))
    data["charges"] = _rows(_model("billing.Charge").objects.filter(client=client))
    data["messages"] = (
        _rows(_model("notifications.Message").objects.filter(client=client))
        if apps.is_installed("vetrisys.notifications")
        else []
    )
    body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    archive.writestr("data.json", body)
    return data


def client_data_export(*, actor: Any, client: Client) -> ClientExport:
    """The owner's data-subject export (audited: who exported whom, never what)."""
    require(actor, Capability.ORGANIZATION_MANAGE)
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (returned open)
    with transaction.atomic():
        # One snapshot: REPEATABLE READ would be stricter; one transaction keeps it simple.
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            _write(client, archive)
        record(
            actor=actor,
            action="client.export",
            target=client,
            organization=client.organization_id,
        )
    size = spool.tell()
    spool.seek(0)
    stamp = now().strftime("%Y%m%d")
    return ClientExport(f"client-{client.pk}-{stamp}.zip", spool, size)
