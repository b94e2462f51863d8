"""The owner's communication history: calls and notes merged with the outbox, newest first."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from vetrisys.accounts.tests.factories import make_staff
from vetrisys.clients.tests.factories import CommunicationFactory
from vetrisys.notifications.models import Message

BASE = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)


def _as(user: Any) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _message(client, *, location, at, key, status="sent", kind="vaccine_due"):
    return Message.objects.create(
        organization=client.organization, location=location, client=client, kind=kind,
        channel="sms", language="es", to="+51987654321", body=f"Mensaje {key}", status=status,
        scheduled_for=at, sent_at=at if status == "sent" else None, idempotency_key=key,
    )  # fmt: skip


def _history(world, rosa, receptionist_a):
    call = CommunicationFactory(
        client=rosa, occurred_at=BASE + dt.timedelta(hours=1), author=receptionist_a,
        subject="Llamada", body="Pregunta por la vacuna",
    )  # fmt: skip
    sent = _message(rosa, location=world.location_a, at=BASE, key="old")
    failed = _message(
        rosa, location=world.location_a, at=BASE + dt.timedelta(hours=2), key="new",
        status="failed",
    )  # fmt: skip
    elsewhere = _message(rosa, location=world.location_b, at=BASE + dt.timedelta(hours=3), key="b")
    return call, sent, failed, elsewhere


def test_the_api_merges_calls_and_messages_newest_first(world, rosa, receptionist_a):
    call, sent, failed, _elsewhere = _history(world, rosa, receptionist_a)

    body = _as(receptionist_a).get(f"/api/v1/clients/{rosa.pk}/communications").json()

    # The receptionist of A does not see the message of location B.
    assert body["count"] == 3
    assert [(i["source"], i["id"]) for i in body["items"]] == [
        ("message", str(failed.pk)), ("log", str(call.pk)), ("message", str(sent.pk)),
    ]  # fmt: skip
    assert body["items"][0] == {
        "id": str(failed.pk), "client": str(rosa.pk), "source": "message", "kind": "sms",
        "direction": "out", "subject": "", "body": "Mensaje new",
        "occurred_at": "2026-11-20T17:00:00Z", "author": None,
        "created_at": body["items"][0]["created_at"], "status": "failed", "topic": "vaccine_due",
    }  # fmt: skip
    assert body["items"][1]["author"] == {
        "id": str(receptionist_a.pk), "name": receptionist_a.display_name,
    }  # fmt: skip
    assert (body["items"][1]["status"], body["items"][1]["topic"]) == ("", "")


def test_the_api_pages_through_the_merged_history(world, rosa, admin, receptionist_a):
    _history(world, rosa, receptionist_a)

    first = _as(admin).get(f"/api/v1/clients/{rosa.pk}/communications?limit=2").json()
    second = _as(admin).get(f"/api/v1/clients/{rosa.pk}/communications?limit=2&offset=2").json()

    assert (first["count"], second["count"]) == (4, 4)
    assert [i["body"] for i in first["items"] + second["items"]] == [
        "Mensaje b", "Mensaje new", "Pregunta por la vacuna", "Mensaje old",
    ]  # fmt: skip


def test_someone_without_messages_view_sees_only_the_log(world, rosa, receptionist_a):
    _history(world, rosa, receptionist_a)
    pharmacist = make_staff(location=world.location_a, role="pharmacist", username="pharma")

    body = _as(pharmacist).get(f"/api/v1/clients/{rosa.pk}/communications").json()

    assert [i["source"] for i in body["items"]] == ["log"]


def test_the_client_page_shows_the_timeline(world, rosa, receptionist_a):
    _history(world, rosa, receptionist_a)

    page = _as(receptionist_a).get(f"/clients/{rosa.pk}/?tab=communications").content.decode()

    assert page.count('data-history-entry="message"') == 2
    assert page.count('data-history-entry="log"') == 1
    assert (
        page.index("Mensaje new") < page.index("Pregunta por la vacuna") < page.index("Mensaje old")
    )
    assert 'data-history-status="failed"' in page
    assert "Vaccine due" in page


def test_the_history_queries_are_pinned(world, rosa, receptionist_a, django_assert_num_queries):
    for n in range(3):
        _message(rosa, location=world.location_a, at=BASE + dt.timedelta(minutes=n), key=f"a{n}")
        CommunicationFactory(client=rosa, occurred_at=BASE + dt.timedelta(minutes=n))
    path = f"/api/v1/clients/{rosa.pk}/communications?limit=5"
    http = _as(receptionist_a)
    with CaptureQueriesContext(connection) as few:
        http.get(path)
    for n in range(3, 30):
        _message(rosa, location=world.location_a, at=BASE + dt.timedelta(minutes=n), key=f"a{n}")
        CommunicationFactory(client=rosa, occurred_at=BASE + dt.timedelta(minutes=n))

    # Full pages add one count per source, whatever the number of rows.
    with django_assert_num_queries(len(few) + 2):
        assert http.get(path).json()["count"] == 60
