import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client as HttpClient

from vetrisys.audit.models import AuditEvent
from vetrisys.patients.models import WeightRecord
from vetrisys.records import panels, services
from vetrisys.records.models import (
    Addendum,
    DiagnosisTerm,
    LabResult,
    Problem,
    SoapNote,
    Visit,
    VisitDiagnosis,
    Vitals,
)

API = "/api/v1"


def _as(user):
    http = HttpClient()
    if user is not None:
        http.force_login(user)
    return http


def _post(http, path: str, body: Any, method: str = "post"):
    return getattr(http, method)(f"{API}{path}", json.dumps(body), content_type="application/json")


def test_sixty_or_more_coded_terms_are_seeded_in_both_languages(db):
    terms = DiagnosisTerm.objects.filter(organization__isnull=True)
    assert terms.count() >= 60
    otitis = terms.get(code="DX-EAR-001")
    assert (otitis.name_es, otitis.name_en) == ("Otitis externa", "Otitis externa")


def test_open_a_walk_in_visit_through_the_api(world, vet_a, rocky):
    response = _post(
        _as(vet_a),
        "/visits",
        {"patient": str(rocky.pk), "location": str(world.location_a.pk), "reason": "Cojea"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "open"
    assert body["vet"]["id"] == str(vet_a.pk)
    assert body["soap"]["version"] == 1
    assert body["prescriptions"] == []
    assert Visit.objects.get().client_id == rocky.client_id


OPEN_STATUS = {
    "admin": 201, "manager_a": 201, "vet_a": 201, "receptionist_a": 403, "vet_b": 404,
    "outsider": 404,
}  # fmt: skip


@pytest.mark.parametrize("name", list(OPEN_STATUS))
def test_opening_permission_matrix(people, world, rocky, name):
    response = _post(
        _as(people[name]),
        "/visits",
        {"patient": str(rocky.pk), "location": str(world.location_a.pk)},
    )
    assert response.status_code == OPEN_STATUS[name], response.content
    assert Visit.objects.count() == (1 if OPEN_STATUS[name] == 201 else 0)


READ_STATUS = {
    "admin": 200, "manager_a": 200, "vet_a": 200, "receptionist_a": 403, "vet_b": 200,
    "outsider": 404,
}  # fmt: skip


@pytest.mark.parametrize("name", list(READ_STATUS))
def test_reading_permission_matrix_and_audit_of_reads(people, visit, name):
    before = AuditEvent.objects.filter(action="records.visit.read").count()
    response = _as(people[name]).get(f"{API}/visits/{visit.pk}")
    assert response.status_code == READ_STATUS[name], response.content
    reads = AuditEvent.objects.filter(action="records.visit.read")
    assert reads.count() == before + (1 if READ_STATUS[name] == 200 else 0)
    if READ_STATUS[name] == 200:
        event = reads.latest("sequence")
        assert (event.actor_id, event.target_id) == (people[name].pk, str(visit.pk))


WRITE_STATUS = {
    "admin": 200, "manager_a": 200, "vet_a": 200, "receptionist_a": 403, "vet_b": 403,
    "outsider": 404,
}  # fmt: skip


@pytest.mark.parametrize("name", list(WRITE_STATUS))
def test_soap_write_permission_matrix(people, visit, name):
    response = _post(_as(people[name]), f"/visits/{visit.pk}/soap", {"subjective": "Vomita"}, "put")
    assert response.status_code == WRITE_STATUS[name], response.content
    expected = "Vomita" if WRITE_STATUS[name] == 200 else ""
    assert SoapNote.objects.get(visit=visit).subjective == expected


SIGN_STATUS = {
    "admin": 200, "manager_a": 403, "vet_a": 200, "receptionist_a": 403, "vet_b": 403,
    "outsider": 404,
}  # fmt: skip


@pytest.mark.parametrize("name", list(SIGN_STATUS))
def test_sign_permission_matrix(people, visit, name):
    response = _post(_as(people[name]), f"/visits/{visit.pk}/sign", {})
    assert response.status_code == SIGN_STATUS[name], response.content
    visit.refresh_from_db()
    assert visit.status == ("signed" if SIGN_STATUS[name] == 200 else "open")


def test_another_vet_of_the_location_cannot_sign(world, visit):
    from vetrisys.accounts.tests.factories import make_staff

    other = make_staff(location=world.location_a, role="vet", username="vet_a2")
    response = _post(_as(other), f"/visits/{visit.pk}/sign", {})
    assert response.status_code == 403
    assert response.json()["code"] == "not_visit_vet"


def test_stale_autosave_answers_409_and_keeps_the_newer_text(vet_a, visit):
    http = _as(vet_a)
    first = _post(http, f"/visits/{visit.pk}/soap", {"subjective": "A", "version": 1}, "put")
    assert first.status_code == 200
    assert first.json()["version"] == 2
    stale = _post(http, f"/visits/{visit.pk}/soap", {"subjective": "B", "version": 1}, "put")
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale"
    assert stale.json()["extra"] == {"version": 2}
    assert SoapNote.objects.get(visit=visit).subjective == "A"


def test_every_write_after_signing_answers_409_and_changes_nothing(vet_a, visit, rocky):
    services.soap_save(actor=vet_a, visit=visit, subjective="Antes")
    services.visit_sign(actor=vet_a, visit=visit)
    http = _as(vet_a)
    writes = [
        ("put", "soap", {"subjective": "Después"}),
        ("post", "vitals", {"weight_kg": "10.5"}),
        ("post", "diagnoses", {"term": "Otitis"}),
        ("post", "lab-results", {"test_name": "Hto", "value": "45"}),
        ("post", "sign", {}),
    ]
    for method, path, body in writes:
        response = _post(http, f"/visits/{visit.pk}/{path}", body, method)
        assert response.status_code == 409, (path, response.content)
        assert response.json()["code"] == "visit_signed"
    assert SoapNote.objects.get(visit=visit).subjective == "Antes"
    assert Vitals.objects.count() == 0
    assert VisitDiagnosis.objects.count() == 0
    assert LabResult.objects.count() == 0
    assert WeightRecord.objects.filter(patient=rocky).count() == 0
    addendum = _post(http, f"/visits/{visit.pk}/addenda", {"text": "Llamó el dueño: mejor."})
    assert addendum.status_code == 201
    assert Addendum.objects.get().text == "Llamó el dueño: mejor."


def test_addendum_on_an_open_visit_is_refused(vet_a, visit):
    response = _post(_as(vet_a), f"/visits/{visit.pk}/addenda", {"text": "x"})
    assert response.status_code == 409
    assert response.json()["code"] == "visit_open"


def test_vitals_are_flagged_for_the_species_and_feed_the_weight_history(vet_a, visit, rocky):
    response = _post(
        _as(vet_a),
        f"/visits/{visit.pk}/vitals",
        {
            "weight_kg": "12.4",
            "temperature_c": "40.1",
            "heart_rate": 50,
            "respiratory_rate": 20,
            "mucous_membranes": "pale",
            "crt_seconds": "1.5",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["flags"] == {
        "temperature_c": "high",
        "heart_rate": "low",
        "mucous_membranes": "abnormal",
    }
    weight = WeightRecord.objects.get(patient=rocky)
    assert weight.weight_kg == Decimal("12.400")
    assert Vitals.objects.get().weight_record == weight


def test_vitals_out_of_bounds_answer_422_with_fields(vet_a, visit):
    response = _post(
        _as(vet_a), f"/visits/{visit.pk}/vitals", {"body_condition_score": 12, "pain_score": 11}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["extra"]["fields"]) == {"body_condition_score", "pain_score"}
    assert Vitals.objects.count() == 0


def test_unknown_code_and_empty_diagnosis_answer_422(vet_a, visit):
    http = _as(vet_a)
    unknown = _post(http, f"/visits/{visit.pk}/diagnoses", {"code": "NOPE-1"})
    assert unknown.status_code == 422
    assert unknown.json()["extra"]["fields"] == {"code": ["No such diagnosis code."]}
    empty = _post(http, f"/visits/{visit.pk}/diagnoses", {})
    assert empty.status_code == 422
    assert VisitDiagnosis.objects.count() == 0


def test_confirmed_chronic_diagnosis_is_carried_to_the_next_visit(world, vet_a, visit, rocky):
    http = _as(vet_a)
    response = _post(
        http,
        f"/visits/{visit.pk}/diagnoses",
        {"code": "DX-ENDO-001", "status": "confirmed", "add_to_problems": True, "chronic": True},
    )
    assert response.status_code == 201, response.content
    assert response.json()["code"] == "DX-ENDO-001"
    services.visit_sign(actor=vet_a, visit=visit)
    second = services.visit_open(actor=vet_a, location=world.location_a, patient=rocky, vet=vet_a)
    again = _post(
        http,
        f"/visits/{second.pk}/diagnoses",
        {"code": "DX-ENDO-001", "status": "confirmed", "add_to_problems": True},
    )
    assert again.status_code == 201
    problem = Problem.objects.get()
    assert (problem.status, problem.is_chronic, problem.noted_in_visit_id) == (
        "active",
        True,
        visit.pk,
    )
    assert again.json()["problem"] == str(problem.pk)
    listed = _as(vet_a).get(f"{API}/patients/{rocky.pk}/problems").json()
    assert [p["code"] for p in listed["items"]] == ["DX-ENDO-001"]
    resolved = _post(http, f"/problems/{problem.pk}/resolve", {})
    assert resolved.json()["status"] == "resolved"
    assert _as(vet_a).get(f"{API}/patients/{rocky.pk}/problems").json()["count"] == 0


def test_provisional_diagnosis_cannot_go_on_the_problem_list(vet_a, visit):
    response = _post(
        _as(vet_a), f"/visits/{visit.pk}/diagnoses", {"term": "Tos", "add_to_problems": True}
    )
    assert response.status_code == 422
    assert Problem.objects.count() == 0


@pytest.mark.parametrize("visits", [3, 10])
def test_visit_list_filters_by_patient_with_pinned_queries(
    world, vet_a, rocky, django_assert_num_queries, visits
):
    for n in range(visits):
        services.visit_open(
            actor=vet_a, location=world.location_a, patient=rocky, vet=vet_a, reason=f"v{n}"
        )
    http = _as(vet_a)
    http.get(f"{API}/visits")  # warm the session
    with django_assert_num_queries(11):
        response = http.get(f"{API}/visits?patient={rocky.pk}")
    assert response.json()["count"] == visits
    assert [v["reason"] for v in response.json()["items"]] == [
        f"v{n}" for n in reversed(range(visits))
    ]


@pytest.mark.parametrize("rows", [1, 5])
def test_visit_detail_query_count_does_not_grow_with_rows(
    monkeypatch, vet_a, visit, django_assert_num_queries, rows
):
    # The sections other apps add to a visit pin their own queries.
    monkeypatch.setattr(panels, "_SECTIONS", {})
    for n in range(rows):
        services.vitals_add(actor=vet_a, visit=visit, temperature_c=f"38.{n}")
        services.diagnosis_add(actor=vet_a, visit=visit, free_text=f"dx {n}")
        services.lab_result_add(actor=vet_a, visit=visit, test_name=f"t{n}", value="1")
    http = _as(vet_a)
    http.get(f"{API}/visits/{visit.pk}")
    with django_assert_num_queries(22):
        response = http.get(f"{API}/visits/{visit.pk}")
    assert len(response.json()["vitals"]) == rows


def test_clinic_terms_and_templates(vet_a, receptionist_a):
    created = _post(_as(vet_a), "/diagnosis-terms", {"code": "hx-001", "name_es": "Hongo raro"})
    assert created.status_code == 201
    assert created.json()["code"] == "HX-001"
    clash = _post(_as(vet_a), "/diagnosis-terms", {"code": "DX-EAR-001", "name_es": "x"})
    assert clash.status_code == 409
    found = _as(vet_a).get(f"{API}/diagnosis-terms?q=hongo").json()
    assert [t["code"] for t in found["items"]] == ["HX-001"]
    template = _post(
        _as(vet_a), "/soap-templates", {"visit_type": "dental", "name": "Dental", "plan": "x"}
    )
    assert template.status_code == 201
    refused = _post(_as(receptionist_a), "/soap-templates", {"visit_type": "dental", "name": "No"})
    assert refused.status_code == 403
    seeded = _as(vet_a).get(f"{API}/soap-templates?visit_type=consultation").json()
    assert seeded["count"] == 1
