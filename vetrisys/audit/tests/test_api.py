"""GET /api/v1/audit: administrators read their organization's events, and nobody else's."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from django.core.cache import cache
from django.test import Client

from conftest import World
from vetrisys.accounts.models import User
from vetrisys.accounts.services import location_update, staff_update
from vetrisys.accounts.tests.api_client import API, bearer
from vetrisys.audit.models import AuditEvent
from vetrisys.audit.services import record

# token with its user, memberships, locations, count, page
AUDIT_LIST_QUERIES = 5


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _ids(response: Any) -> list[str]:
    return [item["id"] for item in response.json()["items"]]


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("admin", 200),
        ("manager_a", 403),
        ("vet_a", 403),
        ("receptionist_a", 403),
        ("vet_b", 403),
        ("outsider", 200),
    ],
)
def test_only_admins_read_the_audit_log(
    client: Client, people: dict[str, User], person: str, status: int
) -> None:
    # given
    actor = people[person]
    headers = bearer(client, actor)

    # when
    response = client.get(f"{API}/audit", headers=headers)

    # then
    assert response.status_code == status
    if status == 403:
        assert response.json() == {
            "message": "You do not have permission to do this.",
            "code": "forbidden",
            "extra": {"capability": "audit.view"},
        }
    else:
        expected = AuditEvent.objects.filter(organization_id=actor.organization_id)
        assert _ids(response) == [str(pk) for pk in expected.values_list("pk", flat=True)]
        assert response.json()["count"] == expected.count()


def test_an_event_reads_as_documented(
    client: Client, world: World, admin: User, vet_a: User
) -> None:
    # given
    headers = bearer(client, admin)
    staff_update(actor=admin, user=vet_a, first_name="Lucía")
    event = AuditEvent.objects.get(action="staff.update")

    # when
    response = client.get(f"{API}/audit?action=staff.", headers=headers)

    # then
    assert response.status_code == 200
    body = response.json()
    occurred_at = datetime.fromisoformat(body["items"][0].pop("occurred_at"))
    assert occurred_at.utcoffset() == timedelta(0)
    assert event.occurred_at - occurred_at < timedelta(milliseconds=1)
    assert body == {
        "items": [
            {
                "id": str(event.pk),
                "sequence": event.sequence,
                "actor": {"id": str(admin.pk), "name": admin.display_name},
                "action": "staff.update",
                "target_type": "accounts.user",
                "target_id": str(vet_a.pk),
                "target_label": "vet_a",
                "changes": {"first_name": ["Ana", "Lucía"]},
                "request_id": "",
                "location": None,
            }
        ],
        "count": 1,
    }


def test_filters_narrow_the_events(client: Client, world: World, admin: User, vet_a: User) -> None:
    # given
    headers = bearer(client, admin)
    location_update(actor=admin, location=world.location_a, phone="01 555")
    staff_update(actor=admin, user=vet_a, first_name="Lucía")
    location_event = AuditEvent.objects.get(action="location.update")
    staff_event = AuditEvent.objects.get(action="staff.update")

    # when
    by_target = client.get(f"{API}/audit?target={vet_a.pk}", headers=headers)
    by_typed_target = client.get(
        f"{API}/audit?target=accounts.location:{world.location_a.pk}", headers=headers
    )
    by_actor = client.get(f"{API}/audit?actor={admin.pk}&action=location", headers=headers)

    # then
    assert _ids(by_target) == [str(staff_event.pk)]
    assert _ids(by_typed_target) == [str(location_event.pk)]
    assert _ids(by_actor) == [str(location_event.pk)]


def test_a_date_range_is_half_open_and_needs_an_offset(
    client: Client, world: World, admin: User
) -> None:
    # given
    headers = bearer(client, admin)
    event = AuditEvent.objects.filter(organization=world.org).latest("occurred_at")
    at = event.occurred_at

    def _query(date_from: Any, date_to: Any) -> Any:
        return client.get(
            f"{API}/audit",
            {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()},
            headers=headers,
        )

    # when
    including = _query(at, at + timedelta(microseconds=1))
    excluding = _query(at - timedelta(seconds=1), at)
    naive = client.get(f"{API}/audit?date_from=2026-01-01T00:00:00", headers=headers)

    # then
    assert _ids(including) == [str(event.pk)]
    assert _ids(excluding) == []
    assert naive.status_code == 422
    assert naive.json()["extra"] == {"fields": {"date_from": ["Input should have timezone info"]}}


def test_another_organizations_events_are_never_listed_nor_readable(
    client: Client, world: World, admin: User, outsider: User
) -> None:
    # given
    record(actor=admin, action="test.mine", target=world.location_a)
    theirs = record(actor=outsider, action="test.theirs", target=world.other_location)
    headers = bearer(client, admin)

    # when
    listed = client.get(f"{API}/audit?limit=200", headers=headers)
    by_target = client.get(f"{API}/audit?target={world.other_location.pk}", headers=headers)
    read = client.get(f"{API}/audit/{theirs.pk}", headers=headers)
    unknown = client.get(f"{API}/audit/{uuid4()}", headers=headers)

    # then
    mine = AuditEvent.objects.filter(organization=world.org).values_list("pk", flat=True)
    assert set(_ids(listed)) == {str(pk) for pk in mine}
    assert str(theirs.pk) not in _ids(listed)
    assert _ids(by_target) == []
    assert read.status_code == 404
    assert (
        read.json()
        == unknown.json()
        == {
            "message": "Audit event not found.",
            "code": "not_found",
            "extra": {},
        }
    )


def test_an_admin_reads_one_event(client: Client, world: World, admin: User) -> None:
    # given
    event = record(
        actor=admin, action="test.one", target=world.location_b, location=world.location_b
    )
    headers = bearer(client, admin)

    # when
    response = client.get(f"{API}/audit/{event.pk}", headers=headers)

    # then
    assert response.status_code == 200
    assert response.json()["id"] == str(event.pk)
    assert response.json()["location"] == str(world.location_b.pk)


def test_the_audit_list_costs_the_same_queries_with_3_and_with_10_events(
    client: Client, world: World, admin: User, django_assert_num_queries: Any
) -> None:
    # given
    headers = bearer(client, admin)
    client.get(f"{API}/me", headers=headers)  # the first use stamps the token
    for index in range(3):
        record(actor=admin, action=f"test.{index}", target=world.location_a)

    # when
    with django_assert_num_queries(AUDIT_LIST_QUERIES):
        three = client.get(f"{API}/audit?action=test.", headers=headers)
    for index in range(7):
        record(actor=admin, action=f"test.more{index}", target=world.location_a)
    with django_assert_num_queries(AUDIT_LIST_QUERIES):
        ten = client.get(f"{API}/audit?action=test.", headers=headers)

    # then
    assert (three.json()["count"], len(three.json()["items"])) == (3, 3)
    assert (ten.json()["count"], len(ten.json()["items"])) == (10, 10)
    assert [item["action"] for item in ten.json()["items"][:2]] == ["test.more6", "test.more5"]


def test_the_audit_list_pages_and_bounds_its_limit(
    client: Client, world: World, admin: User
) -> None:
    # given
    for index in range(10):
        record(actor=admin, action=f"test.{index}", target=world.location_a)
    headers = bearer(client, admin)
    everything = _ids(client.get(f"{API}/audit?action=test.", headers=headers))

    # when
    page = client.get(f"{API}/audit?action=test.&limit=4&offset=4", headers=headers)
    too_wide = client.get(f"{API}/audit?limit=500", headers=headers)

    # then
    assert _ids(page) == everything[4:8]
    assert page.json()["count"] == 10
    assert too_wide.status_code == 422
    assert list(too_wide.json()["extra"]["fields"]) == ["limit"]
