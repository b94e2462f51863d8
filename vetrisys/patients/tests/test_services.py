import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from vetrisys.accounts.models import User
from vetrisys.audit.models import AuditEvent
from vetrisys.core.errors import Conflict, NotAllowed, ValidationFailed
from vetrisys.patients import services
from vetrisys.patients.models import (
    Age,
    Attachment,
    OwnershipTransfer,
    Patient,
    WeightRecord,
)
from vetrisys.patients.tests.factories import OwnerFactory, PatientFactory, breed, species

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("sequence"))


def test_a_patient_is_registered_with_normalized_name_and_microchip(world, receptionist_a):
    owner = OwnerFactory(organization=world.org)

    patient = services.patient_create(
        actor=receptionist_a,
        client=owner,
        name="  Peluchín ",
        species=species("dog"),
        breed=breed("dog", "Peruvian Hairless Dog"),
        sex="female",
        microchip="985 112-003 456 789",
        alerts=["aggressive", "allergy", "aggressive"],
    )

    patient.refresh_from_db()
    assert patient.name == "Peluchín"
    assert patient.search_name == "peluchin"
    assert patient.microchip == "985112003456789"
    assert patient.alerts == ["aggressive", "allergy"]
    assert patient.organization_id == world.org.pk
    [event] = _events("patient.create")
    assert event.target_id == str(patient.pk)
    assert event.changes["microchip"] == "985112003456789"
    assert event.actor_id == receptionist_a.pk


def test_legacy_microchips_of_nine_or_ten_characters_are_accepted(world, vet_a):
    owner = OwnerFactory(organization=world.org)

    avid = services.patient_create(
        actor=vet_a, client=owner, name="Rocky", species=species("dog"), microchip="123456789"
    )
    fecava = services.patient_create(
        actor=vet_a, client=owner, name="Luna", species=species("cat"), microchip="0a1b2c3d4e"
    )

    assert (avid.microchip, fecava.microchip) == ("123456789", "0A1B2C3D4E")


@pytest.mark.parametrize("chip", ["12345", "98511200345678", "9851120034567890", "ABC-12*"])
def test_a_malformed_microchip_is_refused(world, vet_a, chip):
    owner = OwnerFactory(organization=world.org)

    with pytest.raises(ValidationFailed) as error:
        services.patient_create(
            actor=vet_a, client=owner, name="Rocky", species=species("dog"), microchip=chip
        )

    assert list(error.value.fields) == ["microchip"]
    assert Patient.objects.count() == 0


def test_a_duplicate_microchip_is_a_conflict_naming_the_patient_and_writes_nothing(world, vet_a):
    holder = PatientFactory(
        client__organization=world.org, name="Canela", microchip="985112003456789"
    )
    owner = OwnerFactory(organization=world.org)
    events_before = AuditEvent.objects.count()

    with pytest.raises(Conflict) as error:
        services.patient_create(
            actor=vet_a, client=owner, name="Chispa", species=species("dog"),
            microchip="985 112 003 456 789",
        )  # fmt: skip

    assert error.value.code == "microchip_taken"
    assert error.value.extra == {"patient": {"id": str(holder.pk), "name": "Canela"}}
    assert "Canela" in error.value.message
    assert list(Patient.objects.values_list("name", flat=True)) == ["Canela"]
    assert AuditEvent.objects.count() == events_before


def test_the_same_microchip_may_exist_in_another_organization(world, vet_a):
    PatientFactory(client__organization=world.other_org, microchip="985112003456789")
    owner = OwnerFactory(organization=world.org)

    patient = services.patient_create(
        actor=vet_a, client=owner, name="Max", species=species("dog"), microchip="985112003456789"
    )

    assert Patient.objects.filter(microchip="985112003456789").count() == 2
    assert patient.organization_id == world.org.pk


