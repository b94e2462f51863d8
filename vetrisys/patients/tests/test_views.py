from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse

from vetrisys.accounts.models import User
from vetrisys.accounts.tests.factories import make_staff
from vetrisys.clients.models import Client
from vetrisys.patients import services
from vetrisys.patients.models import Patient
from vetrisys.patients.tests.factories import PatientFactory, breed

PDF = b"%PDF-1.7\n%%EOF\n"


def _as(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


@pytest.fixture
def cashier_a(world) -> User:
    return make_staff(location=world.location_a, role="cashier", username="cashier_a")


@pytest.fixture
def rocky(world) -> Patient:
    return PatientFactory(
        client__organization=world.org, name="Rocky", alerts=["aggressive"], allergies="Penicilina"
    )


SCREEN_STATUS = {
    "admin": 200, "manager_a": 200, "vet_a": 200, "receptionist_a": 200, "vet_b": 200,
    "cashier_a": 200, "outsider": 404,
}  # fmt: skip


@pytest.mark.parametrize("name", list(SCREEN_STATUS))
@pytest.mark.parametrize("tab", ["overview", "weights", "attachments", "history", "notes"])
def test_patient_page_per_person(people, cashier_a, rocky, name, tab):
    everyone = {**people, "cashier_a": cashier_a}

    response = _as(everyone[name]).get(reverse("patients:detail", args=[rocky.pk]), {"tab": tab})

    assert response.status_code == SCREEN_STATUS[name]
    if response.status_code == 200:
        html = response.content.decode()
        assert "data-patient-alerts" in html  # the banner on every tab
        assert "Penicilina" in html


@pytest.mark.parametrize(
    ("name", "status"),
    [("admin", 200), ("receptionist_a", 200), ("vet_b", 200), ("cashier_a", 403)],
)
def test_register_family_page_per_person(people, cashier_a, name, status):
    everyone = {**people, "cashier_a": cashier_a}

    assert _as(everyone[name]).get(reverse("patients:register")).status_code == status


def test_the_list_search_and_species_pages_open(vet_a, rocky):
    http = _as(vet_a)

    listed = http.get(reverse("patients:list"), {"q": "rocky"})
    partial = http.get(reverse("patients:list"), {"q": "rocky"}, headers={"HX-Request": "true"})
    search = http.get(reverse("patients:search"), {"q": "Rocky"})
    species = http.get(reverse("patients:species"))

    assert listed.status_code == 200
    assert "Rocky" in listed.content.decode()
    assert partial.content.decode().lstrip().startswith('<div id="patient-results">')
    assert search.status_code == 200
    assert "Rocky" in search.content.decode()
    assert "Peruvian Hairless Dog" in species.content.decode()


def _family(pets: list[dict[str, Any]], **owner: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "owner-first_name": owner.get("first_name", "Carmen"),
        "owner-last_name": owner.get("last_name", "Huamán Ríos"),
        "owner-phone": owner.get("phone", "+51 987 654 321"),
        "owner-email": "",
        "owner-document_type": "dni",
        "owner-document_number": "",
        "owner-address": "",
        "pets-TOTAL_FORMS": str(len(pets)),
        "pets-INITIAL_FORMS": "0",
        "pets-MIN_NUM_FORMS": "1",
        "pets-MAX_NUM_FORMS": "10",
    }
    for index, pet in enumerate(pets):
        fields = {"sex": "unknown", "species": "dog", **pet}
        data.update({f"pets-{index}-{key}": value for key, value in fields.items()})
    return data


def test_register_family_creates_one_owner_and_every_pet(world, receptionist_a):
    mixed = breed("cat", "Mixed breed")

    response = _as(receptionist_a).post(
        reverse("patients:register"),
        _family(
            [
                {"name": "Firulais", "species": "dog", "age_years": "3"},
                {"name": "Michi", "species": "cat", "breed": str(mixed.pk), "sex": "female"},
            ]
        ),
    )

    owner = Client.objects.get()
    pets = list(Patient.objects.order_by("name"))
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:detail", args=[pets[0].pk])
    assert owner.full_name == "Carmen Huamán Ríos"
    assert [p.name for p in pets] == ["Firulais", "Michi"]
    assert {p.client_id for p in pets} == {owner.pk}
    assert pets[1].breed_id == mixed.pk
    assert pets[0].birth_date_is_estimated is True


def test_an_invalid_pet_creates_nothing(world, receptionist_a):
    response = _as(receptionist_a).post(
        reverse("patients:register"),
        _family(
            [
                {"name": "Firulais"},
                {"name": "Michi", "species": "cat", "breed": str(breed("dog", "Beagle").pk)},
            ]
        ),
    )

    assert response.status_code == 200
    assert "Beagle is not a breed of Cat." in response.content.decode()
    assert Client.objects.count() == 0
    assert Patient.objects.count() == 0


def test_a_taken_microchip_in_a_family_creates_nothing(world, receptionist_a):
    PatientFactory(client__organization=world.org, name="Canela", microchip="985112003456789")

    response = _as(receptionist_a).post(
        reverse("patients:register"),
        _family([{"name": "Firulais", "microchip": "985112003456789"}]),
    )

    assert response.status_code == 200
    assert "already registered to Canela" in response.content.decode()
    assert Client.objects.count() == 1  # Canela's owner only
    assert Patient.objects.count() == 1


def test_weight_upload_and_note_from_the_page(vet_a, rocky):
    http = _as(vet_a)

    http.post(reverse("patients:weight_add", args=[rocky.pk]), {"value": "22", "unit": "lb"})
    http.post(
        reverse("patients:attachment_upload", args=[rocky.pk]),
        {"file": SimpleUploadedFile("rx.pdf", PDF), "kind": "xray", "description": "Tórax"},
    )
    http.post(reverse("patients:note_add", args=[rocky.pk]), {"text": "Control"})
    weights_tab = http.get(reverse("patients:detail", args=[rocky.pk]), {"tab": "weights"})

    assert [str(w.weight_kg) for w in rocky.weights.all()] == ["9.979"]
    assert rocky.attachments.get().description == "Tórax"
    assert rocky.notes.get().text == "Control"
    assert 'id="weights-data"' in weights_tab.content.decode()


def test_download_of_another_organizations_file_is_404(vet_a, outsider, rocky):
    attachment = services.attachment_upload(
        actor=vet_a, patient=rocky, file=SimpleUploadedFile("a.pdf", PDF), kind="lab"
    )
    url = reverse("patients:attachment_download", args=[attachment.pk])

    assert _as(outsider).get(url).status_code == 404
    assert _as(vet_a).get(url).status_code == 200


def test_transfer_and_death_from_the_page(world, receptionist_a, rocky):
    new_owner = Client.objects.create(
        organization=world.org, first_name="Lucía", last_name="Mamani", search_name="lucia mamani"
    )
    http = _as(receptionist_a)

    found = http.get(reverse("patients:transfer", args=[rocky.pk]), {"q": "mamani"})
    http.post(reverse("patients:transfer", args=[rocky.pk]), {"client": str(new_owner.pk)})
    http.post(reverse("patients:deceased", args=[rocky.pk]), {"deceased_on": "2025-01-02"})

    rocky.refresh_from_db()
    assert "Lucía Mamani" in found.content.decode()
    assert rocky.client_id == new_owner.pk
    assert str(rocky.deceased_on) == "2025-01-02"


@pytest.mark.parametrize("count", [3, 10])
def test_list_page_query_count_does_not_grow(world, vet_a, count, django_assert_num_queries):
    for index in range(count):
        patient = PatientFactory(client__organization=world.org, name=f"Mascota {index}")
        services.weight_record_add(actor=vet_a, patient=patient, value="4.2")
    http = _as(vet_a)
    http.get(reverse("patients:list"))

    with django_assert_num_queries(12):
        response = http.get(reverse("patients:list"))

    assert response.content.decode().count('href="/patients/0') == count
