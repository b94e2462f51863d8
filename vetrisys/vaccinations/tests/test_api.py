import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client as HttpClient

from vetrisys.accounts.models import User
from vetrisys.core.timeutil import today_in
from vetrisys.inventory.tests.factories import receive
from vetrisys.vaccinations import documents, services
from vetrisys.vaccinations.models import Vaccination

API = "/api/v1"


def _as(user: User | None) -> HttpClient:
    http = HttpClient()
    if user is not None:
        http.force_login(user)
    return http


def _post(http: HttpClient, path: str, body: dict[str, Any]) -> Any:
    return http.post(f"{API}{path}", json.dumps(body, default=str), content_type="application/json")


def _body(world, patient, product, **changes: Any) -> dict[str, Any]:
    body = {
        "patient": str(patient.pk), "product": str(product.pk), "lot": "A123",
        "administered_on": "2025-02-26", "location": str(world.location_a.pk),
    }  # fmt: skip
    return {**body, **changes}


def test_a_vet_records_a_vaccination_from_stock_and_lists_it(world, vet_a, admin, puppy, dhpp):
    receive(admin, world.location_a, dhpp, 3, lot="V-9", expires_on=dt.date(2099, 6, 30))
    http = _as(vet_a)

    created = _post(http, "/vaccinations", _body(world, puppy, dhpp, lot="V-9", site="neck"))
    listed = http.get(f"{API}/vaccinations", {"patient": str(puppy.pk)})

    assert created.status_code == 201, created.content
    body = created.json()
    assert (
        body["lot_number"],
        body["lot_expires_on"],
        body["dose_number"],
        body["next_due_on"],
    ) == (
        "V-9",
        "2099-06-30",
        1,
        "2025-03-26",
    )
    assert body["protocol_name"] == "DHPP (distemper, adenovirus, parvovirus)"
    assert listed.json()["count"] == 1
    assert listed.json()["items"][0]["id"] == body["id"]


def test_an_expired_lot_answers_409(world, vet_a, puppy, dhpp):
    response = _post(_as(vet_a), "/vaccinations",
                     _body(world, puppy, dhpp, lot_expires_on="2025-01-01"))  # fmt: skip

    assert response.status_code == 409
    assert response.json()["code"] == "lot_expired"
    assert Vaccination.objects.count() == 0


def test_a_future_date_answers_422_with_the_field(world, vet_a, puppy, dhpp):
    future = today_in("America/Lima") + dt.timedelta(days=5)

    response = _post(_as(vet_a), "/vaccinations", _body(world, puppy, dhpp, administered_on=future))

    assert response.status_code == 422
    assert list(response.json()["extra"]["fields"]) == ["administered_on"]


@pytest.mark.parametrize(("who", "status"), [
    ("admin", 201), ("vet_a", 201), ("manager_a", 201), ("receptionist_a", 403),
    ("vet_b", 404), ("outsider", 404), (None, 401),
])  # fmt: skip
def test_who_may_record_a_vaccination(world, people, puppy, dhpp, who, status):
    actor = people[who] if who else None

    response = _post(_as(actor), "/vaccinations", _body(world, puppy, dhpp))

    assert response.status_code == status, response.content
    assert Vaccination.objects.count() == (1 if status == 201 else 0)


@pytest.mark.parametrize(("who", "status"), [
    ("vet_a", 200), ("vet_b", 200), ("receptionist_a", 403), ("outsider", 200),
])  # fmt: skip
def test_who_may_read_vaccinations(world, people, vet_a, puppy, dhpp, who, status):
    services.vaccination_record(actor=vet_a, patient=puppy, product=dhpp,
                                location=world.location_a, administered_on=dt.date(2025, 2, 26),
                                lot="A1")  # fmt: skip

    response = _as(people[who]).get(f"{API}/vaccinations")

    assert response.status_code == status
    if status == 200:
        assert response.json()["count"] == (0 if who == "outsider" else 1)