def test_a_breed_of_another_species_is_refused(world, vet_a):
    owner = OwnerFactory(organization=world.org)

    with pytest.raises(ValidationFailed) as error:
        services.patient_create(
            actor=vet_a, client=owner, name="Michi", species=species("cat"),
            breed=breed("dog", "Beagle"),
        )  # fmt: skip

    assert error.value.fields == {"breed": ["Beagle is not a breed of Cat."]}
    assert Patient.objects.count() == 0


def test_an_estimated_age_becomes_an_estimated_birth_date(world, vet_a, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2025, 3, 31))
    owner = OwnerFactory(organization=world.org)

    patient = services.patient_create(
        actor=vet_a, client=owner, name="Pelusa", species=species("cat"), age_years=3, age_months=1
    )

    assert patient.birth_date == dt.date(2022, 2, 28)
    assert patient.birth_date_is_estimated is True
    assert patient.age is not None
    assert (patient.age.years, patient.age.months) == (3, 1)
    assert patient.age.text == "≈ 3 years 1 month"


def test_age_in_words_and_numbers():
    age = Age.between(dt.date(2021, 1, 15), dt.date(2024, 3, 20))
    young = Age.between(dt.date(2025, 3, 1), dt.date(2025, 3, 20))

    assert age.as_dict() == {
        "years": 3, "months": 2, "days": 5, "is_estimated": False, "text": "3 years 2 months",
    }  # fmt: skip
    assert young.text == "19 days"


def test_birth_date_in_the_future_is_refused(world, vet_a):
    owner = OwnerFactory(organization=world.org)

    with pytest.raises(ValidationFailed) as error:
        services.patient_create(
            actor=vet_a, client=owner, name="Toby", species=species("dog"),
            birth_date=timezone.localdate() + dt.timedelta(days=1),
        )  # fmt: skip

    assert error.value.fields == {"birth_date": ["The birth date cannot be in the future."]}


def test_someone_without_patients_manage_cannot_register(world):
    from vetrisys.accounts.tests.factories import make_staff

    cashier = make_staff(location=world.location_a, role="cashier", username="cashier_a")
    owner = OwnerFactory(organization=world.org)

    with pytest.raises(NotAllowed):
        services.patient_create(actor=cashier, client=owner, name="Rocky", species=species("dog"))

    assert Patient.objects.count() == 0


def test_an_owner_of_another_organization_is_refused(world, vet_a):
    foreign_owner = OwnerFactory(organization=world.other_org)

    with pytest.raises(ValidationFailed) as error:
        services.patient_create(
            actor=vet_a, client=foreign_owner, name="Rocky", species=species("dog")
        )

    assert error.value.fields == {"client": ["Choose an owner."]}


def test_update_records_only_what_changed(world, vet_a):
    patient = PatientFactory(client__organization=world.org, name="Rocky", color="")

    services.patient_update(actor=vet_a, patient=patient, color="marrón con blanco", name="Rocky")

    [event] = _events("patient.update")
    assert event.changes == {"color": ["", "marrón con blanco"]}
    assert patient.version == 2


def test_transfer_moves_the_patient_and_is_audited(world, receptionist_a):
    patient = PatientFactory(client__organization=world.org)
    previous = patient.client
    new_owner = OwnerFactory(organization=world.org)

    services.patient_transfer(
        actor=receptionist_a, patient=patient, client=new_owner, reason="Adopción"
    )

    patient.refresh_from_db()
    assert patient.client_id == new_owner.pk
    transfer = OwnershipTransfer.objects.get()
    assert (transfer.from_client_id, transfer.to_client_id) == (previous.pk, new_owner.pk)
    [event] = _events("patient.transfer")
    assert event.changes == {
        "client": [str(previous.pk), str(new_owner.pk)],
        "reason": "Adopción",
    }


def test_transfer_to_an_owner_of_another_organization_changes_nothing(world, receptionist_a):
    patient = PatientFactory(client__organization=world.org)
    previous = patient.client_id

    with pytest.raises(ValidationFailed):
        services.patient_transfer(
            actor=receptionist_a,
            patient=patient,
            client=OwnerFactory(organization=world.other_org),
        )

    patient.refresh_from_db()
    assert patient.client_id == previous
    assert OwnershipTransfer.objects.count() == 0


