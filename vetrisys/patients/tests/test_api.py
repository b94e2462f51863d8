import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.utils import timezone

from vetrisys.accounts.models import User
from vetrisys.accounts.tests.factories import make_staff
from vetrisys.audit.models import AuditEvent
from vetrisys.patients import services, timeline
from vetrisys.patients.models import Attachment, Patient, WeightRecord
from vetrisys.patients.tests.factories import OwnerFactory, PatientFactory, breed, species

API = "/api/v1"
PDF = b"%PDF-1.7\n%%EOF\n"


def _as(user: User | None) -> HttpClient:
    http = HttpClient()
    if user is not None:
        http.force_login(user)
    return http


def _post(http: HttpClient, path: str, body: dict[str, Any]) -> Any:
    return http.post(f"{API}{path}", json.dumps(body), content_type="application/json")


def _patch(http: HttpClient, path: str, body: dict[str, Any]) -> Any:
    return http.patch(f"{API}{path}", json.dumps(body), content_type="application/json")


@pytest.fixture
def cashier_a(world) -> User:
    """Sees patients but may not change them."""
    return make_staff(location=world.location_a, role="cashier", username="cashier_a")


@pytest.fixture
def everyone(people: dict[str, User], cashier_a: User) -> dict[str, User]:
    return {**people, "cashier_a": cashier_a}


@pytest.fixture
def rocky(world) -> Patient:
    return PatientFactory(
        client__organization=world.org,
        client__first_name="José",
        client__last_name="Quispe",
        name="Rocky",
        microchip="985112003456789",
        birth_date=dt.date(2020, 5, 1),
    )


# ---------------------------------------------------------------- the permission matrix

READ_STATUS = {
    "admin": 200, "manager_a": 200, "vet_a": 200, "receptionist_a": 200, "vet_b": 200,
    "cashier_a": 200, "outsider": 404,
}  # fmt: skip
WRITE_STATUS = {
    "admin": 201, "manager_a": 201, "vet_a": 201, "receptionist_a": 201, "vet_b": 201,
    "cashier_a": 403, "outsider": 404,
}  # fmt: skip


@pytest.mark.parametrize("name", list(READ_STATUS))
def test_reading_a_patient(everyone, rocky, name):
    response = _as(everyone[name]).get(f"{API}/patients/{rocky.pk}")

    assert response.status_code == READ_STATUS[name]
    if response.status_code == 200:
        assert response.json()["name"] == "Rocky"


@pytest.mark.parametrize("name", list(WRITE_STATUS))
def test_recording_a_weight(everyone, rocky, name):
    response = _post(_as(everyone[name]), f"/patients/{rocky.pk}/weights", {"weight_kg": "12.5"})

    assert response.status_code == WRITE_STATUS[name]
    expected = 1 if response.status_code == 201 else 0
    assert WeightRecord.objects.count() == expected


@pytest.mark.parametrize("name", list(WRITE_STATUS))
def test_editing_a_patient(everyone, rocky, name):
    response = _patch(_as(everyone[name]), f"/patients/{rocky.pk}", {"color": "negro"})

    assert response.status_code == {201: 200}.get(WRITE_STATUS[name], WRITE_STATUS[name])
    rocky.refresh_from_db()
    assert rocky.color == ("negro" if response.status_code == 200 else "")


@pytest.mark.parametrize("name", list(WRITE_STATUS))
def test_registering_a_patient(everyone, world, name):
    owner = OwnerFactory(organization=world.org)

    response = _post(
        _as(everyone[name]),
        "/patients",
        {"client": str(owner.pk), "name": "Chispa", "species": "cat"},
    )

    # An owner of another organization is not one the outsider may name: a field error.
    expected = {"outsider": 422}.get(name, WRITE_STATUS[name])
    assert response.status_code == expected
    assert Patient.objects.count() == (1 if expected == 201 else 0)


def test_anonymous_requests_are_refused(rocky):
    assert _as(None).get(f"{API}/patients").status_code == 401
    assert _as(None).get(f"{API}/patients/{rocky.pk}/history").status_code == 401


# ---------------------------------------------------------------- patients


