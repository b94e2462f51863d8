"""The reports API: exact figures as decimal strings, 422 on bad filters, 404 for a location
the caller cannot see, 403 without reports.view, pages and a pinned number of queries."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client as HttpClient

from vetrisys.accounts.models import User
from vetrisys.audit.models import AuditEvent
from vetrisys.billing.models import Invoice
from vetrisys.billing.services import LineSpec
from vetrisys.reporting.tests.conftest import lima, pay, sell
from vetrisys.scheduling.tests.factories import AppointmentTypeFactory, make_appointment

API = "/api/v1/reports"
MARCH = {"date_from": "2026-03-01", "date_to": "2026-03-31"}


def _as(user: User | None) -> HttpClient:
    http = HttpClient()
    if user is not None:
        http.force_login(user)
    return http


@pytest.fixture
def sales(world, admin, owner, consult, nail_trim) -> list[Invoice]:
    a, b = world.location_a, world.location_b
    first = sell(admin, a, owner, [LineSpec(product=consult)], issued_at=lima(dt.date(2026, 3, 2)))
    pay(admin, first, "59.00", lima(dt.date(2026, 3, 2), "10:30"))
    second = sell(admin, b, owner, [LineSpec(product=nail_trim, quantity=2)],
                  issued_at=lima(dt.date(2026, 3, 20)))  # fmt: skip
    pay(admin, second, "15.50", lima(dt.date(2026, 3, 21)))
    return [first, second]


def test_revenue_by_location(sales, admin, world):
    answer = _as(admin).get(f"{API}/revenue", {**MARCH, "group_by": "location"})

    assert answer.status_code == 200
    assert answer.json() == {
        "date_from": "2026-03-01",
        "date_to": "2026-03-31",
        "group_by": "location",
        "count": 2,
        "items": [
            {"key": str(world.location_b.pk), "label": "Arequipa Centro", "invoiced": "40.00",
             "credited": "0.00", "collected": "15.50", "outstanding": "24.50"},
            {"key": str(world.location_a.pk), "label": "Miraflores", "invoiced": "59.00",
             "credited": "0.00", "collected": "59.00", "outstanding": "0.00"},
        ],
        "totals": {"invoiced": "99.00", "credited": "0.00", "collected": "74.50",
                   "outstanding": "24.50"},
    }  # fmt: skip


def test_revenue_pages(sales, admin):
    answer = _as(admin).get(f"{API}/revenue", {**MARCH, "group_by": "day", "limit": 1,
                                               "offset": 1})  # fmt: skip
    body = answer.json()
    assert (body["count"], [r["key"] for r in body["items"]]) == (3, ["2026-03-20"])
    assert body["totals"]["invoiced"] == "99.00"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "2026-03-31", "date_to": "2026-03-01"}, "date_to"),
        ({"date_from": "2016-01-01", "date_to": "2026-01-01"}, "date_to"),
        ({**MARCH, "group_by": "week"}, "group_by"),
        ({"date_from": "2026-13-01", "date_to": "2026-03-01"}, "date_from"),
        ({**MARCH, "format": "pdf"}, "format"),
    ],
)
def test_bad_filters_are_422(admin, params, field):
    answer = _as(admin).get(f"{API}/revenue", params)
    assert answer.status_code == 422
    assert field in answer.json()["extra"]["fields"]


def test_a_location_the_caller_cannot_see_is_404(sales, manager_a, outsider, world):
    for user, location in ((manager_a, world.location_b), (outsider, world.location_a)):
        answer = _as(user).get(f"{API}/revenue", {**MARCH, "location": str(location.pk)})
        assert answer.status_code == 404
    answer = _as(manager_a).get(f"{API}/revenue", {**MARCH, "location": "not-an-id"})
    assert answer.status_code == 404


@pytest.mark.parametrize(
    ("name", "status", "invoiced"),
    [
        ("admin", 200, "99.00"),
        ("manager_a", 200, "59.00"),
        ("vet_a", 403, None),
        ("receptionist_a", 403, None),
        ("vet_b", 403, None),
        ("outsider", 200, "0.00"),
    ],
)
@pytest.mark.parametrize("path", ["revenue", "appointments", "top-items", "retention",
                                  "vaccination-compliance"])  # fmt: skip
def test_permission_matrix(sales, people, name, status, invoiced, path):
    answer = _as(people[name]).get(f"{API}/{path}", {**MARCH, "group_by": "location"}
                                   if path == "revenue" else MARCH)  # fmt: skip
    assert answer.status_code == status
    if path == "revenue" and invoiced is not None:
        assert answer.json()["totals"]["invoiced"] == invoiced


def test_anonymous_is_401(world):
    assert HttpClient().get(f"{API}/revenue", MARCH).status_code == 401


@pytest.mark.parametrize("group_by", ["day", "location", "vet", "service"])
def test_revenue_takes_the_same_queries_for_2_and_8_invoices(
    world, admin, owner, consult, django_assert_num_queries, group_by
):
    http = _as(admin)
    params = {**MARCH, "group_by": group_by}

    def grow(n: int) -> None:
        for day in range(n):
            invoice = sell(admin, world.location_a if day % 2 else world.location_b, owner,
                           [LineSpec(product=consult)],
                           issued_at=lima(dt.date(2026, 3, 1 + day)))  # fmt: skip
            pay(admin, invoice, "10.00", lima(dt.date(2026, 3, 1 + day), "12:00"))

    grow(2)
    http.get(f"{API}/revenue", params)  # warm the session and capabilities
    # Session, user and capabilities (7), the zones (2), the sums (two over the revenue shares
    # by vet or service), the names, the session.
    expected = {"day": 15, "location": 16, "vet": 14, "service": 15}[group_by]
    with django_assert_num_queries(expected):
        assert http.get(f"{API}/revenue", params).status_code == 200
    grow(6)
    with django_assert_num_queries(expected):
        assert http.get(f"{API}/revenue", params).json()["count"] > 0


def test_appointments_counts_and_rates(world, admin, manager_a, pet, vet_a):
    kind = AppointmentTypeFactory(organization=world.org, name="Consulta")
    for clock, status in (("09:00", "completed"), ("10:00", "no_show"), ("11:00", "cancelled")):
        make_appointment(location=world.location_a, vet=vet_a, appointment_type=kind, patient=pet,
                         starts_at=lima(dt.date(2026, 3, 4), clock), status=status)  # fmt: skip

    answer = _as(manager_a).get(f"{API}/appointments", {**MARCH, "group_by": "type"})

    assert answer.status_code == 200
    body = answer.json()
    counts = {"total": 3, "scheduled": 0, "checked_in": 0, "in_progress": 0, "completed": 1,
              "cancelled": 1, "no_show": 1, "no_show_rate": "50.00",
              "cancellation_rate": "33.33"}  # fmt: skip
    assert body["items"] == [{"key": str(kind.pk), "label": "Consulta", **counts}]
    assert body["totals"] == counts


def test_top_items_and_retention(sales, admin, world):
    top = _as(admin).get(f"{API}/top-items", {**MARCH, "kind": "services", "limit": 1}).json()
    assert [(i["name"], i["quantity"], i["revenue"]) for i in top["items"]] == [
        ("Consulta general", "1.000", "59.00")
    ]
    kept = _as(admin).get(f"{API}/retention", {"on": "2026-03-31", "months": 12}).json()
    assert (kept["total"]["active"], kept["total"]["new"], kept["count"]) == (1, 1, 2)
    bad = _as(admin).get(f"{API}/retention", {"on": "2026-03-31", "months": 0})
    assert bad.status_code == 422


def test_vaccination_compliance_answers_the_window(admin):
    answer = _as(admin).get(f"{API}/vaccination-compliance", {"on": "2026-03-31"})
    assert answer.json() == {"on": "2026-03-31", "due_within_days": 30, "count": 0, "items": []}


def _csv(answer: Any) -> list[list[str]]:
    text = b"".join(answer.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_download_with_the_same_filters_is_audited(sales, admin, world):
    answer = _as(admin).get(
        f"{API}/revenue", {**MARCH, "group_by": "location", "format": "csv",
                           "location": str(world.location_a.pk)}
    )  # fmt: skip

    assert answer.status_code == 200
    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    assert answer["Content-Disposition"] == (
        'attachment; filename="revenue-2026-03-01-2026-03-31.csv"'
    )
    assert _csv(answer) == [
        ["Location", "Invoiced", "Credited", "Collected", "Outstanding"],
        ["Miraflores", "59.00", "0.00", "59.00", "0.00"],
        ["Total", "59.00", "0.00", "59.00", "0.00"],
    ]
    event = AuditEvent.objects.get(action="report.export")
    assert (event.target_id, event.changes["format"], event.changes["rows"]) == (
        "revenue",
        "csv",
        2,
    )


def test_refused_downloads_write_nothing(sales, vet_a):
    answer = _as(vet_a).get(f"{API}/revenue", {**MARCH, "format": "csv"})
    assert answer.status_code == 403
    assert not AuditEvent.objects.filter(action="report.export").exists()


def _grow_everything(world, admin, owner, pet, consult, vet_a, n: int, kind) -> None:
    from vetrisys.inventory.tests.factories import ProductFactory
    from vetrisys.vaccinations.models import Vaccination

    vaccine = ProductFactory(organization=world.org, name=f"Vacuna {n}")
    for day in range(n):
        when = lima(dt.date(2026, 3, 1 + day))
        sell(admin, world.location_a, owner, [LineSpec(product=consult)], issued_at=when)
        make_appointment(location=world.location_a, vet=vet_a, appointment_type=kind,
                         patient=pet, starts_at=when, status="completed")  # fmt: skip
        Vaccination.objects.create(
            organization=world.org, location=world.location_a, patient=pet, vet=vet_a,
            product=vaccine, administered_on=dt.date(2025, 3, 1 + day),
            next_due_on=dt.date(2026, 3, 1 + day),
        )  # fmt: skip


@pytest.mark.parametrize(
    ("path", "params", "expected"),
    [
        ("appointments", {**MARCH, "group_by": "day"}, 13),
        ("appointments", {**MARCH, "group_by": "vet"}, 14),
        ("top-items", MARCH, 14),
        ("retention", {"on": "2026-03-31"}, 14),
        ("vaccination-compliance", {"on": "2026-03-31"}, 14),
    ],
)
def test_other_reports_take_the_same_queries_for_2_and_6_days(
    world, admin, owner, pet, consult, vet_a, django_assert_num_queries, path, params, expected
):
    http = _as(admin)
    kind = AppointmentTypeFactory(organization=world.org, name="Consulta")
    _grow_everything(world, admin, owner, pet, consult, vet_a, 2, kind)
    http.get(f"{API}/{path}", params)
    with django_assert_num_queries(expected):
        assert http.get(f"{API}/{path}", params).status_code == 200
    _grow_everything(world, admin, owner, pet, consult, vet_a, 4, kind)
    with django_assert_num_queries(expected):
        assert http.get(f"{API}/{path}", params).json()["count"] > 0