def test_mark_deceased_once(world, vet_a):
    patient = PatientFactory(client__organization=world.org)
    today = timezone.localdate()

    services.patient_mark_deceased(actor=vet_a, patient=patient, deceased_on=today)
    with pytest.raises(Conflict) as error:
        services.patient_mark_deceased(actor=vet_a, patient=patient, deceased_on=today)

    patient.refresh_from_db()
    assert patient.is_deceased is True
    assert patient.deceased_on == today
    assert error.value.code == "already_deceased"
    assert len(_events("patient.deceased")) == 1


# ---------------------------------------------------------------- weights


def test_pounds_are_converted_to_kilograms_exactly(world, vet_a):
    patient = PatientFactory(client__organization=world.org)

    weight = services.weight_record_add(actor=vet_a, patient=patient, value="10", unit="lb")

    weight.refresh_from_db()
    assert weight.weight_kg == Decimal("4.536")  # 4.5359237 rounded half-up
    assert (weight.entered_value, weight.entered_unit) == (Decimal("10.000"), "lb")


def test_the_half_gram_rounds_up():
    assert services.weight_to_kg(Decimal("1.0005"), "kg") == Decimal("1.001")
    assert services.weight_to_kg(Decimal("2.5"), "lb") == Decimal("1.134")  # 1.133980925


@pytest.mark.parametrize(
    ("value", "unit"),
    [("0", "kg"), ("-2", "kg"), ("1500.001", "kg"), ("3307", "lb"), ("0.0011", "lb")],
)
def test_an_implausible_weight_is_refused(world, vet_a, value, unit):
    patient = PatientFactory(client__organization=world.org)

    with pytest.raises(ValidationFailed) as error:
        services.weight_record_add(actor=vet_a, patient=patient, value=value, unit=unit)

    assert error.value.fields == {"weight": ["A weight must be above 0 and at most 1500 kg."]}
    assert WeightRecord.objects.count() == 0


def test_a_naive_or_future_measurement_time_is_refused(world, vet_a):
    patient = PatientFactory(client__organization=world.org)

    with pytest.raises(ValidationFailed) as naive:
        services.weight_record_add(
            actor=vet_a,
            patient=patient,
            value="5",
            measured_at=dt.datetime(2025, 1, 1, 10),  # noqa: DTZ001
        )
    with pytest.raises(ValidationFailed) as future:
        services.weight_record_add(
            actor=vet_a,
            patient=patient,
            value="5",
            measured_at=timezone.now() + dt.timedelta(days=1),
        )

    assert list(naive.value.fields) == ["measured_at"]
    assert future.value.fields == {"measured_at": ["The time cannot be in the future."]}
    assert WeightRecord.objects.count() == 0


def test_the_latest_weight_is_the_patients_weight(world, vet_a):
    patient = PatientFactory(client__organization=world.org)
    now = timezone.now()
    services.weight_record_add(actor=vet_a, patient=patient, value="12.3", measured_at=now)
    services.weight_record_add(
        actor=vet_a, patient=patient, value="9", measured_at=now - dt.timedelta(days=30)
    )

    assert Patient.objects.get(pk=patient.pk).weight_kg == Decimal("12.300")


# ---------------------------------------------------------------- attachments


def _stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def test_an_upload_is_stored_with_its_sniffed_type_and_hash(world, vet_a, media_root):
    patient = PatientFactory(client__organization=world.org)
    upload = SimpleUploadedFile("../../etc/análisis.exe", PDF, content_type="image/png")

    attachment = services.attachment_upload(
        actor=vet_a, patient=patient, file=upload, kind="lab", description="Hemograma"
    )

    attachment.refresh_from_db()
    assert attachment.content_type == "application/pdf"
    assert attachment.original_name == "análisis.exe"
    assert attachment.size == len(PDF)
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    [stored] = _stored_files(media_root)
    assert stored.read_bytes() == PDF
    assert stored.suffix == ".pdf"
    assert _events("attachment.upload")[0].changes["content_type"] == "application/pdf"


