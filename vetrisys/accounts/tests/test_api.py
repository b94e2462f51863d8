"""The accounts API: me, locations, rooms and staff, for every named person."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from django.core.cache import cache
from django.test import Client

from conftest import World
from vetrisys.accounts.capabilities import BUILTIN_ROLE_CAPABILITIES, BuiltinRole
from vetrisys.accounts.models import Location, Room, StaffMembership, User
from vetrisys.accounts.tests.api_client import API, bearer
from vetrisys.accounts.tests.factories import RoomFactory
from vetrisys.audit.models import AuditEvent

NEW_PASSWORD = "a-long-enough-password"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _json(client: Client, method: str, url: str, headers: dict[str, str], body: Any) -> Any:
    send = getattr(client, method)
    return send(url, body, content_type="application/json", headers=headers)


def _state() -> tuple[Any, ...]:
    """Everything a denied staff or location request must leave as it was."""
    return (
        list(
            User.objects.order_by("pk").values_list(
                "pk", "username", "first_name", "is_active", "password"
            )
        ),
        sorted(StaffMembership.objects.values_list("user_id", "location_id", "role__key")),
        list(Location.objects.order_by("pk").values_list("pk", "name", "tax_rate", "version")),
        list(Room.objects.order_by("pk").values_list("pk", "name")),
        AuditEvent.objects.count(),
    )


def _ids(response: Any) -> set[str]:
    return {item["id"] for item in response.json()["items"]}


# ---------------------------------------------------------------- me


def test_me_tells_who_i_am_where_and_what_i_may_do(
    client: Client, world: World, vet_a: User
) -> None:
    # given
    headers = bearer(client, vet_a)

    # when
    response = client.get(f"{API}/me", headers=headers)

    # then
    assert response.status_code == 200
    assert response.json() == {
        "user": {
            "id": str(vet_a.pk),
            "username": "vet_a",
            "first_name": "Ana",
            "last_name": vet_a.last_name,
            "email": "",
            "language": "en",
            "organization": {"id": str(world.org.pk), "name": "Huellitas"},
        },
        "memberships": [
            {"location": {"id": str(world.location_a.pk), "name": "Miraflores"}, "role": "vet"}
        ],
        "capabilities": {
            str(world.location_a.pk): sorted(
                str(c) for c in BUILTIN_ROLE_CAPABILITIES[BuiltinRole.VET]
            )
        },
    }


def test_an_admin_holds_capabilities_at_every_location(
    client: Client, world: World, admin: User
) -> None:
    # when
    response = client.get(f"{API}/me", headers=bearer(client, admin))

    # then
    capabilities = response.json()["capabilities"]
    assert set(capabilities) == {str(world.location_a.pk), str(world.location_b.pk)}
    assert "audit.view" in capabilities[str(world.location_b.pk)]


# ---------------------------------------------------------------- locations


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        ("admin", ["Arequipa Centro", "Miraflores"]),
        ("manager_a", ["Miraflores"]),
        ("vet_a", ["Miraflores"]),
        ("receptionist_a", ["Miraflores"]),
        ("vet_b", ["Arequipa Centro"]),
        ("outsider", ["Trujillo"]),
    ],
)
def test_each_person_lists_only_their_locations(
    client: Client, people: dict[str, User], person: str, expected: list[str]
) -> None:
    # when
    response = client.get(f"{API}/locations", headers=bearer(client, people[person]))

    # then
    assert response.status_code == 200
    assert [item["name"] for item in response.json()["items"]] == expected
    assert response.json()["count"] == len(expected)


def test_an_admin_opens_a_location(client: Client, world: World, admin: User) -> None:
    # given
    body = {
        "name": "Cusco",
        "time_zone": "America/Lima",
        "currency": "PEN",
        "tax_rate": "18.00",
        "address": "Av. El Sol 100",
        "phone": "084 555 000",
    }

    # when
    response = _json(client, "post", f"{API}/locations", bearer(client, admin), body)

    # then
    assert response.status_code == 201
    location = Location.objects.get(name="Cusco")
    assert response.json() == {"id": str(location.pk), **body, "is_active": True}
    assert location.organization == world.org
    event = AuditEvent.objects.get(action="location.create")
    assert (event.actor_id, event.target_id) == (admin.pk, str(location.pk))


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("manager_a", 403),
        ("vet_a", 403),
        ("receptionist_a", 403),
        ("vet_b", 403),
    ],
)
def test_only_an_admin_opens_a_location(
    client: Client, people: dict[str, User], person: str, status: int
) -> None:
    # given
    headers = bearer(client, people[person])
    before = _state()

    # when
    response = _json(client, "post", f"{API}/locations", headers, {"name": "Cusco"})

    # then
    assert response.status_code == status
    assert response.json()["code"] == "forbidden"
    assert _state() == before


def test_patch_changes_only_the_fields_sent(client: Client, world: World, manager_a: User) -> None:
    # given
    Location.objects.filter(pk=world.location_a.pk).update(address="Av. Larco 1")

    # when
    response = _json(
        client,
        "patch",
        f"{API}/locations/{world.location_a.pk}",
        bearer(client, manager_a),
        {"tax_rate": "16.5", "phone": "01 555 1234"},
    )

    # then
    assert response.status_code == 200
    assert response.json() == {
        "id": str(world.location_a.pk),
        "name": "Miraflores",
        "time_zone": "America/Lima",
        "currency": "PEN",
        "tax_rate": "16.50",
        "address": "Av. Larco 1",
        "phone": "01 555 1234",
        "is_active": True,
    }
    event = AuditEvent.objects.get(action="location.update")
    assert event.changes == {"tax_rate": ["18.00", "16.50"], "phone": ["", "01 555 1234"]}


@pytest.mark.parametrize(
    ("person", "status"),
    [("vet_a", 403), ("receptionist_a", 403), ("vet_b", 404), ("outsider", 404)],
)
def test_patching_a_location_is_refused_without_the_capability_or_sight(
    client: Client, world: World, people: dict[str, User], person: str, status: int
) -> None:
    # given
    headers = bearer(client, people[person])
    before = _state()

    # when
    response = _json(
        client, "patch", f"{API}/locations/{world.location_a.pk}", headers, {"name": "Hacked"}
    )

    # then
    assert response.status_code == status
    assert _state() == before


@pytest.mark.parametrize(
    ("person", "location", "status"),
    [
        ("admin", "location_b", 200),
        ("vet_a", "location_a", 200),
        ("vet_a", "location_b", 404),
        ("vet_b", "location_a", 404),
        ("outsider", "location_a", 404),
        ("admin", "other_location", 404),
    ],
)
def test_a_location_is_seen_only_by_whom_it_concerns(
    client: Client, world: World, people: dict[str, User], person: str, location: str, status: int
) -> None:
    # given
    target: Location = getattr(world, location)

    # when
    response = client.get(f"{API}/locations/{target.pk}", headers=bearer(client, people[person]))

    # then
    assert response.status_code == status
    if status == 404:
        assert response.json() == {
            "message": "Location not found.",
            "code": "not_found",
            "extra": {},
        }
    else:
        assert response.json()["id"] == str(target.pk)


def test_a_duplicate_location_name_is_a_conflict(client: Client, world: World, admin: User) -> None:
    # given
    headers = bearer(client, admin)
    before = _state()

    # when
    response = _json(client, "post", f"{API}/locations", headers, {"name": "miraflores"})

    # then
    assert response.status_code == 409
    assert response.json() == {
        "message": "A location with this name already exists.",
        "code": "location_exists",
        "extra": {},
    }
    assert _state() == before


def test_a_name_of_another_organization_is_free(client: Client, world: World, admin: User) -> None:
    # when
    response = _json(
        client, "post", f"{API}/locations", bearer(client, admin), {"name": "Trujillo"}
    )

    # then
    assert response.status_code == 201


def test_a_rule_broken_in_the_service_is_422_with_its_field(
    client: Client, world: World, admin: User
) -> None:
    # when
    response = _json(
        client,
        "post",
        f"{API}/locations",
        bearer(client, admin),
        {"name": "Cusco", "time_zone": "Mars/Olympus", "currency": "XXX"},
    )

    # then
    assert response.status_code == 422
    assert response.json() == {
        "message": "Some fields are not valid.",
        "code": "invalid",
        "extra": {
            "fields": {
                "time_zone": ["Not a known time zone (for example America/Lima)."],
                "currency": ["Not a supported currency."],
            }
        },
    }


def test_a_schema_invalid_body_is_422_naming_each_field(
    client: Client, world: World, admin: User
) -> None:
    # given
    headers = bearer(client, admin)
    before = _state()

    # when
    response = _json(
        client,
        "post",
        f"{API}/locations",
        headers,
        {"name": "", "tax_rate": "18.005", "colour": "blue"},
    )

    # then
    assert response.status_code == 422
    body = response.json()
    assert (body["message"], body["code"]) == ("Some fields are not valid.", "invalid")
    assert body["extra"]["fields"] == {
        "name": ["String should have at least 1 character"],
        "tax_rate": ["Decimal input should have no more than 2 decimal places"],
        "colour": ["Extra inputs are not permitted"],
    }
    assert _state() == before


def test_a_body_that_is_not_json_is_422(client: Client, world: World, admin: User) -> None:
    # when
    response = client.post(
        f"{API}/locations",
        "{not json",
        content_type="application/json",
        headers=bearer(client, admin),
    )

    # then
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_patch_refuses_an_explicit_null(client: Client, world: World, admin: User) -> None:
    # when
    response = _json(
        client,
        "patch",
        f"{API}/locations/{world.location_a.pk}",
        bearer(client, admin),
        {"name": None},
    )

    # then
    assert response.status_code == 422
    assert response.json()["extra"] == {"fields": {"name": ["This field may not be null."]}}


@pytest.mark.parametrize("path", ["locations", "staff"])
def test_an_unknown_or_malformed_id_is_404_or_422(
    client: Client, world: World, admin: User, path: str
) -> None:
    # given
    headers = bearer(client, admin)

    # when
    unknown = client.get(f"{API}/{path}/{uuid4()}", headers=headers)
    malformed = client.get(f"{API}/{path}/not-an-id", headers=headers)

    # then
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "not_found"
    assert malformed.status_code == 422
    assert malformed.json()["code"] == "invalid"


# ---------------------------------------------------------------- rooms


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("admin", 200),
        ("manager_a", 200),
        ("vet_a", 200),
        ("receptionist_a", 200),
        ("vet_b", 404),
        ("outsider", 404),
    ],
)
def test_rooms_are_listed_to_those_who_see_the_location(
    client: Client, world: World, people: dict[str, User], person: str, status: int
) -> None:
    # given
    exam = RoomFactory(location=world.location_a, name="Consultorio 1")
    surgery = RoomFactory(location=world.location_a, name="Quirófano", kind=Room.Kind.SURGERY)
    RoomFactory(location=world.location_b, name="Consultorio B")

    # when
    response = client.get(
        f"{API}/locations/{world.location_a.pk}/rooms", headers=bearer(client, people[person])
    )

    # then
    assert response.status_code == status
    if status == 200:
        assert response.json() == {
            "items": [
                {
                    "id": str(exam.pk),
                    "location": str(world.location_a.pk),
                    "name": "Consultorio 1",
                    "kind": "exam",
                    "is_active": True,
                },
                {
                    "id": str(surgery.pk),
                    "location": str(world.location_a.pk),
                    "name": "Quirófano",
                    "kind": "surgery",
                    "is_active": True,
                },
            ],
            "count": 2,
        }


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("admin", 201),
        ("manager_a", 201),
        ("vet_a", 403),
        ("receptionist_a", 403),
        ("vet_b", 404),
        ("outsider", 404),
    ],
)
def test_rooms_are_added_by_those_who_manage_the_location(
    client: Client, world: World, people: dict[str, User], person: str, status: int
) -> None:
    # given
    headers = bearer(client, people[person])
    before = _state()

    # when
    response = _json(
        client,
        "post",
        f"{API}/locations/{world.location_a.pk}/rooms",
        headers,
        {"name": "Rayos X", "kind": "imaging"},
    )

    # then
    assert response.status_code == status
    if status == 201:
        room = Room.objects.get(name="Rayos X")
        assert response.json() == {
            "id": str(room.pk),
            "location": str(world.location_a.pk),
            "name": "Rayos X",
            "kind": "imaging",
            "is_active": True,
        }
        assert room.organization_id == world.org.pk
        assert AuditEvent.objects.filter(action="room.create", target_id=str(room.pk)).count() == 1
    else:
        assert _state() == before


def test_a_duplicate_room_or_an_unknown_kind_is_refused(
    client: Client, world: World, admin: User
) -> None:
    # given
    RoomFactory(location=world.location_a, name="Consultorio 1")
    headers = bearer(client, admin)
    url = f"{API}/locations/{world.location_a.pk}/rooms"

    # when
    duplicate = _json(client, "post", url, headers, {"name": "consultorio 1"})
    unknown_kind = _json(client, "post", url, headers, {"name": "Spa", "kind": "spa"})

    # then
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "room_exists"
    assert unknown_kind.status_code == 422
    assert list(unknown_kind.json()["extra"]["fields"]) == ["kind"]
    assert Room.objects.count() == 1


def test_a_token_user_is_answered_in_their_language(
    client: Client, world: World, vet_a: User
) -> None:
    # given
    User.objects.filter(pk=vet_a.pk).update(language="es")
    headers = bearer(client, vet_a)

    # when
    response = _json(client, "post", f"{API}/locations", headers, {"name": "Cusco"})

    # then
    assert response.status_code == 403
    assert response.json()["message"] == "No tiene permiso para hacer esto."