def test_register_with_species_code_breed_and_estimated_age(world, vet_a):
    owner = OwnerFactory(organization=world.org)
    hairless = breed("dog", "Peruvian Hairless Dog")

    response = _post(
        _as(vet_a),
        "/patients",
        {
            "client": str(owner.pk), "name": "Kusi", "species": "dog", "breed": str(hairless.pk),
            "sex": "female", "neutered": True, "age_years": 2, "microchip": "985 112 003 456 789",
            "alerts": ["bites"], "allergies": "Penicilina",
        },
    )  # fmt: skip

    assert response.status_code == 201
    body = response.json()
    assert body["species"]["code"] == "dog"
    assert body["breed"]["id"] == str(hairless.pk)
    assert body["microchip"] == "985112003456789"
    assert body["age"]["years"] == 2
    assert body["age"]["months"] == 0
    assert body["age"]["is_estimated"] is True
    assert body["birth_date_is_estimated"] is True
    assert body["alerts"] == ["bites"]
    assert body["weight_kg"] is None
    assert body["client"] == {"id": str(owner.pk), "full_name": owner.full_name}


def test_duplicate_microchip_answers_409_naming_the_patient(world, vet_a, rocky):
    owner = OwnerFactory(organization=world.org)

    response = _post(
        _as(vet_a),
        "/patients",
        {"client": str(owner.pk), "name": "Max", "species": "dog", "microchip": "985112003456789"},
    )

    assert response.status_code == 409
    assert response.json() == {
        "message": "The microchip is already registered to Rocky.",
        "code": "microchip_taken",
        "extra": {"patient": {"id": str(rocky.pk), "name": "Rocky"}},
    }
    assert Patient.objects.count() == 1


def test_invalid_fields_answer_422_with_field_messages(world, vet_a):
    owner = OwnerFactory(organization=world.org)

    response = _post(
        _as(vet_a),
        "/patients",
        {"client": str(owner.pk), "name": "", "species": "dragon", "microchip": "12"},
    )
    unknown_species = response.json()
    response_bad_chip = _post(
        _as(vet_a),
        "/patients",
        {"client": str(owner.pk), "name": "Max", "species": "dog", "microchip": "12"},
    )

    assert response.status_code == 422
    assert unknown_species["extra"]["fields"] == {"species": ["Choose a species."]}
    assert response_bad_chip.status_code == 422
    assert list(response_bad_chip.json()["extra"]["fields"]) == ["microchip"]
    assert Patient.objects.count() == 0


def test_patch_with_another_client_transfers(world, receptionist_a, rocky):
    new_owner = OwnerFactory(organization=world.org, first_name="Lucía", last_name="Mamani")

    response = _patch(_as(receptionist_a), f"/patients/{rocky.pk}", {"client": str(new_owner.pk)})

    assert response.status_code == 200
    assert response.json()["client"]["full_name"] == "Lucía Mamani"
    assert AuditEvent.objects.filter(action="patient.transfer").count() == 1


def test_transfer_and_deceased_endpoints(world, vet_a, rocky):
    new_owner = OwnerFactory(organization=world.org)
    http = _as(vet_a)

    transferred = _post(http, f"/patients/{rocky.pk}/transfer", {"client": str(new_owner.pk)})
    deceased = _post(
        http, f"/patients/{rocky.pk}/deceased", {"deceased_on": timezone.localdate().isoformat()}
    )
    again = _post(
        http, f"/patients/{rocky.pk}/deceased", {"deceased_on": timezone.localdate().isoformat()}
    )

    assert transferred.status_code == 200
    assert transferred.json()["client"]["id"] == str(new_owner.pk)
    assert deceased.status_code == 200
    assert deceased.json()["is_deceased"] is True
    assert again.status_code == 409


def test_list_filters_by_query_client_and_species(world, vet_a, rocky):
    luna = PatientFactory(client__organization=world.org, name="Luna", species=species("cat"))
    PatientFactory(client__organization=world.other_org, name="Luna")

    by_name = _as(vet_a).get(f"{API}/patients", {"q": "LÚNA"}).json()
    by_species = _as(vet_a).get(f"{API}/patients", {"species": "cat"}).json()
    by_client = _as(vet_a).get(f"{API}/patients", {"client": str(rocky.client_id)}).json()

    assert [p["id"] for p in by_name["items"]] == [str(luna.pk)]
    assert by_name["count"] == 1
    assert [p["name"] for p in by_species["items"]] == ["Luna"]
    assert [p["name"] for p in by_client["items"]] == ["Rocky"]


# ---------------------------------------------------------------- weights


