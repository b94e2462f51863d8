"""Quiet hours: the arithmetic across midnight and DST, the screen and the API."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client as HttpClient

from vetrisys.audit.models import AuditEvent
from vetrisys.notifications.models import LocationMessaging
from vetrisys.notifications.quiet_hours import quiet_end

LIMA = ZoneInfo("America/Lima")
MORNING = dt.datetime(2026, 11, 21, 8, 0, tzinfo=LIMA)
NEW_YORK = ZoneInfo("America/New_York")


def _as(user: Any) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (dt.datetime(2026, 11, 20, 20, 59, tzinfo=LIMA), None),
        (dt.datetime(2026, 11, 20, 21, 0, tzinfo=LIMA), MORNING),
        (dt.datetime(2026, 11, 21, 3, 30, tzinfo=LIMA), MORNING),
        (dt.datetime(2026, 11, 21, 8, 0, tzinfo=LIMA), None),
    ],
)  # fmt: skip
def test_a_period_across_midnight(local, expected):
    end = quiet_end(
        local.astimezone(dt.UTC), zone="America/Lima",
        quiet_from=dt.time(21, 0), quiet_until=dt.time(8, 0),
    )  # fmt: skip

    assert end == expected


def test_a_period_within_the_day():
    lunch = dt.datetime(2026, 11, 20, 13, 30, tzinfo=LIMA).astimezone(dt.UTC)

    end = quiet_end(lunch, zone="America/Lima", quiet_from=dt.time(13), quiet_until=dt.time(15))

    assert end == dt.datetime(2026, 11, 20, 15, 0, tzinfo=LIMA)


def test_the_end_is_in_the_zones_wall_time_across_a_dst_change():
    # The night the clocks go back in New York (1 Nov 2026): 08:00 is 13:00 UTC, not 12:00.
    night = dt.datetime(2026, 10, 31, 23, 0, tzinfo=NEW_YORK).astimezone(dt.UTC)

    end = quiet_end(night, zone="America/New_York", quiet_from=dt.time(21), quiet_until=dt.time(8))

    assert end == dt.datetime(2026, 11, 1, 13, 0, tzinfo=dt.UTC)


def test_the_screen_lists_the_locations_and_a_manager_sets_them(manager_a, world):
    http = _as(manager_a)
    page = http.get("/messages/quiet-hours/").content.decode()
    assert 'data-location="Miraflores"' in page
    assert 'data-location="Arequipa Centro"' not in page

    answer = http.post(
        f"/messages/quiet-hours/{world.location_a.pk}/",
        {"quiet_from": "21:00", "quiet_until": "08:00"},
    )

    assert answer.status_code == 302
    messaging = LocationMessaging.objects.get(location=world.location_a)
    assert (messaging.quiet_from, messaging.quiet_until) == (dt.time(21), dt.time(8))
    assert AuditEvent.objects.filter(action="location.quiet_hours").count() == 1
    assert 'value="21:00"' in http.get("/messages/quiet-hours/").content.decode()


def test_half_a_period_is_422_and_saves_nothing(manager_a, world):
    answer = _as(manager_a).post(
        f"/messages/quiet-hours/{world.location_a.pk}/", {"quiet_from": "21:00", "quiet_until": ""}
    )

    assert answer.status_code == 422
    assert "Give both times, or neither." in answer.content.decode()
    assert LocationMessaging.objects.count() == 0


def test_a_receptionist_sees_but_may_not_set(receptionist_a, world):
    page = _as(receptionist_a).get("/messages/quiet-hours/").content.decode()
    assert "data-quiet-hours" in page

    answer = _as(receptionist_a).post(
        f"/messages/quiet-hours/{world.location_a.pk}/",
        {"quiet_from": "21:00", "quiet_until": "08:00"},
    )

    assert answer.status_code == 403
    assert LocationMessaging.objects.count() == 0


def test_another_locations_hours_are_404(manager_a, world):
    answer = _as(manager_a).post(
        f"/messages/quiet-hours/{world.location_b.pk}/",
        {"quiet_from": "21:00", "quiet_until": "08:00"},
    )

    assert answer.status_code == 404
    assert LocationMessaging.objects.count() == 0


def test_the_api_reads_and_sets_them(admin, world):
    path = f"/api/v1/locations/{world.location_b.pk}/quiet-hours"
    http = _as(admin)
    assert http.get(path).json() == {
        "location": str(world.location_b.pk), "quiet_from": None, "quiet_until": None,
    }  # fmt: skip

    answer = http.put(
        path, json.dumps({"quiet_from": "22:00", "quiet_until": "07:30"}),
        content_type="application/json",
    )  # fmt: skip

    assert answer.status_code == 200
    assert answer.json() == {
        "location": str(world.location_b.pk), "quiet_from": "22:00", "quiet_until": "07:30",
    }  # fmt: skip
    cleared = http.put(path, json.dumps({}), content_type="application/json")
    assert cleared.json()["quiet_from"] is None


def test_the_api_refuses_a_period_of_no_length(admin, world):
    answer = _as(admin).put(
        f"/api/v1/locations/{world.location_a.pk}/quiet-hours",
        json.dumps({"quiet_from": "22:00", "quiet_until": "22:00"}),
        content_type="application/json",
    )

    assert answer.status_code == 422
    assert list(answer.json()["extra"]["fields"]) == ["quiet_until"]


def test_another_organizations_location_is_404(outsider, world):
    answer = _as(outsider).get(f"/api/v1/locations/{world.location_a.pk}/quiet-hours")

    assert answer.status_code == 404
