"""Lists of the accounts API: pagination bounds, and queries that do not grow with rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from conftest import World
from vetrisys.accounts.models import User
from vetrisys.accounts.tests.api_client import API, bearer
from vetrisys.accounts.tests.factories import LocationFactory, RoomFactory, make_staff

# Queries per list request with a bearer token: the token with its user, what the user may
# see (an admin's role, or memberships and locations), then the count and the page.
LOCATIONS_QUERIES = 4  # token, admin role, count, page
ROOMS_QUERIES = 5  # token, admin role, the location, count, page
STAFF_QUERIES = 6  # token, memberships, locations, count, page, the page's memberships


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _add_locations(world: World, count: int) -> None:
    for _index in range(count):
        LocationFactory(organization=world.org)


def _add_rooms(world: World, count: int) -> None:
    for _index in range(count):
        RoomFactory(location=world.location_a)


_staff_counter = iter(range(10_000))


def _add_staff(world: World, count: int) -> None:
    for _index in range(count):
        number = next(_staff_counter)
        location = world.location_a if number % 2 else world.location_b
        make_staff(location=location, role="vet", username=f"vet{number}")


# (name, url, add rows, rows the admin already sees, pinned queries)
LISTS = [
    pytest.param(
        "locations",
        lambda w: f"{API}/locations",
        _add_locations,
        2,
        LOCATIONS_QUERIES,
        id="locations",
    ),
    pytest.param(
        "rooms",
        lambda w: f"{API}/locations/{w.location_a.pk}/rooms",
        _add_rooms,
        0,
        ROOMS_QUERIES,
        id="rooms",
    ),
    pytest.param("staff", lambda w: f"{API}/staff", _add_staff, 1, STAFF_QUERIES, id="staff"),
]


@pytest.mark.parametrize(("name", "url", "add", "existing", "queries"), LISTS)
def test_a_list_costs_the_same_queries_with_3_and_with_10_rows(
    client: Client,
    world: World,
    admin: User,
    django_assert_num_queries: Any,
    name: str,
    url: Callable[[World], str],
    add: Callable[[World, int], None],
    existing: int,
    queries: int,
) -> None:
    # given
    headers = bearer(client, admin)
    client.get(f"{API}/me", headers=headers)  # the first use stamps the token
    add(world, 3 - existing)

    # when
    with django_assert_num_queries(queries):
        three = client.get(url(world), headers=headers)
    add(world, 7)
    with django_assert_num_queries(queries):
        ten = client.get(url(world), headers=headers)

    # then
    assert (three.status_code, ten.status_code) == (200, 200)
    assert (three.json()["count"], len(three.json()["items"])) == (3, 3)
    assert (ten.json()["count"], len(ten.json()["items"])) == (10, 10)


@pytest.mark.parametrize(("name", "url", "add", "existing", "queries"), LISTS)
def test_limit_and_offset_page_through_a_list(
    client: Client,
    world: World,
    admin: User,
    name: str,
    url: Callable[[World], str],
    add: Callable[[World, int], None],
    existing: int,
    queries: int,
) -> None:
    # given
    headers = bearer(client, admin)
    add(world, 10 - existing)
    everything = client.get(url(world), headers=headers).json()["items"]

    # when
    page = client.get(f"{url(world)}?limit=3&offset=3", headers=headers)
    last = client.get(f"{url(world)}?limit=3&offset=9", headers=headers)

    # then
    assert page.json() == {"items": everything[3:6], "count": 10}
    assert last.json() == {"items": everything[9:], "count": 10}


@pytest.mark.parametrize(("name", "url", "add", "existing", "queries"), LISTS)
@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("limit=500", "limit", "Input should be less than or equal to 200"),
        ("limit=0", "limit", "Input should be greater than or equal to 1"),
        ("offset=-1", "offset", "Input should be greater than or equal to 0"),
    ],
)
def test_a_limit_or_offset_out_of_range_is_422(
    client: Client,
    world: World,
    admin: User,
    name: str,
    url: Callable[[World], str],
    add: Callable[[World, int], None],
    existing: int,
    queries: int,
    query: str,
    field: str,
    message: str,
) -> None:
    # when
    response = client.get(f"{url(world)}?{query}", headers=bearer(client, admin))

    # then
    assert response.status_code == 422
    assert response.json() == {
        "message": "Some fields are not valid.",
        "code": "invalid",
        "extra": {"fields": {field: [message]}},
    }


def test_the_default_page_is_50_and_200_is_allowed(
    client: Client, world: World, admin: User
) -> None:
    # given
    _add_rooms(world, 60)
    headers = bearer(client, admin)
    url = f"{API}/locations/{world.location_a.pk}/rooms"

    # when
    default = client.get(url, headers=headers)
    widest = client.get(f"{url}?limit=200", headers=headers)

    # then
    assert (len(default.json()["items"]), default.json()["count"]) == (50, 60)
    assert len(widest.json()["items"]) == 60