def test_vaccine_status_lists_each_vaccine_with_its_state(
    world, vet_a, receptionist_a, puppy, dhpp
):
    services.vaccination_record(actor=vet_a, patient=puppy, product=dhpp,
                                location=world.location_a, administered_on=dt.date(2025, 4, 23),
                                lot="A1")  # fmt: skip

    response = _as(receptionist_a).get(f"{API}/patients/{puppy.pk}/vaccine-status")

    assert response.status_code == 200
    rows = {row["vaccine"]: row for row in response.json()}
    assert rows["DHPP (distemper, adenovirus, parvovirus)"]["last_given_on"] == "2025-04-23"
    assert rows["DHPP (distemper, adenovirus, parvovirus)"]["next_due_on"] == "2026-04-23"
    assert rows["DHPP (distemper, adenovirus, parvovirus)"]["status"] == "overdue"
    assert rows["Rabies"]["status"] == "overdue"


def test_vaccine_status_of_another_organizations_patient_is_404(outsider, puppy):
    response = _as(outsider).get(f"{API}/patients/{puppy.pk}/vaccine-status")

    assert response.status_code == 404


def test_the_vaccination_list_takes_a_fixed_number_of_queries(
    world, vet_a, puppy, kitten, dhpp, rabies_vaccine, django_assert_num_queries
):
    for day in (dt.date(2025, 2, 26), dt.date(2025, 3, 26), dt.date(2025, 4, 23)):
        services.vaccination_record(
            actor=vet_a,
            patient=puppy,
            product=dhpp,
            location=world.location_a,
            administered_on=day,
            lot="A1",
        )
        services.vaccination_record(
            actor=vet_a, patient=kitten, product=rabies_vaccine, location=world.location_a,
            administered_on=day, lot="R1",
        )  # fmt: skip
    http = _as(vet_a)
    http.get(f"{API}/vaccinations")  # warm the session

    # the request's own nine (session, user, location, MFA, capabilities, the session saved
    # in a savepoint), then the count and the page, whatever the number of rows
    with django_assert_num_queries(11):
        response = http.get(f"{API}/vaccinations")

    assert response.json()["count"] == 6


def test_the_certificate_is_a_pdf_in_the_owners_language(world, vet_a, puppy, dhpp, settings):
    puppy.client.language = "en"
    puppy.client.save()
    services.vaccination_record(actor=vet_a, patient=puppy, product=dhpp,
                                location=world.location_a, administered_on=dt.date(2025, 2, 26),
                                lot="LOT-55")  # fmt: skip

    response = _as(vet_a).get(f"{API}/patients/{puppy.pk}/vaccination-certificate.pdf")
    context = documents.certificate_context(actor=vet_a, patient=puppy, location=None,
                                            today=dt.date(2025, 3, 1))  # fmt: skip

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert context["patient"].name == "Rocky"
    assert [v.lot_number for v in context["vaccinations"]] == ["LOT-55"]
    assert context["location"] == world.location_a
    assert documents.certificate_language(puppy) == "en"


def test_protocols_are_listed_and_a_vet_edits_one(world, vet_a, receptionist_a):
    listed = _as(vet_a).get(f"{API}/vaccine-protocols", {"species": "dog", "limit": 200})
    rabies = next(p for p in listed.json()["items"] if p["code"] == "dog-rabies")

    edited = _as(vet_a).patch(f"{API}/vaccine-protocols/{rabies['id']}",
                              json.dumps({"booster_interval_months": 24}),
                              content_type="application/json")  # fmt: skip
    refused = _as(receptionist_a).patch(f"{API}/vaccine-protocols/{rabies['id']}",
                                        json.dumps({"booster_interval_months": 6}),
                                        content_type="application/json")  # fmt: skip

    assert listed.json()["count"] == 4
    assert edited.status_code == 200, edited.content
    assert (edited.json()["booster_interval_months"], edited.json()["is_seeded"]) == (24, False)
    assert refused.status_code == 403