def test_a_photo_becomes_the_patients_photo(world, vet_a):
    patient = PatientFactory(client__organization=world.org)

    photo = services.attachment_upload(
        actor=vet_a,
        patient=patient,
        file=SimpleUploadedFile("rocky.png", PNG),
        kind="photo",
    )

    patient.refresh_from_db()
    assert patient.photo_id == photo.pk


def test_a_too_large_upload_is_refused_and_leaves_no_file(world, vet_a, media_root, settings: Any):
    settings.ATTACHMENT_MAX_BYTES = 1024
    patient = PatientFactory(client__organization=world.org)

    with pytest.raises(ValidationFailed) as error:
        services.attachment_upload(
            actor=vet_a,
            patient=patient,
            file=SimpleUploadedFile("big.pdf", PDF + b"0" * 2000),
            kind="lab",
        )

    assert list(error.value.fields) == ["file"]
    assert error.value.fields["file"][0].startswith("The file is too large")
    assert Attachment.objects.count() == 0
    assert _stored_files(media_root) == []


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "document"),  # a Windows program
        (b"PK\x03\x04\x14\x00\x00\x00", "document"),  # a zip
        (PDF, "photo"),  # a photo must be an image
    ],
)
def test_a_refused_type_is_refused_and_leaves_no_file(world, vet_a, media_root, content, kind):
    patient = PatientFactory(client__organization=world.org)

    with pytest.raises(ValidationFailed) as error:
        services.attachment_upload(
            actor=vet_a, patient=patient, file=SimpleUploadedFile("x.pdf", content), kind=kind
        )

    assert list(error.value.fields) == ["file"]
    assert Attachment.objects.count() == 0
    assert _stored_files(media_root) == []


def test_a_failed_write_removes_the_stored_file(world, vet_a, media_root, monkeypatch):
    patient = PatientFactory(client__organization=world.org)

    def broken_record(**kwargs: object) -> None:
        raise RuntimeError("audit down")

    monkeypatch.setattr(services, "record", broken_record)
    with pytest.raises(RuntimeError):
        services.attachment_upload(
            actor=vet_a, patient=patient, file=SimpleUploadedFile("a.pdf", PDF), kind="lab"
        )

    assert Attachment.objects.count() == 0
    assert _stored_files(media_root) == []


def test_dicom_and_plain_text_are_recognized():
    from vetrisys.patients import files

    assert files.sniff(b"\x00" * 128 + b"DICM" + b"\x02\x00") == "application/dicom"
    assert files.sniff(b"Glucosa: 110 mg/dl\n") == "text/plain"
    assert files.sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert files.sniff(b"\x00\x01\x02") is None


# ---------------------------------------------------------------- reference data and notes


def test_staff_add_species_and_breeds_of_their_own(world, vet_a: User, outsider: User):
    alpaca = services.species_create(actor=vet_a, name_es="Alpaca", name_en="Alpaca")
    suri = services.breed_create(actor=vet_a, species=alpaca, name_es="Suri", name_en="Suri")

    assert (alpaca.code, alpaca.organization_id) == ("alpaca", world.org.pk)
    assert (suri.species_id, suri.organization_id) == (alpaca.pk, world.org.pk)
    with pytest.raises(Conflict):
        services.species_create(actor=vet_a, name_es="Perro", name_en="Dog")
    # Another organization may add its own alpaca.
    assert services.species_create(actor=outsider, name_es="Alpaca", name_en="Alpaca").pk


def test_a_note_is_written_and_audited(world, vet_a):
    patient = PatientFactory(client__organization=world.org)

    note = services.note_add(actor=vet_a, patient=patient, text="  Muy nervioso en consulta. ")

    assert note.text == "Muy nervioso en consulta."
    assert _events("patient.note_add")[0].changes == {"note": str(note.pk)}