def test_weights_in_pounds_and_naive_times(vet_a, rocky):
    http = _as(vet_a)

    pounds = _post(
        http,
        f"/patients/{rocky.pk}/weights",
        {"weight_lb": "22", "measured_at": "2025-01-10T09:30:00-05:00"},
    )
    naive = _post(
        http,
        f"/patients/{rocky.pk}/weights",
        {"weight_kg": "10", "measured_at": "2025-01-10T09:30:00"},
    )
    both = _post(http, f"/patients/{rocky.pk}/weights", {"weight_kg": "10", "weight_lb": "22"})
    too_heavy = _post(http, f"/patients/{rocky.pk}/weights", {"weight_kg": "1600"})
    listed = http.get(f"{API}/patients/{rocky.pk}/weights").json()
    patient = http.get(f"{API}/patients/{rocky.pk}").json()

    assert pounds.status_code == 201
    assert pounds.json()["weight_kg"] == "9.979"  # 22 x 0.45359237 = 9.97903214
    assert pounds.json()["entered_unit"] == "lb"
    assert dt.datetime.fromisoformat(pounds.json()["measured_at"]) == dt.datetime(
        2025, 1, 10, 14, 30, tzinfo=dt.UTC
    )
    assert naive.status_code == 422
    assert list(naive.json()["extra"]["fields"]) == ["measured_at"]
    assert both.status_code == 422
    assert too_heavy.status_code == 422
    assert too_heavy.json()["extra"]["fields"] == {
        "weight": ["A weight must be above 0 and at most 1500 kg."]
    }
    assert listed["count"] == 1
    assert patient["weight_kg"] == "9.979"


# ---------------------------------------------------------------- attachments


def _upload(http: HttpClient, patient: Patient, content: bytes, kind: str = "lab") -> Any:
    return http.post(
        f"{API}/patients/{patient.pk}/attachments",
        {"file": SimpleUploadedFile("hemograma.pdf", content), "kind": kind, "description": "x"},
    )


def test_upload_list_and_download(vet_a, rocky, media_root: Path):
    http = _as(vet_a)

    uploaded = _upload(http, rocky, PDF)
    listed = http.get(f"{API}/patients/{rocky.pk}/attachments").json()
    download = http.get(uploaded.json()["download_url"])

    assert uploaded.status_code == 201
    assert uploaded.json()["content_type"] == "application/pdf"
    assert uploaded.json()["original_name"] == "hemograma.pdf"
    assert listed["count"] == 1
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="hemograma.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(action="attachment.download").count() == 1


