"""The audit log screen: administrators only, newest first, in the location's time."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from conftest import World
from vetrisys.accounts.models import Location, User
from vetrisys.audit.models import AuditEvent
from vetrisys.audit.services import record

# Session (read, then saved: 3), user, current location (2), MFA requirement, capability
# map (2), navigation's locations, the audit selector's capability check, count and page.
AUDIT_LIST_QUERIES = 13


def recorded_at(when: dt.datetime, **event: Any) -> AuditEvent:
    """An event recorded at a given moment (the log itself is append-only)."""
    with mock.patch("django.utils.timezone.now", return_value=when):
        return record(**event)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("manager_a", 403),
        ("vet_a", 403),
        ("receptionist_a", 403),
        ("vet_b", 403),
        ("outsider", 200),
    ],
)
def test_audit_log_is_for_admins(
    client: Client, people: dict[str, User], who: str, status: int
) -> None:
    client.force_login(people[who])

    assert client.get(reverse("audit_list")).status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, db: None) -> None:
    response = client.get(reverse("audit_list"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={reverse('audit_list')}"


def test_events_are_newest_first_in_the_location_time_zone(
    client: Client, world: World, admin: User
) -> None:
    older = recorded_at(
        dt.datetime(2025, 3, 1, 15, 0, tzinfo=dt.UTC),
        actor=admin,
        action="location.update",
        target=world.location_a,
        changes={"x": 1},
    )
    newer = recorded_at(
        dt.datetime(2025, 3, 2, 3, 30, tzinfo=dt.UTC),
        actor=admin,
        action="room.create",
        target=world.location_a,
        changes={"n": "Á"},
    )
    client.force_login(admin)

    response = client.get(reverse("audit_list"))
    page = response.content.decode()

    assert [event.pk for event, _changes in response.context["rows"]] == [newer.pk, older.pk]
    assert [changes for _event, changes in response.context["rows"]] == ['{"n":"Á"}', '{"x":1}']
    # Lima is UTC-5: 03:30 UTC on 2 March is 22:30 on 1 March.
    assert "2025-03-01 22:30:00" in page
    assert "2025-03-01 10:00:00" in page
    assert "Times in America/Lima." in page


def test_the_outsider_sees_only_their_own_organization(
    client: Client, world: World, admin: User, outsider: User
) -> None:
    record(actor=admin, action="location.update", target=world.location_a)
    mine = record(actor=outsider, action="location.update", target=world.other_location)
    client.force_login(outsider)

    response = client.get(reverse("audit_list"))

    assert [event.pk for event, _changes in response.context["rows"]] == [mine.pk]


def test_filters_by_action_prefix_target_and_local_days(
    client: Client, world: World, admin: User
) -> None:
    recorded_at(
        dt.datetime(2025, 3, 2, 4, 0, tzinfo=dt.UTC),  # 1 March, 23:00 in Lima
        actor=admin,
        action="room.create",
        target=world.location_a,
    )
    wanted = recorded_at(
        dt.datetime(2025, 3, 2, 6, 0, tzinfo=dt.UTC),  # 2 March, 01:00 in Lima
        actor=admin,
        action="location.update",
        target=world.location_a,
    )
    recorded_at(
        dt.datetime(2025, 3, 2, 7, 0, tzinfo=dt.UTC),
        actor=admin,
        action="location.update",
        target=world.location_b,
    )
    recorded_at(
        dt.datetime(2025, 3, 3, 6, 0, tzinfo=dt.UTC),  # 3 March in Lima
        actor=admin,
        action="location.update",
        target=world.location_a,
    )
    client.force_login(admin)

    response = client.get(
        reverse("audit_list"),
        {
            "action": "location.",
            "target": str(world.location_a.pk),
            "date_from": "2025-03-02",
            "date_to": "2025-03-02",
        },
    )

    assert [event.pk for event, _changes in response.context["rows"]] == [wanted.pk]
    assert response.context["query_string"] == (
        f"action=location.&target={world.location_a.pk}&date_from=2025-03-02&date_to=2025-03-02"
    )


def test_an_invalid_date_filter_is_shown_and_lists_everything(
    client: Client, world: World, admin: User
) -> None:
    record(actor=admin, action="location.update", target=world.location_a)
    client.force_login(admin)

    response = client.get(reverse("audit_list"), {"date_from": "yesterday"})

    assert response.status_code == 200
    assert response.context["form"].errors["date_from"] == ["Enter a valid date."]
    assert len(response.context["rows"]) == 1


def test_audit_log_is_paginated_by_50(client: Client, world: World, admin: User) -> None:
    for _index in range(55):
        record(actor=admin, action="location.update", target=world.location_a)
    client.force_login(admin)

    first = client.get(reverse("audit_list"))
    second = client.get(reverse("audit_list"), {"page": 2})

    assert len(first.context["rows"]) == 50
    assert len(second.context["rows"]) == 5


@pytest.mark.parametrize("extra", [3, 20])
def test_audit_list_queries_do_not_grow_with_rows(
    client: Client, world: World, admin: User, django_assert_num_queries: object, extra: int
) -> None:
    for index in range(extra):
        location = Location.objects.get(pk=world.location_a.pk)
        record(actor=admin, action="location.update", target=location, changes={"i": index})
    client.force_login(admin)
    client.get(reverse("dashboard"))

    with django_assert_num_queries(AUDIT_LIST_QUERIES):  # type: ignore[operator]
        response = client.get(reverse("audit_list"))

    assert len(response.context["rows"]) == extra


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["Audit log", "Action starts with", "Changes"]),
        ("es", ["Registro de auditoría", "La acción empieza con", "Cambios"]),
    ],
)
def test_audit_log_speaks_the_user_language(
    client: Client, admin: User, language: str, words: list[str]
) -> None:
    admin.language = language
    admin.save()
    client.force_login(admin)

    page = client.get(reverse("audit_list")).content.decode()

    for word in words:
        assert word in page
