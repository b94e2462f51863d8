import json
from decimal import Decimal
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client as HttpClient
from django.utils import translation

from vetrisys.accounts.models import User
from vetrisys.core.errors import ValidationFailed
from vetrisys.pharmacy import documents, services
from vetrisys.pharmacy.models import Prescription
from vetrisys.vaccinations.tests.conftest import open_visit, sign

API = "/api/v1"


def _as(user: User | None) -> HttpClient:
    http = HttpClient()
    if user is not None:
        http.force_login(user)
    return http


def _post(http: HttpClient, path: str, body: dict[str, Any]) -> Any:
    return http.post(f"{API}{path}", json.dumps(body, default=str), content_type="application/json")


def _body(visit, product, **changes: Any) -> dict[str, Any]:
    body = {
        "visit": str(visit.pk), "product": str(product.pk), "dose": "1 tablet (250 mg)",
        "route": "oral", "frequency": "every 12 hours", "duration_days": 7, "quantity": "14",
        "refills": 0, "instructions": "Give with food.",
    }  # fmt: skip
    return {**body, **changes}


def _prescribe(actor, visit, product, **changes: Any) -> Prescription:
    fields = {k: v for k, v in _body(visit, product, **changes).items()
              if k not in ("visit", "product")}  # fmt: skip
    return services.prescription_create(actor=actor, visit=visit, product=product, **fields)


def test_a_vet_prescribes_on_an_open_visit_and_it_is_listed(vet_a, visit, amoxicillin):
    http = _as(vet_a)

    created = _post(http, "/prescriptions", _body(visit, amoxicillin))
    listed = http.get(f"{API}/prescriptions", {"visit": str(visit.pk)})

    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["dose"], body["route"], body["quantity"], body["status"]) == (
        "1 tablet (250 mg)", "oral", "14.000", "active",
    )  # fmt: skip
    assert (body["dispensed_quantity"], body["remaining_quantity"]) == ("0.000", "14.000")
    assert body["patient"] == str(visit.patient_id)
    assert [row["id"] for row in listed.json()["items"]] == [body["id"]]


def test_missing_dose_and_quantity_answer_422_with_the_fields(vet_a, visit, amoxicillin):
    response = _post(_as(vet_a), "/prescriptions",
                     _body(visit, amoxicillin, dose="", quantity=None))  # fmt: skip

    assert response.status_code == 422
    assert sorted(response.json()["extra"]["fields"]) == ["dose", "quantity"]
    assert Prescription.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"quantity": "0"}, ["quantity"]),
        ({"quantity": "-2"}, ["quantity"]),
        ({"route": "by magic", "frequency": ""}, ["frequency", "route"]),
        ({"duration_days": 0, "refills": -1}, ["duration_days", "refills"]),
    ],
)
def test_bad_values_are_refused_field_by_field(vet_a, visit, amoxicillin, changes, fields):
    with pytest.raises(ValidationFailed) as error:
        _prescribe(vet_a, visit, amoxicillin, **changes)

    assert sorted(error.value.fields) == fields
    assert Prescription.objects.count() == 0


def test_only_medications_are_prescribed(world, vet_a, visit):
    from vetrisys.inventory.models import Product
    from vetrisys.inventory.tests.factories import ProductFactory

    food = ProductFactory(organization=world.org, kind=Product.Kind.FOOD)

    with pytest.raises(ValidationFailed) as error:
        _prescribe(vet_a, visit, food)

    assert list(error.value.fields) == ["product"]


def test_a_signed_visit_refuses_a_prescription(vet_a, visit, amoxicillin):
    sign(visit, vet_a)

    response = _post(_as(vet_a), "/prescriptions", _body(visit, amoxicillin))

    assert response.status_code == 409
    assert response.json()["code"] == "visit_signed"
    assert Prescription.objects.count() == 0


@pytest.mark.parametrize(("who", "status"), [
    ("admin", 201), ("vet_a", 201), ("manager_a", 201), ("receptionist_a", 403),
    ("vet_b", 403), ("outsider", 404), (None, 401),
])  # fmt: skip
def test_who_may_prescribe(people, visit, amoxicillin, who, status):
    response = _post(_as(people[who] if who else None), "/prescriptions", _body(visit, amoxicillin))

    assert response.status_code == status, response.content
    assert Prescription.objects.count() == (1 if status == 201 else 0)


@pytest.mark.parametrize(("who", "status"), [
    ("vet_a", 200), ("vet_b", 200), ("receptionist_a", 403), ("outsider", 404),
])  # fmt: skip
def test_who_may_read_a_prescription(people, vet_a, visit, amoxicillin, who, status):
    prescription = _prescribe(vet_a, visit, amoxicillin)

    response = _as(people[who]).get(f"{API}/prescriptions/{prescription.pk}")

    assert response.status_code == status


def test_the_prescription_list_takes_a_fixed_number_of_queries(
    world, vet_a, patient, amoxicillin, django_assert_num_queries
):
    for _ in range(3):
        _prescribe(vet_a, open_visit(patient, world.location_a, vet_a), amoxicillin)
    http = _as(vet_a)
    http.get(f"{API}/prescriptions")  # warm the session

    # the request's own nine (session, user, location, MFA, capabilities, the session saved
    # in a savepoint), then the count and the page, whatever the number of rows
    with django_assert_num_queries(11):
        response = http.get(f"{API}/prescriptions")

    assert response.json()["count"] == 3


def test_the_prescription_and_its_label_are_pdfs_in_the_owners_language(vet_a, visit, amoxicillin):
    visit.patient.client.language = "en"
    visit.patient.client.save()
    prescription = _prescribe(vet_a, visit, amoxicillin)
    http = _as(vet_a)

    printed = http.get(f"{API}/prescriptions/{prescription.pk}/prescription.pdf")
    label = http.get(f"{API}/prescriptions/{prescription.pk}/label.pdf")
    context = documents.document_context(prescription)

    assert printed.status_code == 200
    assert printed.content.startswith(b"%PDF")
    assert label.content.startswith(b"%PDF")
    assert context["patient"].name == "Rocky"
    assert context["prescription"].quantity == Decimal("14.000")
    assert documents.document_language(prescription) == "en"
    with translation.override(documents.document_language(prescription)):
        html = render_to_string(documents.LABEL_TEMPLATE, context)
    assert "Rocky" in html
    assert "7 days" in html
