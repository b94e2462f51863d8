import datetime as dt
import json
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client as HttpClient

from vetrisys.accounts.models import User
from vetrisys.audit.models import AuditEvent
from vetrisys.billing import services
from vetrisys.billing.models import CreditNote, DayClose, Estimate, Invoice, Payment
from vetrisys.billing.services import LineSpec
from vetrisys.core.timeutil import today_in
from vetrisys.patients.tests.factories import OwnerFactory

API = "/api/v1"


def _as(user: User | None) -> HttpClient:
    http = HttpClient()
    if user is not None:
        http.force_login(user)
    return http


def _post(http: HttpClient, path: str, body: Any) -> Any:
    return http.post(f"{API}{path}", json.dumps(body), content_type="application/json")


def _patch(http: HttpClient, path: str, body: Any) -> Any:
    return http.patch(f"{API}{path}", json.dumps(body), content_type="application/json")


def _body(world, owner, pet, consult, **extra):
    return {
        "client": str(owner.pk),
        "location": str(world.location_a.pk),
        "patient": str(pet.pk),
        "lines": [
            {"price_item": str(consult.pk), "quantity": "1"},
            {"description": "Baño medicado", "quantity": "2", "unit_price": "25.00"},
        ],
        **extra,
    }


def _draft(actor, world, owner, consult, amount: str = "100.00") -> Invoice:
    return services.invoice_create(
        actor=actor, location=world.location_a, client=owner,
        lines=[LineSpec(product=consult, unit_price=Decimal(amount), tax_rate=Decimal(0))],
    )  # fmt: skip


def _issued(actor, world, owner, consult, amount: str = "100.00") -> Invoice:
    return services.invoice_issue(actor=actor, invoice=_draft(actor, world, owner, consult, amount))


def _state(invoice: Invoice) -> tuple[Any, ...]:
    fresh = Invoice.objects.get(pk=invoice.pk)
    return (
        fresh.status, fresh.total, fresh.paid_total, fresh.credited_total, fresh.balance,
        Payment.objects.count(), CreditNote.objects.count(), AuditEvent.objects.count(),
    )  # fmt: skip


# ---------------------------------------------------------------- permission matrices

NAMES = [
    "admin", "manager_a", "vet_a", "receptionist_a", "cashier_a", "pharmacist_a", "vet_b",
    "outsider",
]  # fmt: skip

CREATE = {
    "admin": 201, "manager_a": 201, "vet_a": 403, "receptionist_a": 201, "cashier_a": 201,
    "pharmacist_a": 403, "vet_b": 404, "outsider": 404,
}  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_create_matrix(everyone, world, owner, pet, consult, name):
    audits = AuditEvent.objects.count()
    response = _post(_as(everyone[name]), "/invoices", _body(world, owner, pet, consult))
    assert response.status_code == CREATE[name], response.content
    created = CREATE[name] == 201
    assert Invoice.objects.count() == (1 if created else 0)
    if not created:
        assert AuditEvent.objects.count() == audits


ISSUE = {
    "admin": 200, "manager_a": 200, "vet_a": 403, "receptionist_a": 200, "cashier_a": 200,
    "pharmacist_a": 404, "vet_b": 404, "outsider": 404,
}  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_issue_matrix(everyone, world, owner, consult, admin, name):
    invoice = _draft(admin, world, owner, consult)
    before = _state(invoice)
    response = _post(_as(everyone[name]), f"/invoices/{invoice.pk}/issue", {})
    assert response.status_code == ISSUE[name], response.content
    if ISSUE[name] == 200:
        assert response.json()["status"] == "issued"
        assert response.json()["number"] == "B001-00000001"
    else:
        assert _state(invoice) == before
        assert Invoice.objects.get(pk=invoice.pk).number is None


