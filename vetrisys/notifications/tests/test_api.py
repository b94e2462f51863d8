"""GET /messages, one message, retry and cancel; the templates GET / PUT / DELETE."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from vetrisys.audit.models import AuditEvent
from vetrisys.notifications.models import Message, MessageTemplate
from vetrisys.patients.tests.factories import OwnerFactory

API = "/api/v1/messages"
TEMPLATES = "/api/v1/message-templates"
WHEN = dt.datetime(2026, 11, 22, 14, 0, tzinfo=dt.UTC)


def _as(user: Any) -> HttpClient:
    http = HttpClient()
    if user is not None:
        http.force_login(user)
    return http


def _message(world, client, *, location=None, status="sent", kind="appointment_reminder", **extra):
    return Message.objects.create(
        organization=client.organization, location=location, client=client, kind=kind,
        channel="email", language="es", to=client.email or "x@example.pe", subject="Recordatorio",
        body="Hola", status=status, scheduled_for=extra.pop("scheduled_for", WHEN),
        idempotency_key=extra.pop("key", f"k:{Message.objects.count()}"), **extra,
    )  # fmt: skip


@pytest.fixture
def history(world, john):
    at_a = _message(world, john, location=world.location_a, key="a", sent_at=WHEN, attempts=1)
    later = WHEN + dt.timedelta(hours=1)
    at_b = _message(world, john, location=world.location_b, key="b", status="failed",
                    error="SMTP 550", attempts=1, scheduled_for=later)  # fmt: skip
    nowhere = _message(world, john, key="c", status="queued", kind="general",
                       scheduled_for=WHEN + dt.timedelta(hours=2))  # fmt: skip
    return at_a, at_b, nowhere


def test_the_outbox_lists_exact_fields_newest_first(receptionist_a, history, john):
    at_a, _at_b, nowhere = history

    answer = _as(receptionist_a).get(API)

    assert answer.status_code == 200
    body = answer.json()
    # The receptionist of A sees A's message and the one without a location, not B's.
    assert body["count"] == 2
    assert [item["id"] for item in body["items"]] == [str(nowhere.pk), str(at_a.pk)]
    assert body["items"][1] == {
        "id": str(at_a.pk), "client": str(john.pk), "patient": None,
        "location": str(at_a.location_id), "kind": "appointment_reminder", "channel": "email",
        "status": "sent", "language": "es", "to": "john@example.com", "subject": "Recordatorio",
        "body": "Hola", "scheduled_for": "2026-11-22T14:00:00Z", "sent_at": "2026-11-22T14:00:00Z",
        "attempts": 1, "error": "", "cancelled_reason": "", "provider_id": "", "rule": None,
        "created_at": body["items"][1]["created_at"],
    }  # fmt: skip


def test_an_admin_sees_every_location(admin, history):
    assert _as(admin).get(API).json()["count"] == 3


@pytest.mark.parametrize(
    ("query", "expected"),
    [("status=failed", ["b"]), ("kind=general", ["c"]), ("status=sent&kind=general", [])],
)
def test_filters(admin, history, query, expected):
    keys = {str(m.pk): m.idempotency_key for m in history}

    items = _as(admin).get(f"{API}?{query}").json()["items"]

    assert [keys[item["id"]] for item in items] == expected


def test_filter_by_client(admin, world, history, rosa):
    mine = _message(world, rosa, key="rosa")

    items = _as(admin).get(f"{API}?client={rosa.pk}").json()["items"]

    assert [item["id"] for item in items] == [str(mine.pk)]


def test_an_invalid_filter_is_422(admin):
    answer = _as(admin).get(f"{API}?status=lost")

    assert answer.status_code == 422


def test_a_client_of_another_organization_is_404(admin, world):
    stranger = OwnerFactory(organization=world.other_org)

    assert _as(admin).get(f"{API}?client={stranger.pk}").status_code == 404


@pytest.mark.parametrize(
    ("person", "status"),
    [("admin", 200), ("manager_a", 200), ("receptionist_a", 200), ("vet_a", 200),
     ("vet_b", 404), ("outsider", 404)],
)  # fmt: skip
def test_one_message_follows_the_location_scope(people, history, person, status):
    at_a = history[0]

    assert _as(people[person]).get(f"{API}/{at_a.pk}").status_code == status


def test_anonymous_is_401(history):
    assert _as(None).get(API).status_code == 401


def test_the_list_queries_are_pinned(admin, world, john, django_assert_num_queries):
    for n in range(3):
        _message(world, john, location=world.location_a, key=f"few{n}")
    http = _as(admin)
    with CaptureQueriesContext(connection) as few:
        http.get(API)
    for n in range(20):
        _message(world, john, location=world.location_a, key=f"many{n}")

    with django_assert_num_queries(len(few)):
        assert len(http.get(API).json()["items"]) == 23


def test_retry_a_failed_message(manager_a, history):
    at_b = history[1]
    Message.objects.filter(pk=at_b.pk).update(location=history[0].location)

    answer = _as(manager_a).post(f"{API}/{at_b.pk}/retry")

    assert answer.status_code == 200
    assert answer.json()["status"] in ("queued", "sent")
    assert AuditEvent.objects.filter(action="message.retry", target_id=str(at_b.pk)).count() == 1


def test_retry_a_sent_message_is_409_and_changes_nothing(manager_a, history):
    at_a = history[0]

    answer = _as(manager_a).post(f"{API}/{at_a.pk}/retry")

    assert answer.status_code == 409
    at_a.refresh_from_db()
    assert (at_a.status, at_a.version) == ("sent", 1)


def test_a_receptionist_may_not_retry(receptionist_a, world, john):
    failed = _message(world, john, location=world.location_a, status="failed", key="f")

    answer = _as(receptionist_a).post(f"{API}/{failed.pk}/retry")

    assert answer.status_code == 403
    failed.refresh_from_db()
    assert failed.status == "failed"


def test_cancel_a_queued_message(admin, history):
    nowhere = history[2]

    answer = _as(admin).post(
        f"{API}/{nowhere.pk}/cancel", json.dumps({"reason": "Owner asked"}),
        content_type="application/json",
    )  # fmt: skip

    assert answer.status_code == 200
    assert (answer.json()["status"], answer.json()["cancelled_reason"]) == (
        "cancelled",
        "Owner asked",
    )


# ------------------------------------------------------------------ templates


def test_the_templates_list_every_kind_channel_and_language(receptionist_a):
    body = _as(receptionist_a).get(f"{TEMPLATES}?limit=200").json()

    assert body["count"] == 9 * 4 * 2
    first = body["items"][0]
    assert first == {
        "kind": "appointment_confirmation", "channel": "email", "language": "es",
        "subject": "Cita confirmada para {{ pet_name }}", "body": first["body"],
        "is_custom": False, "is_active": True,
    }  # fmt: skip


def test_a_manager_puts_a_template(manager_a, world):
    answer = _as(manager_a).put(
        f"{TEMPLATES}/vaccine_due/sms/es",
        json.dumps({"body": "{{ pet_name }} necesita su vacuna {{ vaccine_name }}."}),
        content_type="application/json",
    )

    assert answer.status_code == 200
    assert answer.json() == {
        "kind": "vaccine_due", "channel": "sms", "language": "es", "subject": "",
        "body": "{{ pet_name }} necesita su vacuna {{ vaccine_name }}.", "is_custom": True,
        "is_active": True,
    }  # fmt: skip
    assert MessageTemplate.objects.get().organization == world.org


def test_a_template_with_a_syntax_error_is_422_and_saves_nothing(manager_a):
    answer = _as(manager_a).put(
        f"{TEMPLATES}/vaccine_due/sms/es",
        json.dumps({"body": "{% if pet_name %}sin cerrar"}),
        content_type="application/json",
    )

    assert answer.status_code == 422
    assert list(answer.json()["extra"]["fields"]) == ["body"]
    assert MessageTemplate.objects.count() == 0


def test_an_unknown_variable_is_422(manager_a):
    answer = _as(manager_a).put(
        f"{TEMPLATES}/vaccine_due/sms/es",
        json.dumps({"body": "Hola {{ password }}"}),
        content_type="application/json",
    )

    assert answer.status_code == 422
    assert answer.json()["extra"]["fields"] == {"body": ["Unknown variable: password."]}


def test_a_template_cannot_load_tags_or_include_files(manager_a):
    for source in ("{% load static %}x", "{% include 'base.html' %}", "{% debug %}"):
        answer = _as(manager_a).put(
            f"{TEMPLATES}/general/sms/es", json.dumps({"body": source}),
            content_type="application/json",
        )  # fmt: skip
        assert answer.status_code == 422, source
    assert MessageTemplate.objects.count() == 0


def test_a_receptionist_may_not_edit_templates(receptionist_a):
    answer = _as(receptionist_a).put(
        f"{TEMPLATES}/general/sms/es", json.dumps({"body": "Hola"}), content_type="application/json"
    )

    assert answer.status_code == 403
    assert MessageTemplate.objects.count() == 0


def test_delete_goes_back_to_the_built_in_text(manager_a, world):
    MessageTemplate.objects.create(
        organization=world.org, kind="general", channel="sms", language="en", body="Hi"
    )

    answer = _as(manager_a).delete(f"{TEMPLATES}/general/sms/en")

    assert answer.status_code == 200
    assert answer.json()["is_custom"] is False
    assert answer.json()["body"] == "{{ location_name }}: {{ message }}"
    assert MessageTemplate.objects.count() == 0


def test_an_unknown_kind_is_422(manager_a):
    assert _as(manager_a).get(f"{TEMPLATES}/nothing/sms/es").status_code == 422
