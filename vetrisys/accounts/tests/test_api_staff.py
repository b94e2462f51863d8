"""The staff API: the role-by-capability matrix over every named person, escalation, tenancy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from django.core.cache import cache
from django.test import Client

from conftest import World
from vetrisys.accounts.models import Location, StaffMembership, User
from vetrisys.accounts.tests.api_client import API, bearer
from vetrisys.audit.models import AuditEvent

NEW_PASSWORD = "a-long-enough-password"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _json(client: Client, method: str, url: str, headers: dict[str, str], body: Any) -> Any:
    return getattr(client, method)(url, body, content_type="application/json", headers=headers)


def _state() -> tuple[Any, ...]:
    """Everything a denied staff request must leave as it was."""
    return (
        list(
            User.objects.order_by("pk").values_list(
                "pk", "username", "first_name", "email", "is_active", "password", "updated_at"
            )
        ),
        sorted(StaffMembership.objects.values_list("user_id", "location_id", "role__key")),
        AuditEvent.objects.count(),
    )


def _new_receptionist(location: Location, username: str = "new_reception") -> dict[str, Any]:
    return {
        "username": username,
        "password": NEW_PASSWORD,
        "first_name": "Rosa",
        "last_name": "Quispe",
        "email": "rosa@example.com",
        "language": "es",
        "memberships": [{"location": str(location.pk), "role": "receptionist"}],
    }


# ---------------------------------------------------------------- the matrix


@pytest.mark.parametrize(
    ("person", "status", "expected"),
    [
        ("admin", 200, ["admin", "manager_a", "reception_a", "vet_a", "vet_b"]),
        ("manager_a", 200, ["admin", "manager_a", "reception_a", "vet_a"]),
        ("vet_a", 403, None),
        ("receptionist_a", 403, None),
        ("vet_b", 403, None),
        ("outsider", 200, ["outsider"]),
    ],
)
def test_staff_list_matrix(
    client: Client,
    people: dict[str, User],
    person: str,
    status: int,
    expected: list[str] | None,
) -> None:
    # given
    headers = bearer(client, people[person])
    before = _state()

    # when
    response = client.get(f"{API}/staff", headers=headers)

    # then
    assert response.status_code == status
    if expected is None:
        assert response.json() == {
            "message": "You do not have permission to do this.",
            "code": "forbidden",
            "extra": {"capability": "staff.view"},
        }
    else:
        assert [item["username"] for item in response.json()["items"]] == expected
        assert _ids(response) == {str(people_by_username(people)[name].pk) for name in expected}
    assert _state() == before


def people_by_username(people: dict[str, User]) -> dict[str, User]:
    return {user.username: user for user in people.values()}


def _ids(response: Any) -> set[str]:
    return {item["id"] for item in response.json()["items"]}


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("admin", 200),
        ("manager_a", 200),
        ("vet_a", 403),
        ("receptionist_a", 403),
        ("vet_b", 403),
        ("outsider", 404),
    ],
)
def test_staff_get_matrix(
    client: Client, world: World, people: dict[str, User], person: str, status: int
) -> None:
    # given
    vet_a = people["vet_a"]
    headers = bearer(client, people[person])
    before = _state()

    # when
    response = client.get(f"{API}/staff/{vet_a.pk}", headers=headers)

    # then
    assert response.status_code == status
    if status == 200:
        assert response.json() == {
            "id": str(vet_a.pk),
            "username": "vet_a",
            "first_name": "Ana",
            "last_name": vet_a.last_name,
            "email": "",
            "language": "en",
            "is_active": True,
            "last_login": None,
            "memberships": [
                {
                    "location": {"id": str(world.location_a.pk), "name": "Miraflores"},
                    "role": "vet",
                }
            ],
        }
        assert "password" not in response.json()
    assert _state() == before


@pytest.mark.parametrize(
    ("person", "status", "code"),
    [
        ("admin", 201, None),
        ("manager_a", 201, None),
        ("vet_a", 403, "forbidden"),
        ("receptionist_a", 403, "forbidden"),
        ("vet_b", 403, "forbidden"),
        # Another organization's location is unknown to the outsider.
        ("outsider", 422, "invalid"),
    ],
)
def test_staff_create_matrix(
    client: Client,
    world: World,
    people: dict[str, User],
    person: str,
    status: int,
    code: str | None,
) -> None:
    # given
    actor = people[person]
    headers = bearer(client, actor)
    before = _state()

    # when
    response = _json(client, "post", f"{API}/staff", headers, _new_receptionist(world.location_a))

    # then
    assert response.status_code == status
    if status == 201:
        created = User.objects.get(username="new_reception")
        assert response.json() == {
            "id": str(created.pk),
            "username": "new_reception",
            "first_name": "Rosa",
            "last_name": "Quispe",
            "email": "rosa@example.com",
            "language": "es",
            "is_active": True,
            "last_login": None,
            "memberships": [
                {
                    "location": {"id": str(world.location_a.pk), "name": "Miraflores"},
                    "role": "receptionist",
                }
            ],
        }
        assert created.organization_id == world.org.pk
        assert created.check_password(NEW_PASSWORD)
        event = AuditEvent.objects.get(action="staff.create")
        assert (event.actor_id, event.target_id) == (actor.pk, str(created.pk))
        assert NEW_PASSWORD not in str(event.changes)
    else:
        assert response.json()["code"] == code
        if code == "invalid":
            assert response.json()["extra"]["fields"] == {
                "memberships.0.location": ["Unknown location."]
            }
        assert _state() == before


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("admin", 200),
        ("manager_a", 200),
        ("vet_a", 403),
        ("receptionist_a", 403),
        ("vet_b", 403),
        ("outsider", 404),
    ],
)
def test_staff_patch_matrix(
    client: Client, people: dict[str, User], person: str, status: int
) -> None:
    # given
    vet_a = people["vet_a"]
    actor = people[person]
    headers = bearer(client, actor)
    before = _state()

    # when
    response = _json(client, "patch", f"{API}/staff/{vet_a.pk}", headers, {"first_name": "Lucía"})

    # then
    assert response.status_code == status
    vet_a.refresh_from_db()
    if status == 200:
        assert response.json()["first_name"] == "Lucía"
        assert vet_a.first_name == "Lucía"
        event = AuditEvent.objects.get(action="staff.update")
        assert event.actor_id == actor.pk
        assert event.changes == {"first_name": ["Ana", "Lucía"]}
    else:
        assert vet_a.first_name == "Ana"
        assert _state() == before


# ---------------------------------------------------------------- escalation and self-change


@pytest.mark.parametrize(
    ("role", "message"),
    [
        ("admin", "Only an administrator can grant this role."),
    ],
)
def test_a_manager_cannot_grant_more_than_they_hold(
    client: Client, world: World, manager_a: User, role: str, message: str
) -> None:
    # given
    headers = bearer(client, manager_a)
    body = _new_receptionist(world.location_a)
    body["memberships"] = [{"location": str(world.location_a.pk), "role": role}]
    before = _state()

    # when
    response = _json(client, "post", f"{API}/staff", headers, body)

    # then
    assert response.status_code == 403
    assert response.json() == {"message": message, "code": "forbidden", "extra": {}}
    assert _state() == before


def test_a_manager_cannot_promote_a_colleague_to_admin(
    client: Client, world: World, manager_a: User, vet_a: User
) -> None:
    # given
    headers = bearer(client, manager_a)
    before = _state()

    # when
    response = _json(
        client,
        "patch",
        f"{API}/staff/{vet_a.pk}",
        headers,
        {"memberships": [{"location": str(world.location_a.pk), "role": "admin"}]},
    )

    # then
    assert response.status_code == 403
    assert _state() == before


def test_a_manager_cannot_change_an_admin(client: Client, admin: User, manager_a: User) -> None:
    # given
    headers = bearer(client, manager_a)
    before = _state()

    # when
    response = _json(client, "patch", f"{API}/staff/{admin.pk}", headers, {"is_active": False})

    # then
    assert response.status_code == 403
    assert response.json()["message"] == "Only an administrator can change an administrator."
    assert _state() == before


def test_nobody_deactivates_themselves(client: Client, admin: User) -> None:
    # given
    headers = bearer(client, admin)
    before = _state()

    # when
    response = _json(client, "patch", f"{API}/staff/{admin.pk}", headers, {"is_active": False})

    # then
    assert response.status_code == 409
    assert response.json()["code"] == "self_change"
    assert _state() == before


def test_an_admin_moves_a_vet_and_sets_a_password(
    client: Client, world: World, admin: User, vet_a: User
) -> None:
    # given
    headers = bearer(client, admin)

    # when
    response = _json(
        client,
        "patch",
        f"{API}/staff/{vet_a.pk}",
        headers,
        {
            "password": NEW_PASSWORD,
            "memberships": [
                {"location": str(world.location_a.pk), "role": "vet"},
                {"location": str(world.location_b.pk), "role": "manager"},
            ],
        },
    )

    # then
    assert response.status_code == 200
    assert response.json()["memberships"] == [
        {
            "location": {"id": str(world.location_b.pk), "name": "Arequipa Centro"},
            "role": "manager",
        },
        {"location": {"id": str(world.location_a.pk), "name": "Miraflores"}, "role": "vet"},
    ]
    assert "password" not in response.json()
    vet_a.refresh_from_db()
    assert vet_a.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action="staff.update")
    assert event.changes["password"] == ["***", "***"]
    assert NEW_PASSWORD not in str(event.changes)


# ---------------------------------------------------------------- conflicts and validation


def test_a_taken_username_is_a_conflict(
    client: Client, world: World, admin: User, vet_a: User
) -> None:
    # given
    headers = bearer(client, admin)
    before = _state()

    # when
    response = _json(
        client, "post", f"{API}/staff", headers, _new_receptionist(world.location_a, "VET_A")
    )

    # then
    assert response.status_code == 409
    assert response.json() == {
        "message": "The username VET_A is taken.",
        "code": "username_taken",
        "extra": {},
    }
    assert _state() == before


def test_a_username_of_another_organization_is_taken_too(
    client: Client, world: World, admin: User, outsider: User
) -> None:
    # when
    response = _json(
        client,
        "post",
        f"{API}/staff",
        bearer(client, admin),
        _new_receptionist(world.location_a, "outsider"),
    )

    # then: usernames sign in, so they are unique across organizations
    assert response.status_code == 409
    assert response.json()["code"] == "username_taken"


def test_a_weak_password_or_unknown_role_is_422(client: Client, world: World, admin: User) -> None:
    # given
    headers = bearer(client, admin)
    weak = {**_new_receptionist(world.location_a), "password": "123"}
    unknown_role = _new_receptionist(world.location_a)
    unknown_role["memberships"] = [{"location": str(world.location_a.pk), "role": "wizard"}]
    no_memberships = {**_new_receptionist(world.location_a), "memberships": []}
    before = _state()

    # when
    weak_response = _json(client, "post", f"{API}/staff", headers, weak)
    role_response = _json(client, "post", f"{API}/staff", headers, unknown_role)
    empty_response = _json(client, "post", f"{API}/staff", headers, no_memberships)

    # then
    assert weak_response.status_code == 422
    assert list(weak_response.json()["extra"]["fields"]) == ["password"]
    assert role_response.status_code == 422
    assert role_response.json()["extra"]["fields"] == {"memberships.0.role": ["Unknown role."]}
    assert empty_response.status_code == 422
    assert list(empty_response.json()["extra"]["fields"]) == ["memberships"]
    assert _state() == before


def test_staff_patch_refuses_a_username_change(client: Client, admin: User, vet_a: User) -> None:
    # when
    response = _json(
        client, "patch", f"{API}/staff/{vet_a.pk}", bearer(client, admin), {"username": "x"}
    )

    # then
    assert response.status_code == 422
    assert response.json()["extra"]["fields"] == {"username": ["Extra inputs are not permitted"]}


# ---------------------------------------------------------------- tenancy


def test_another_organizations_staff_is_404_to_read_and_to_change(
    client: Client, outsider: User, vet_a: User
) -> None:
    # given
    headers = bearer(client, outsider)
    before = _state()

    # when
    read = client.get(f"{API}/staff/{vet_a.pk}", headers=headers)
    change = _json(client, "patch", f"{API}/staff/{vet_a.pk}", headers, {"is_active": False})
    unknown = client.get(f"{API}/staff/{uuid4()}", headers=headers)

    # then
    assert (read.status_code, change.status_code, unknown.status_code) == (404, 404, 404)
    assert read.json() == unknown.json()
    assert _state() == before


def test_a_manager_does_not_see_staff_of_another_location(
    client: Client, manager_a: User, vet_b: User
) -> None:
    # given
    headers = bearer(client, manager_a)
    before = _state()

    # when
    read = client.get(f"{API}/staff/{vet_b.pk}", headers=headers)
    change = _json(client, "patch", f"{API}/staff/{vet_b.pk}", headers, {"first_name": "X"})

    # then
    assert (read.status_code, change.status_code) == (404, 404)
    assert _state() == before