PAY = {
    "admin": 201, "manager_a": 201, "vet_a": 403, "receptionist_a": 201, "cashier_a": 201,
    "pharmacist_a": 404, "vet_b": 404, "outsider": 404,
}  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_payment_matrix(everyone, world, owner, consult, admin, name):
    invoice = _issued(admin, world, owner, consult)
    before = _state(invoice)
    body = {"amount": "40.00", "method": "cash", "tendered": "50.00"}
    response = _post(_as(everyone[name]), f"/invoices/{invoice.pk}/payments", body)
    assert response.status_code == PAY[name], response.content
    if PAY[name] == 201:
        assert response.json()["amount"] == "40.00"
        assert response.json()["change_given"] == "10.00"
        fresh = Invoice.objects.get(pk=invoice.pk)
        assert (fresh.status, fresh.balance) == ("partially_paid", Decimal("60.00"))
    else:
        assert _state(invoice) == before


VOID = {
    "admin": 200, "manager_a": 200, "vet_a": 403, "receptionist_a": 403, "cashier_a": 403,
    "pharmacist_a": 404, "vet_b": 404, "outsider": 404,
}  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_void_matrix(everyone, world, owner, consult, admin, name):
    invoice = _issued(admin, world, owner, consult)
    before = _state(invoice)
    response = _post(_as(everyone[name]), f"/invoices/{invoice.pk}/void", {"reason": "Duplicada"})
    assert response.status_code == VOID[name], response.content
    if VOID[name] == 200:
        assert (response.json()["status"], response.json()["void_reason"]) == ("void", "Duplicada")
    else:
        assert _state(invoice) == before


@pytest.mark.parametrize("name", NAMES)
def test_credit_note_matrix(everyone, world, owner, consult, admin, name):
    invoice = _issued(admin, world, owner, consult)
    before = _state(invoice)
    body = {"amount": "30.00", "reason": "Descuento olvidado"}
    response = _post(_as(everyone[name]), f"/invoices/{invoice.pk}/credit-notes", body)
    expected = {**VOID, "admin": 201, "manager_a": 201}[name]
    assert response.status_code == expected, response.content
    if expected == 201:
        assert response.json()["number"] == "BC01-00000001"
        assert response.json()["amount"] == "30.00"
        fresh = Invoice.objects.get(pk=invoice.pk)
        assert (fresh.status, fresh.balance) == ("partially_paid", Decimal("70.00"))
    else:
        assert _state(invoice) == before


# ---------------------------------------------------------------- tenant isolation


def test_other_organizations_and_locations_get_404_and_empty_lists(
    world, admin, cashier_a, vet_b, outsider, owner, consult
):
    invoice = _issued(admin, world, owner, consult)
    other_owner = OwnerFactory(organization=world.other_org)
    other = services.invoice_create(
        actor=outsider, location=world.other_location, client=other_owner,
        lines=[LineSpec(description="Consulta", unit_price=Decimal("10.00"))],
    )  # fmt: skip
    for user in (outsider, vet_b):
        http = _as(user)
        assert http.get(f"{API}/invoices/{invoice.pk}").status_code == 404
        assert http.get(f"{API}/invoices/{invoice.pk}/receipt.pdf").status_code == 404
        assert _patch(http, f"/invoices/{invoice.pk}", {"notes": "x"}).status_code == 404
    assert _as(vet_b).get(f"{API}/invoices").json() == {"items": [], "count": 0}
    listed = _as(outsider).get(f"{API}/invoices").json()
    assert [row["id"] for row in listed["items"]] == [str(other.pk)]
    mine = _as(cashier_a).get(f"{API}/invoices").json()
    assert [row["id"] for row in mine["items"]] == [str(invoice.pk)]
    assert _as(cashier_a).get(f"{API}/invoices/{other.pk}").status_code == 404
    response = _as(cashier_a).get(f"{API}/invoices?location={world.other_location.pk}")
    assert response.status_code == 404
    body = {
        "client": str(other_owner.pk), "location": str(world.location_a.pk),
        "lines": [{"description": "X", "unit_price": "1.00"}],
    }  # fmt: skip
    assert _post(_as(cashier_a), "/invoices", body).status_code == 404
    assert Invoice.objects.count() == 2