def test_upload_refusals_are_422_and_leave_nothing(vet_a, rocky, media_root: Path, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    http = _as(vet_a)

    too_big = _upload(http, rocky, PDF + b"0" * 4096)
    wrong_type = _upload(http, rocky, b"MZ\x90\x00 not a document")
    no_file = http.post(f"{API}/patients/{rocky.pk}/attachments", {"kind": "lab"})

    assert too_big.status_code == 422
    assert too_big.json()["extra"]["fields"]["file"][0].startswith("The file is too large")
    assert wrong_type.status_code == 422
    assert wrong_type.json()["extra"]["fields"]["file"][0].startswith(
        "This type of file is not accepted."
    )
    assert no_file.status_code == 422
    assert Attachment.objects.count() == 0
    assert [p for p in media_root.rglob("*") if p.is_file()] == []


@pytest.mark.parametrize("name", ["outsider"])
def test_another_organizations_file_is_404(everyone, vet_a, rocky, name):
    attachment = services.attachment_upload(
        actor=vet_a, patient=rocky, file=SimpleUploadedFile("a.pdf", PDF), kind="lab"
    )
    http = _as(everyone[name])

    assert http.get(f"{API}/attachments/{attachment.pk}/download").status_code == 404
    assert http.get(f"{API}/patients/{rocky.pk}/attachments").status_code == 404
    assert _upload(http, rocky, PDF).status_code == 404
    assert Attachment.objects.count() == 1


def test_another_organizations_patient_is_404_everywhere(outsider, rocky):
    http = _as(outsider)

    paths = ["", "/weights", "/attachments", "/history", "/notes"]
    statuses = [http.get(f"{API}/patients/{rocky.pk}{path}").status_code for path in paths]
    patched = _patch(http, f"/patients/{rocky.pk}", {"name": "Robado"})
    listed = http.get(f"{API}/patients").json()

    assert statuses == [404] * len(paths)
    assert patched.status_code == 404
    assert listed == {"items": [], "count": 0}
    rocky.refresh_from_db()
    assert rocky.name == "Rocky"


# ---------------------------------------------------------------- history, species, search


def test_history_merges_newest_first(vet_a, rocky):
    now = timezone.now()
    services.weight_record_add(
        actor=vet_a, patient=rocky, value="10", measured_at=now - dt.timedelta(days=2)
    )
    services.note_add(actor=vet_a, patient=rocky, text="Control anual")

    body = _as(vet_a).get(f"{API}/patients/{rocky.pk}/history").json()
    page = _as(vet_a).get(f"{API}/patients/{rocky.pk}/history", {"limit": 1, "offset": 1}).json()

    assert [item["kind"] for item in body["items"]] == ["note", "registration", "weight"]
    assert body["items"][0]["detail"] == "Control anual"
    assert body["items"][2]["detail"] == "10 kg"
    assert body["count"] == 3
    assert page["count"] == 3
    assert [item["kind"] for item in page["items"]] == [body["items"][1]["kind"]]


def test_species_and_breeds(world, vet_a, cashier_a):
    http = _as(vet_a)

    listed = http.get(f"{API}/species", {"limit": 200}).json()
    created = _post(http, "/species", {"name_es": "Alpaca", "name_en": "Alpaca"})
    breed_created = _post(http, f"/species/{created.json()['id']}/breeds", {"name_es": "Huacaya"})
    dog = next(s for s in listed["items"] if s["code"] == "dog")
    dog_breeds = http.get(f"{API}/species/{dog['id']}/breeds", {"limit": 200}).json()
    refused = _post(_as(cashier_a), "/species", {"name_es": "Llama"})

    assert {s["code"] for s in listed["items"]} >= {"dog", "cat", "guinea_pig", "rabbit"}
    assert created.status_code == 201
    assert created.json()["is_global"] is False
    assert breed_created.status_code == 201
    assert breed_created.json()["name_en"] == "Huacaya"
    assert "Peruvian Hairless Dog" in {b["name_en"] for b in dog_breeds["items"]}
    assert refused.status_code == 403


# ---------------------------------------------------------------- query counts


def _make_patients(world, vet_a: User, count: int) -> Patient:
    first = None
    for index in range(count):
        patient = PatientFactory(client__organization=world.org, name=f"Mascota {index}")
        services.weight_record_add(actor=vet_a, patient=patient, value="5")
        first = first or patient
    assert first is not None
    return first


@pytest.mark.parametrize("count", [3, 10])
def test_patient_list_query_count_does_not_grow(world, vet_a, count, django_assert_num_queries):
    _make_patients(world, vet_a, count)
    http = _as(vet_a)
    http.get(f"{API}/patients")  # warm the session

    with django_assert_num_queries(11):
        response = http.get(f"{API}/patients")

    assert response.json()["count"] == count


@pytest.mark.parametrize("count", [3, 10])
def test_record_list_query_counts_do_not_grow(
    world, vet_a, count, django_assert_num_queries, monkeypatch
):
    # The history sources other apps register pin their own queries.
    own = {"life", "transfer", "weight", "attachment", "note"}
    monkeypatch.setattr(
        timeline, "_SOURCES", {k: s for k, s in timeline._SOURCES.items() if k in own}
    )
    patient = PatientFactory(client__organization=world.org)
    for index in range(count):
        services.weight_record_add(actor=vet_a, patient=patient, value=str(index + 1))
        services.note_add(actor=vet_a, patient=patient, text=f"nota {index}")
        services.attachment_upload(
            actor=vet_a, patient=patient, file=SimpleUploadedFile("a.pdf", PDF), kind="lab"
        )
    http = _as(vet_a)
    http.get(f"{API}/patients/{patient.pk}")

    for path in ("weights", "attachments", "notes"):
        with django_assert_num_queries(12):
            response = http.get(f"{API}/patients/{patient.pk}/{path}")
        assert response.json()["count"] == count
    with django_assert_num_queries(14):
        history = http.get(f"{API}/patients/{patient.pk}/history").json()
    assert history["count"] == 3 * count + 1
    # A full page also counts each source: one more query per source, whatever its size.
    with django_assert_num_queries(17):
        page = http.get(f"{API}/patients/{patient.pk}/history", {"limit": 2}).json()
    assert page["count"] == 3 * count + 1
    assert len(page["items"]) == 2


@pytest.mark.parametrize("count", [3, 10])
def test_species_list_query_count_does_not_grow(world, vet_a, count, django_assert_num_queries):
    for index in range(count):
        services.species_create(actor=vet_a, name_es=f"Especie {index}", name_en=f"Kind {index}")
    http = _as(vet_a)
    http.get(f"{API}/species")

    with django_assert_num_queries(11):
        response = http.get(f"{API}/species", {"limit": 200})

    assert response.json()["count"] == 10 + count
