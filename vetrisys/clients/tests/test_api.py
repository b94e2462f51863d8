import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from vetrisys.accounts.models import User
from vetrisys.accounts.tests.factories import make_staff
from vetrisys.audit.models import AuditEvent
from vetrisys.clients.models import Client, Communication
from vetrisys.clients.tests.factories import ClientFactory, CommunicationFactory, add_phone

API = "/api/v1/clients"


def _as(user: User | None) -> HttpClient:
    http = HttpClient()
    if user is not None:
        http.force_login(user)
    return http


def _post(user: User | None, path: str, body: dict[str, Any]) -> Any:
    return _as(user).post(path, json.dumps(body), content_type="application/json")


def _patch(user: User | None, path: str, body: dict[str, Any]) -> Any:
    return _as(user).patch(path, json.dumps(body), content_type="application/json")


@pytest.fixture
def technician_a(world) -> User:
    return make_staff(location=world.location_a, role="technician", username="tech_a")


@pytest.fixture
def owner(world) -> Client:
    client = ClientFactory(
        organization=world.org, first_name="Rosa", last_name="Huamán", search_name="rosa huaman"
    )
    add_phone(client, "987654321")
    return client


def _state(client: Client) -> tuple[Any, ...]:
    client.refresh_from_db()
    return (client.first_name, client.is_active, client.version, client.phones.count())


# ---------------------------------------------------------------- permission matrix

CREATE = {"first_name": "Lucía", "last_name": "Mamani", "phone": "912 345 678"}


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("admin", 201),
        ("manager_a", 201),
        ("vet_a", 201),
        ("receptionist_a", 201),
        ("vet_b", 201),
        ("technician_a", 403),
        ("anonymous", 401),
    ],
)
def test_who_may_register_an_owner(people, technician_a, world, person, status):
    actor = {**people, "technician_a": technician_a}.get(person)

    response = _post(actor, API, CREATE)

    assert response.status_code == status
    expected = 1 if status == 201 else 0
    assert Client.objects.filter(organization=world.org, last_name="Mamani").count() == expected


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("admin", 200),
        ("manager_a", 200),
        ("vet_a", 200),
        ("receptionist_a", 200),
        ("vet_b", 200),
        ("technician_a", 200),
        ("outsider", 404),
        ("anonymous", 401),
    ],
)
def test_who_may_see_an_owner(people, technician_a, owner, person, status):
    actor = {**people, "technician_a": technician_a}.get(person)

    response = _as(actor).get(f"{API}/{owner.pk}")

    assert response.status_code == status
    if status == 200:
        assert response.json()["full_name"] == "Rosa Huamán"


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("admin", 200),
        ("manager_a", 200),
        ("vet_a", 200),
        ("receptionist_a", 200),
        ("vet_b", 200),
        ("technician_a", 403),
        ("outsider", 404),
        ("anonymous", 401),
    ],
)
def test_who_may_edit_archive_and_log(people, technician_a, owner, person, status):
    actor = {**people, "technician_a": technician_a}.get(person)
    before = _state(owner)

    edited = _patch(actor, f"{API}/{owner.pk}", {"first_name": "Rosita"})
    logged = _post(actor, f"{API}/{owner.pk}/communications", {"kind": "note", "body": "Hola"})
    archived = _post(actor, f"{API}/{owner.pk}/archive", {})

    assert (edited.status_code, archived.status_code) == (status, status)
    assert logged.status_code == (201 if status == 200 else status)
    if status != 200:
        assert _state(owner) == before
        assert Communication.objects.count() == 0
        assert AuditEvent.objects.filter(action__startswith="client.").count() == 0
    else:
        assert _state(owner) == ("Rosita", False, 3, 1)


@pytest.mark.parametrize(
    ("person", "status"),
    [("receptionist_a", 200), ("technician_a", 403), ("outsider", 404)],
)
def test_who_may_merge(people, technician_a, owner, world, person, status):
    actor = {**people, "technician_a": technician_a}.get(person)
    duplicate = ClientFactory(organization=world.org)

    response = _post(actor, f"{API}/{owner.pk}/merge", {"duplicate": str(duplicate.pk)})

    assert response.status_code == status
    duplicate.refresh_from_db()
    assert (duplicate.merged_into_id == owner.pk) is (status == 200)