# ---------------------------------------------------------------- exact totals

TOTALS = [
    pytest.param(
        {"discount_percent": "10.00"},
        [{"description": "Cirugía", "quantity": "1", "unit_price": "200.00", "tax_rate": "18.00"}],
        {"subtotal": "200.00", "discount_total": "20.00", "tax_total": "32.40", "total": "212.40"},
        id="invoice-discount",
    ),
    pytest.param(
        {},
        [
            {
                "description": "Consulta",
                "quantity": "1",
                "unit_price": "50.00",
                "tax_rate": "18.00",
            },
            {"description": "Exonerado", "quantity": "2", "unit_price": "12.50", "tax_rate": "0"},
        ],
        {"subtotal": "75.00", "discount_total": "0.00", "tax_total": "9.00", "total": "84.00"},
        id="exempt-line",
    ),
    pytest.param(
        {},
        [{"description": "Tabletas", "quantity": "3", "unit_price": "0.3350", "tax_rate": "18.00"}],
        {"subtotal": "1.01", "discount_total": "0.00", "tax_total": "0.18", "total": "1.19"},
        id="rounding-half-up",
    ),
]


@pytest.mark.parametrize(("extra", "lines", "expected"), TOTALS)
def test_exact_totals(world, cashier_a, owner, extra, lines, expected):
    body = {"client": str(owner.pk), "location": str(world.location_a.pk), "lines": lines}
    response = _post(_as(cashier_a), "/invoices", {**body, **extra})
    assert response.status_code == 201, response.content
    got = response.json()
    assert {key: got[key] for key in expected} == expected
    assert (got["paid_total"], got["balance"], got["status"]) == (
        "0.00",
        expected["total"],
        "draft",
    )
    assert got["number"] is None


def test_created_invoice_answers_its_lines(world, cashier_a, owner, pet, consult):
    response = _post(_as(cashier_a), "/invoices", _body(world, owner, pet, consult))
    got = response.json()
    assert [(line["description"], line["unit_price"], line["tax_rate"], line["total_amount"])
            for line in got["lines"]] == [
        ("Consulta general", "50.00", "18.00", "59.00"),
        ("Baño medicado", "25.00", "18.00", "59.00"),
    ]  # fmt: skip
    assert (got["subtotal"], got["tax_total"], got["total"]) == ("100.00", "18.00", "118.00")
    assert got["client"] == {"id": str(owner.pk), "name": owner.full_name}
    assert got["patient"]["name"] == "Firulais"


# ---------------------------------------------------------------- drafts, payments, errors


def test_patch_a_draft_then_409_once_issued(world, cashier_a, owner, consult):
    invoice = _draft(cashier_a, world, owner, consult)
    http = _as(cashier_a)
    lines = [{"description": "Vacuna", "quantity": "2", "unit_price": "40.00", "tax_rate": "18"}]
    response = _patch(http, f"/invoices/{invoice.pk}", {"lines": lines, "discount_percent": "5"})
    assert response.status_code == 200, response.content
    assert (response.json()["subtotal"], response.json()["total"]) == ("80.00", "89.68")
    assert _post(http, f"/invoices/{invoice.pk}/issue", {}).status_code == 200
    response = _patch(http, f"/invoices/{invoice.pk}", {"notes": "otra"})
    assert (response.status_code, response.json()["code"]) == (409, "invoice_immutable")
    assert Invoice.objects.get(pk=invoice.pk).notes == ""


