"""An owner's data export: a ZIP with data.json, receipts and attachments; audited."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from vetrisys.audit.models import AuditEvent
from vetrisys.core.errors import NotAllowed
from vetrisys.patients.models import Patient
from vetrisys.patients.services import attachment_upload, weight_record_add
from vetrisys.privacy.export import client_data_export

pytestmark = pytest.mark.django_db


def _open(export) -> tuple[zipfile.ZipFile, dict]:
    archive = zipfile.ZipFile(io.BytesIO(export.file.read()))
    return archive, json.loads(archive.read("data.json"))


def test_the_export_holds_the_owner_their_pets_and_their_files(ana, admin):
    rocky = Patient.objects.get(client=ana)
    upload = attachment_upload(
        actor=admin,
        patient=rocky,
        file=SimpleUploadedFile("analisis.txt", b"Hemograma normal"),
        kind="lab",
    )

    export = client_data_export(actor=admin, client=ana)

    archive, data = _open(export)
    assert export.filename.startswith(f"client-{ana.pk}-")
    assert export.filename.endswith(".zip")
    names = set(archive.namelist())
    attachment_name = f"attachments/{upload.pk}-analisis.txt"
    assert {"data.json", attachment_name} <= names
    assert archive.read(attachment_name) == b"Hemograma normal"
    assert (data["format"], data["format_version"]) == ("vetrisys-client-export", 1)
    client = data["client"]
    assert (client["first_name"], client["document_number"], client["email"]) == (
        "Ana",
        "45678912",
        "ana.torres@correo.pe",
    )
    assert not any(key.endswith("_hash") for key in client)
    assert [phone["e164"] for phone in data["phones"]] == ["+51987654321"]
    assert [c["body"] for c in data["communications"]] == ["Llamó Ana Torres"]
    [pet] = data["patients"]
    assert (pet["name"], pet["microchip"]) == ("Rocky", "981020000123456")
    assert [a["file_in_archive"] for a in pet["attachments"]] == [attachment_name]
    for key in ("weights", "visits", "vaccinations", "prescriptions", "notes", "problems"):
        assert pet[key] == []
    [invoice] = data["invoices"]
    assert (invoice["full_number"], invoice["total"], invoice["lines"]) == (
        "B001-00000007",
        "118.00",
        [],
    )
    if invoice["receipt_pdf"] is not None:  # WeasyPrint present on this machine
        assert archive.read(invoice["receipt_pdf"]).startswith(b"%PDF")
    assert data["appointments"] == []
    assert data["messages"] == []
    event = AuditEvent.objects.get(action="client.export")
    assert (event.target_id, event.changes, event.actor_id) == (str(ana.pk), {}, admin.pk)


def test_weights_are_in_the_export(ana, admin):
    rocky = Patient.objects.get(client=ana)
    weight_record_add(actor=admin, patient=rocky, value="12.40")

    _archive, data = _open(client_data_export(actor=admin, client=ana))

    assert [w["weight_kg"] for w in data["patients"][0]["weights"]] == ["12.400"]


def test_only_an_organization_admin_may_export(ana, manager_a, receptionist_a, vet_a):
    for person in (manager_a, receptionist_a, vet_a):
        with pytest.raises(NotAllowed):
            client_data_export(actor=person, client=ana)

    assert not AuditEvent.objects.filter(action="client.export").exists()