# ---------------------------------------------------------------- tenancy


def test_lists_never_show_another_organizations_owners(receptionist_a, outsider, owner, world):
    ClientFactory(organization=world.other_org, first_name="Foráneo")

    ours = _as(receptionist_a).get(API).json()
    theirs = _as(outsider).get(API).json()

    assert [item["full_name"] for item in ours["items"]] == ["Rosa Huamán"]
    assert ours["count"] == 1
    assert [item["first_name"] for item in theirs["items"]] == ["Foráneo"]


def test_another_organizations_owner_is_not_found_everywhere(outsider, owner, world):
    mine = ClientFactory(organization=world.other_org)
    paths = [
        f"{API}/{owner.pk}",
        f"{API}/{owner.pk}/patients",
        f"{API}/{owner.pk}/communications",
    ]

    statuses = [_as(outsider).get(path).status_code for path in paths]
    merge = _post(outsider, f"{API}/{mine.pk}/merge", {"duplicate": str(owner.pk)})

    assert statuses == [404, 404, 404]
    assert merge.status_code == 404
    owner.refresh_from_db()
    assert owner.merged_into_id is None


# ---------------------------------------------------------------- contract


def test_create_answers_the_whole_client(receptionist_a):
    response = _post(
        receptionist_a,
        API,
        {
            "first_name": "María",
            "last_name": "Quispe Mamani",
            "email": "maria@correo.pe",
            "phone": "+51 987 654 321",
            "document_id": "45678912",
            "address": "Av. Larco 123",
            "emergency_contact_name": "Juan Quispe",
            "emergency_contact_phone": "912345678",
            "preferred_channel": "whatsapp",
            "consents": {"email": False, "sms": False, "whatsapp": True},
            "language": "es",
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("first_name", "phone", "document_type", "document_id")} == {
        "first_name": "María",
        "phone": "+51987654321",
        "document_type": "dni",
        "document_id": "45678912",
    }
    assert body["consents"] == {"email": False, "sms": False, "whatsapp": True}
    assert body["consents_given_at"]["email"] is None
    assert body["consents_given_at"]["whatsapp"] is not None
    assert body["emergency_contact_phone"] == "+51912345678"
    assert body["balance"] == "0.00"
    assert [(p["e164"], p["is_primary"]) for p in body["phones"]] == [("+51987654321", True)]


def test_bad_input_answers_422_with_field_messages_and_saves_nothing(receptionist_a):
    response = _post(
        receptionist_a,
        API,
        {"first_name": "Ana", "email": "ana@", "phone": "12-34", "document_id": "123"},
    )

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["extra"]["fields"] == {
        "email": ["Enter a valid email address."],
        "document_id": ["A DNI has 8 digits."],
        "phone": ["Enter a valid phone number, e.g. 987 654 321 or +51 1 234 5678."],
    }
    assert Client.objects.count() == 0


def test_unknown_fields_and_wrong_choices_are_422(receptionist_a):
    unknown = _post(receptionist_a, API, {"first_name": "Ana", "nickname": "Anita"})
    wrong = _post(receptionist_a, API, {"first_name": "Ana", "preferred_channel": "fax"})

    assert (unknown.status_code, wrong.status_code) == (422, 422)
    assert list(unknown.json()["extra"]["fields"]) == ["nickname"]
    assert list(wrong.json()["extra"]["fields"]) == ["preferred_channel"]
    assert Client.objects.count() == 0


def test_duplicate_document_is_409_naming_the_owner(receptionist_a, world):
    holder = ClientFactory(
        organization=world.org, first_name="Rosa", last_name="Huamán", document_number="45678912"
    )

    response = _post(receptionist_a, API, {"first_name": "Otra", "document_id": "45678912"})

    assert response.status_code == 409
    assert response.json() == {
        "message": "Rosa Huamán already has this document number.",
        "code": "duplicate_document",
        "extra": {"client": {"id": str(holder.pk), "name": "Rosa Huamán"}},
    }


def test_patch_null_is_refused(receptionist_a, owner):
    response = _patch(receptionist_a, f"{API}/{owner.pk}", {"email": None})

    assert response.status_code == 422
    assert response.json()["extra"]["fields"] == {"email": ["This field may not be null."]}


def test_list_searches_and_filters(receptionist_a, owner, world):
    archived = ClientFactory(
        organization=world.org,
        first_name="Archivada",
        is_active=False,
        archived_at=owner.created_at,
    )

    found = _as(receptionist_a).get(API, {"q": "4321"}).json()
    inactive = _as(receptionist_a).get(API, {"is_active": "false"}).json()

    assert [item["id"] for item in found["items"]] == [str(owner.pk)]
    assert [item["id"] for item in inactive["items"]] == [str(archived.pk)]


def test_communications_are_newest_first_and_naive_times_are_refused(receptionist_a, owner):
    old = CommunicationFactory(client=owner, occurred_at="2025-01-01T10:00:00Z")
    new = CommunicationFactory(client=owner, occurred_at="2025-02-01T10:00:00Z")

    listed = _as(receptionist_a).get(f"{API}/{owner.pk}/communications").json()
    naive = _post(
        receptionist_a,
        f"{API}/{owner.pk}/communications",
        {"kind": "call", "body": "x", "occurred_at": "2025-03-01T10:00:00"},
    )

    assert [item["id"] for item in listed["items"]] == [str(new.pk), str(old.pk)]
    assert listed["count"] == 2
    assert naive.status_code == 422
    assert list(naive.json()["extra"]["fields"]) == ["occurred_at"]


# ---------------------------------------------------------------- query counts


def _queries(user: User, path: str) -> int:
    http = _as(user)
    http.get(path)  # warm the session and caches the same way for every run
    with CaptureQueriesContext(connection) as queries:
        response = http.get(path)
    assert response.status_code == 200
    return len(queries)


# Sign-in, location and capability lookups, then the list's own: count, page, prefetches.
LIST_QUERIES = 12
SEARCH_QUERIES = 12
COMMUNICATION_QUERIES = 13
PATIENT_QUERIES = 13


def test_client_list_queries_are_pinned(receptionist_a, world, django_assert_num_queries):
    for n in range(3):
        add_phone(ClientFactory(organization=world.org), f"98765432{n}")
    three = _queries(receptionist_a, API)
    for n in range(3, 10):
        add_phone(ClientFactory(organization=world.org), f"98765432{n}")
    http = _as(receptionist_a)
    http.get(API)

    with django_assert_num_queries(LIST_QUERIES):
        assert len(http.get(API).json()["items"]) == 10
    assert three == LIST_QUERIES


def test_search_queries_are_pinned(receptionist_a, world, django_assert_num_queries):
    for n in range(3):
        add_phone(ClientFactory(organization=world.org, search_name=f"ana {n}"), f"9123456{n}0")
    three = _queries(receptionist_a, f"{API}?q=ana")
    for n in range(3, 10):
        add_phone(ClientFactory(organization=world.org, search_name=f"ana {n}"), f"9123456{n}0")
    http = _as(receptionist_a)
    http.get(API)

    with django_assert_num_queries(SEARCH_QUERIES):
        assert http.get(API, {"q": "ana"}).json()["count"] == 10
    assert three == SEARCH_QUERIES


def test_communication_list_queries_are_pinned(receptionist_a, owner, django_assert_num_queries):
    path = f"{API}/{owner.pk}/communications"
    CommunicationFactory.create_batch(3, client=owner, author=receptionist_a)
    three = _queries(receptionist_a, path)
    CommunicationFactory.create_batch(7, client=owner, author=receptionist_a)
    http = _as(receptionist_a)
    http.get(path)

    with django_assert_num_queries(COMMUNICATION_QUERIES):
        assert http.get(path).json()["count"] == 10
    assert three == COMMUNICATION_QUERIES


def test_patient_list_queries_are_pinned(receptionist_a, owner, django_assert_num_queries):
    from vetrisys.clients.tests.test_selectors import make_pet

    path = f"{API}/{owner.pk}/patients"
    for n in range(3):
        make_pet(owner, f"Pet {n}")
    three = _queries(receptionist_a, path)
    for n in range(3, 10):
        make_pet(owner, f"Pet {n}")
    http = _as(receptionist_a)
    http.get(path)

    with django_assert_num_queries(PATIENT_QUERIES):
        response = http.get(path).json()
    assert three == PATIENT_QUERIES
    assert response["count"] == 10
    assert response["items"][0]["name"] == "Pet 0"
    assert response["items"][0]["species"] in {"Perro", "Dog"}