def test_overpayment_is_409_and_nothing_recorded(world, cashier_a, owner, consult):
    invoice = _issued(cashier_a, world, owner, consult)
    before = _state(invoice)
    body = {"amount": "100.01", "method": "card", "reference": "VISA-1"}
    response = _post(_as(cashier_a), f"/invoices/{invoice.pk}/payments", body)
    assert response.status_code == 409
    assert response.json() == {
        "message": "That is more than the balance of 100.00.",
        "code": "overpayment",
        "extra": {"balance": "100.00"},
    }
    assert _state(invoice) == before


def test_excess_kept_as_credit(world, cashier_a, owner, consult):
    invoice = _issued(cashier_a, world, owner, consult)
    body = {"amount": "120.00", "method": "cash", "keep_change_as_credit": True}
    response = _post(_as(cashier_a), f"/invoices/{invoice.pk}/payments", body)
    assert response.status_code == 201
    assert response.json()["kept_as_credit"] == "20.00"
    assert Invoice.objects.get(pk=invoice.pk).status == "paid"


def test_paying_a_draft_is_409(world, cashier_a, owner, consult):
    invoice = _draft(cashier_a, world, owner, consult)
    before = _state(invoice)
    body = {"amount": "10.00", "method": "cash"}
    response = _post(_as(cashier_a), f"/invoices/{invoice.pk}/payments", body)
    assert (response.status_code, response.json()["code"]) == (409, "invoice_not_payable")
    assert _state(invoice) == before


def test_naive_received_at_is_422(world, cashier_a, owner, consult):
    invoice = _issued(cashier_a, world, owner, consult)
    body = {"amount": "10.00", "method": "cash", "received_at": "2030-01-07T10:00:00"}
    response = _post(_as(cashier_a), f"/invoices/{invoice.pk}/payments", body)
    assert response.status_code == 422
    assert list(response.json()["extra"]["fields"]) == ["received_at"]
    assert Payment.objects.count() == 0


def test_bad_lines_are_422_with_fields(world, cashier_a, owner):
    lines = [{"description": "X", "quantity": "-1", "unit_price": "10", "discount_percent": "120"}]
    body = {"client": str(owner.pk), "location": str(world.location_a.pk), "lines": lines}
    response = _post(_as(cashier_a), "/invoices", body)
    assert response.status_code == 422
    assert response.json()["extra"]["fields"] == {
        "lines.0.quantity": ["Must be greater than zero."],
        "lines.0.discount_percent": ["A percentage cannot be over 100."],
    }
    assert Invoice.objects.count() == 0


def test_limit_over_200_is_422(cashier_a):
    response = _as(cashier_a).get(f"{API}/invoices?limit=500")
    assert response.status_code == 422
    assert list(response.json()["extra"]["fields"]) == ["limit"]


def test_receipt_pdf(world, cashier_a, owner, consult):
    invoice = _issued(cashier_a, world, owner, consult)
    services.payment_record(actor=cashier_a, invoice=invoice, amount="50.00", method="cash")
    response = _as(cashier_a).get(f"{API}/invoices/{invoice.pk}/receipt.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


# ---------------------------------------------------------------- estimates, plans, day close


def test_estimate_converts_to_a_draft_invoice(world, cashier_a, owner, pet, consult):
    http = _as(cashier_a)
    created = _post(http, "/estimates", _body(world, owner, pet, consult))
    assert created.status_code == 201, created.content
    assert created.json()["total"] == "118.00"
    estimate_id = created.json()["id"]
    response = _post(http, f"/estimates/{estimate_id}/convert", {})
    assert response.status_code == 201, response.content
    invoice = response.json()
    assert (invoice["status"], invoice["total"], len(invoice["lines"])) == ("draft", "118.00", 2)
    assert http.get(f"{API}/estimates/{estimate_id}").json()["invoice"] == invoice["id"]
    again = _post(http, f"/estimates/{estimate_id}/convert", {})
    assert (again.status_code, again.json()["code"]) == (409, "wrong_status")
    assert Estimate.objects.get(pk=estimate_id).status == "converted"


def test_payment_plan(world, cashier_a, owner, consult):
    invoice = _issued(cashier_a, world, owner, consult)
    http = _as(cashier_a)
    assert http.get(f"{API}/invoices/{invoice.pk}/payment-plan").status_code == 404
    body = {"installments": 3, "first_due_on": "2020-01-15"}
    response = _post(http, f"/invoices/{invoice.pk}/payment-plan", body)
    assert response.status_code == 201, response.content
    services.payment_record(actor=cashier_a, invoice=invoice, amount="33.33", method="cash")
    plan = http.get(f"{API}/invoices/{invoice.pk}/payment-plan").json()
    assert [
        (row["due_on"], row["amount"], row["is_covered"], row["is_overdue"])
        for row in plan["installments"]
    ] == [
        ("2020-01-15", "33.33", True, False),
        ("2020-02-15", "33.33", False, True),
        ("2020-03-15", "33.34", False, True),
    ]


def test_day_close(world, cashier_a, owner, consult):
    invoice = _issued(cashier_a, world, owner, consult)
    payment = services.payment_record(
        actor=cashier_a, invoice=invoice, amount="60.00", method="cash"
    )
    day = payment.received_at.astimezone(ZoneInfo(world.location_a.time_zone)).date().isoformat()
    body = {"location": str(world.location_a.pk), "business_date": day,
            "counted": {"cash": "59.50"}}  # fmt: skip
    response = _post(_as(cashier_a), "/day-closes", body)
    assert response.status_code == 201, response.content
    got = response.json()
    assert (got["expected_total"], got["counted_total"], got["difference_total"]) == (
        "60.00", "59.50", "-0.50"
    )  # fmt: skip
    assert got["lines"] == [
        {"method": "cash", "expected": "60.00", "counted": "59.50", "difference": "-0.50"}
    ]
    again = _post(_as(cashier_a), "/day-closes", body)
    assert (again.status_code, again.json()["code"]) == (409, "day_closed")
    assert DayClose.objects.count() == 1


# ---------------------------------------------------------------- query counts


def _rows(start: int, count: int, world, cashier_a, consult) -> None:
    today = today_in(world.location_a.time_zone)
    for index in range(start, start + count):
        owner = OwnerFactory(organization=world.org, first_name=f"Dueño {index}")
        invoice = _issued(cashier_a, world, owner, consult)
        services.payment_plan_create(
            actor=cashier_a, invoice=invoice, installments=2, first_due_on=today
        )
        services.estimate_create(
            actor=cashier_a, location=world.location_a, client=owner,
            lines=[LineSpec(product=consult)],
        )  # fmt: skip
        services.payment_record(actor=cashier_a, invoice=invoice, amount="10.00", method="cash")
        services.charge_add(
            actor=cashier_a, location=world.location_a, client=owner, patient=None,
            product=consult, quantity=Decimal(1), source="test", source_id=invoice.pk,
        )  # fmt: skip
        services.day_close_create(
            actor=cashier_a, location=world.location_a,
            business_date=today - dt.timedelta(days=index + 1), counted={"cash": "1.00"},
        )  # fmt: skip


LIST_QUERIES = {"/invoices": 11, "/estimates": 11, "/charges": 11, "/receivables": 11,
                "/day-closes": 12}  # fmt: skip


@pytest.mark.parametrize("path", list(LIST_QUERIES))
def test_list_queries_are_pinned(world, cashier_a, consult, path, django_assert_num_queries):
    http = _as(cashier_a)
    _rows(0, 3, world, cashier_a, consult)
    with django_assert_num_queries(LIST_QUERIES[path]):
        response = http.get(f"{API}{path}")
    assert response.json()["count"] == 3
    _rows(3, 7, world, cashier_a, consult)
    with django_assert_num_queries(LIST_QUERIES[path]):
        response = http.get(f"{API}{path}")
    assert response.json()["count"] == 10
