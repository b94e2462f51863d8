"""The revenue report against sums computed here from the invoices, payments and credit notes
themselves: every grouping adds up to the same totals, to the cent, in each location's zone."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from vetrisys.billing.models import CreditNote, Invoice, InvoiceLine, Payment
from vetrisys.billing.services import (
    LineSpec,
    invoice_create,
    invoice_issue,
    invoice_void,
    revenue_shares_rebuild,
)
from vetrisys.core.errors import NotAllowed, NotFound, ValidationFailed
from vetrisys.records import services as records
from vetrisys.reporting.revenue import revenue_report, revenue_totals
from vetrisys.reporting.tests.conftest import credit, lima, pay, sell

MARCH_1, MARCH_31 = dt.date(2026, 3, 1), dt.date(2026, 3, 31)
CENT = Decimal("0.01")


@dataclass
class March:
    """What was sold and paid around March 2026 at both locations."""

    invoices: list[Invoice]
    outside: list[Invoice]


@pytest.fixture
def march(world, admin, vet_a, owner, pet, consult, amoxicillin, nail_trim) -> March:
    from zoneinfo import ZoneInfo

    world.location_b.time_zone = "America/Santiago"
    world.location_b.save()
    santiago = ZoneInfo("America/Santiago")
    a, b = world.location_a, world.location_b
    # The worked example of docs/billing-totals.md: 112.88.
    first = sell(admin, a, owner, [
        LineSpec(product=consult, quantity=1),
        LineSpec(product=amoxicillin, quantity=3, discount_percent=Decimal(10)),
        LineSpec(product=nail_trim, quantity=1),
    ], issued_at=lima(dt.date(2026, 3, 10)), discount_percent="5")  # fmt: skip
    pay(admin, first, "100.00", lima(dt.date(2026, 3, 10), "10:05"))
    credit(admin, first, "20.00", lima(dt.date(2026, 3, 20)), refund=True)
    # Issued 23:30 on 31 March in Lima (already 1 April in UTC): March's.
    late = sell(admin, a, owner, [LineSpec(product=consult, quantity=2)],
                issued_at=lima(MARCH_31, "23:30"))  # fmt: skip
    pay(admin, late, "18.00", lima(MARCH_31, "23:40"))
    # A vet's procedure charged together with a counter sale.
    visit = records.visit_open(actor=vet_a, location=a, patient=pet, vet=vet_a, reason="Control")
    records.procedure_add(actor=vet_a, visit=visit, product=consult)
    from vetrisys.billing.models import Charge

    mixed = invoice_create(
        actor=admin, location=a, client=owner, patient=pet, charges=list(Charge.objects.all()),
        lines=[LineSpec(product=amoxicillin, quantity=Decimal("1.5"))],
    )  # fmt: skip
    mixed = invoice_issue(actor=admin, invoice=mixed)
    Invoice.objects.filter(pk=mixed.pk).update(issued_at=lima(dt.date(2026, 3, 12), "16:00"))
    revenue_shares_rebuild(invoice_ids=[mixed.pk])
    pay(admin, mixed, "33.33", lima(dt.date(2026, 3, 12), "16:10"))
    # Void and draft invoices never count.
    voided = sell(admin, a, owner, [LineSpec(product=consult, quantity=9)],
                  issued_at=lima(dt.date(2026, 3, 11)))  # fmt: skip
    invoice_void(actor=admin, invoice=voided, reason="Duplicada")
    invoice_create(actor=admin, location=a, client=owner, lines=[LineSpec(product=consult)])
    # February's invoice paid in March: its payment is March's collection.
    february = sell(admin, a, owner, [LineSpec(product=nail_trim, quantity=1)],
                    issued_at=lima(dt.date(2026, 2, 28)))  # fmt: skip
    pay(admin, february, "20.00", lima(MARCH_1, "09:00"))
    # Arequipa Centro keeps Santiago's clock for this test.
    at_b = sell(admin, b, owner, [LineSpec(product=amoxicillin, quantity=7)],
                issued_at=dt.datetime(2026, 3, 15, 12, 0, tzinfo=santiago))  # fmt: skip
    pay(admin, at_b, "50.00", dt.datetime(2026, 3, 16, 9, 0, tzinfo=santiago))
    # 00:30 on 1 April in Santiago is still 31 March in Lima, but Santiago's day counts.
    april_b = sell(admin, b, owner, [LineSpec(product=nail_trim, quantity=1)],
                   issued_at=dt.datetime(2026, 4, 1, 0, 30, tzinfo=santiago))  # fmt: skip
    return March(
        invoices=[Invoice.objects.get(pk=i.pk) for i in (first, late, mixed, at_b)],
        outside=[february, april_b, voided],
    )


def expected_totals(march: March) -> dict[str, Decimal]:
    """The figures computed from the documents, not by the report."""
    window_a = (lima(MARCH_1, "00:00"), lima(dt.date(2026, 4, 1), "00:00"))
    payments = [p for p in Payment.objects.all() if window_a[0] <= p.received_at < window_a[1]]
    notes = list(CreditNote.objects.all())
    return {
        "invoiced": sum((i.total for i in march.invoices), Decimal(0)),
        "outstanding": sum((i.balance for i in march.invoices), Decimal(0)),
        "collected": sum((p.amount for p in payments), Decimal(0))
        - sum((n.refunded_amount for n in notes), Decimal(0)),
        "credited": sum((n.amount for n in notes), Decimal(0)),
    }


def sums(rows: list[Any]) -> dict[str, Decimal]:
    return {
        name: sum((getattr(r, name) for r in rows), Decimal(0))
        for name in ("invoiced", "outstanding", "collected", "credited")
    }


def test_the_documents_give_the_expected_march(march):
    assert [i.total for i in march.invoices] == [
        Decimal("112.88"), Decimal("118.00"), Decimal("81.13"), Decimal("103.25"),
    ]  # fmt: skip
    assert expected_totals(march) == {
        "invoiced": Decimal("415.26"),
        "outstanding": Decimal("100.00") + Decimal("47.80") + Decimal("53.25"),
        "collected": Decimal("100.00") + Decimal("18.00") + Decimal("33.33") + Decimal("20.00")
        + Decimal("50.00") - Decimal("7.12"),
        "credited": Decimal("20.00"),
    }  # fmt: skip


@pytest.mark.parametrize("group_by", ["day", "month", "location", "vet", "service"])
def test_every_grouping_adds_up_to_the_documents(march, admin, group_by):
    rows = revenue_report(actor=admin, date_from=MARCH_1, date_to=MARCH_31, group_by=group_by)

    assert sums(rows) == expected_totals(march)
    totals = revenue_totals(
        organization_id=admin.organization_id,
        location_ids=[march.invoices[0].location_id, march.invoices[3].location_id],
        date_from=MARCH_1,
        date_to=MARCH_31,
    )
    assert (totals.invoiced, totals.outstanding, totals.collected, totals.credited) == tuple(
        expected_totals(march).values()
    )


def test_days_are_the_locations_own_days(march, admin):
    rows = revenue_report(actor=admin, date_from=MARCH_1, date_to=MARCH_31, group_by="day")

    by_day = {r.key: (r.invoiced, r.collected, r.outstanding, r.credited) for r in rows}
    zero = Decimal("0.00")
    assert by_day == {
        "2026-03-01": (zero, Decimal("20.00"), zero, zero),
        "2026-03-10": (Decimal("112.88"), Decimal("100.00"), zero, zero),
        "2026-03-12": (Decimal("81.13"), Decimal("33.33"), Decimal("47.80"), zero),
        "2026-03-15": (Decimal("103.25"), zero, Decimal("53.25"), zero),
        "2026-03-16": (zero, Decimal("50.00"), zero, zero),
        "2026-03-20": (zero, Decimal("-7.12"), zero, Decimal("20.00")),
        "2026-03-31": (Decimal("118.00"), Decimal("18.00"), Decimal("100.00"), zero),
    }


def test_months_and_locations(march, admin, world):
    months = revenue_report(
        actor=admin, date_from=dt.date(2026, 2, 1), date_to=dt.date(2026, 4, 30), group_by="month"
    )
    assert [(r.key, r.invoiced) for r in months] == [
        ("2026-02", Decimal("20.00")), ("2026-03", Decimal("415.26")),
        ("2026-04", Decimal("20.00")),
    ]  # fmt: skip
    places = revenue_report(actor=admin, date_from=MARCH_1, date_to=MARCH_31, group_by="location")
    assert [(r.label, r.invoiced, r.collected) for r in places] == [
        ("Arequipa Centro", Decimal("103.25"), Decimal("50.00")),
        ("Miraflores", Decimal("312.01"), Decimal("164.21")),
    ]
    assert places[0].key == str(world.location_b.pk)


def share(amount: Decimal, lines: list[InvoiceLine], total: Decimal) -> dict[Any, Decimal]:
    """Cumulative rounding, computed here with Decimal half-up."""
    result: dict[Any, Decimal] = {}
    running = Decimal(0)
    for line in lines:
        before = (amount * running / total).quantize(CENT, rounding=ROUND_HALF_UP)
        running += line.total_amount
        after = (amount * running / total).quantize(CENT, rounding=ROUND_HALF_UP)
        result[line.pk] = after - before
    return result


def test_services_share_each_document_to_the_cent(march, admin, consult, amoxicillin, nail_trim):
    expected: dict[Any, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for invoice_id, amounts in expected_documents(march):
        invoice = Invoice.objects.get(pk=invoice_id)
        lines = list(invoice.lines.order_by("position", "id"))
        for name, amount in amounts.items():
            for line in lines:
                expected[str(line.product_id)][name] += share(amount, lines, invoice.total)[line.pk]

    rows = revenue_report(actor=admin, date_from=MARCH_1, date_to=MARCH_31, group_by="service")

    found = {
        r.key: {"invoiced": r.invoiced, "credited": r.credited, "collected": r.collected,
                "outstanding": r.outstanding}
        for r in rows
    }  # fmt: skip
    assert found == {
        key: {name: value.get(name, Decimal(0)) for name in found[key]}
        for key, value in expected.items()
    }
    assert [r.label for r in rows] == ["Consulta general", "Amoxicilina 250 mg", "Corte de uñas"]
    consult_lines = InvoiceLine.objects.filter(
        product=consult, invoice__in=march.invoices
    ).values_list("total_amount", flat=True)
    assert found[str(consult.pk)]["invoiced"] == sum(consult_lines, Decimal(0))


def expected_documents(march: March) -> list[tuple[Any, dict[str, Decimal]]]:
    """Each document's part of March, with its invoice: the month's invoices (their totals,
    owed when issued), every payment and credit note (collected and credited when dated in
    March; what they took off the balance of the month's invoices, whenever dated)."""
    window = (lima(MARCH_1, "00:00"), lima(dt.date(2026, 4, 1), "00:00"))
    of_march = {invoice.pk for invoice in march.invoices}
    documents: list[tuple[Any, dict[str, Decimal]]] = [
        (invoice.pk, {"invoiced": invoice.total, "outstanding": invoice.total})
        for invoice in march.invoices
    ]
    for payment in Payment.objects.all():
        amounts: dict[str, Decimal] = {}
        if window[0] <= payment.received_at < window[1]:
            amounts["collected"] = payment.amount
        if payment.invoice_id in of_march:
            amounts["outstanding"] = -(payment.amount - payment.kept_as_credit)
        documents.append((payment.invoice_id, amounts))
    for note in CreditNote.objects.all():
        amounts = {}
        if window[0] <= note.issued_at < window[1]:
            amounts["collected"] = -note.refunded_amount
            amounts["credited"] = note.amount
        if note.invoice_id in of_march:
            amounts["outstanding"] = -note.applied_to_balance
        documents.append((note.invoice_id, amounts))
    return documents


def test_a_vets_procedures_are_theirs_and_counter_sales_are_nobodys(march, admin, vet_a):
    vet_a.first_name, vet_a.last_name = "Lucía", "Ramos"
    vet_a.save(update_fields=["first_name", "last_name"])

    rows = revenue_report(actor=admin, date_from=MARCH_1, date_to=MARCH_31, group_by="vet")

    assert [(r.key, r.label) for r in rows] == [
        (str(vet_a.pk), "Lucía Ramos"), ("", "No vet (counter sales)"),
    ]  # fmt: skip
    mixed = march.invoices[2]
    consult_line = mixed.lines.get(product__name="Consulta general")
    lines = list(mixed.lines.order_by("position", "id"))
    assert rows[0].invoiced == consult_line.total_amount == Decimal("59.00")
    paid = share(Decimal("33.33"), lines, mixed.total)[consult_line.pk]
    assert rows[0].collected == paid == Decimal("24.24")
    assert rows[0].outstanding == Decimal("59.00") - paid == Decimal("34.76")


def test_a_period_is_the_sum_of_its_days(march, admin):
    """Shares are fixed when a document is written, so splitting a period changes nothing."""
    whole = revenue_report(actor=admin, date_from=MARCH_1, date_to=MARCH_31, group_by="service")
    halves = [
        revenue_report(actor=admin, date_from=MARCH_1, date_to=dt.date(2026, 3, 11),
                       group_by="service"),
        revenue_report(actor=admin, date_from=dt.date(2026, 3, 12), date_to=MARCH_31,
                       group_by="service"),
    ]  # fmt: skip
    added: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 4)
    for half in halves:
        for row in half:
            added[row.key] = [a + b for a, b in zip(added[row.key], _figures(row), strict=True)]
    assert {r.key: _figures(r) for r in whole} == dict(added)
    assert len(whole) == 3


def _figures(row: Any) -> list[Decimal]:
    return [row.invoiced, row.credited, row.collected, row.outstanding]


def test_a_manager_sees_their_location_only(march, manager_a, world):
    rows = revenue_report(actor=manager_a, date_from=MARCH_1, date_to=MARCH_31, group_by="location")
    assert [r.label for r in rows] == ["Miraflores"]
    with pytest.raises(NotFound):
        revenue_report(
            actor=manager_a, date_from=MARCH_1, date_to=MARCH_31, group_by="day",
            location=world.location_b,
        )  # fmt: skip


@pytest.mark.parametrize("name", ["vet_a", "vet_b", "receptionist_a"])
def test_staff_without_reports_view_are_refused(people, name, world):
    with pytest.raises(NotAllowed):
        revenue_report(actor=people[name], date_from=MARCH_1, date_to=MARCH_31, group_by="day")


def test_another_organization_is_not_found(outsider, world):
    with pytest.raises(NotFound):
        revenue_report(
            actor=outsider, date_from=MARCH_1, date_to=MARCH_31, group_by="day",
            location=world.location_a,
        )  # fmt: skip
    assert revenue_report(actor=outsider, date_from=MARCH_1, date_to=MARCH_31, group_by="day") == []


@pytest.mark.parametrize(
    ("date_from", "date_to", "group_by", "field"),
    [
        (MARCH_31, MARCH_1, "day", "date_to"),
        (dt.date(2016, 3, 1), dt.date(2026, 3, 1), "day", "date_to"),
        (MARCH_1, MARCH_31, "week", "group_by"),
    ],
)
def test_invalid_requests(admin, date_from, date_to, group_by, field):
    with pytest.raises(ValidationFailed) as error:
        revenue_report(actor=admin, date_from=date_from, date_to=date_to, group_by=group_by)
    assert list(error.value.extra["fields"]) == [field]


def test_ten_years_less_a_day_is_allowed(admin):
    rows = revenue_report(
        actor=admin, date_from=dt.date(2016, 3, 1), date_to=dt.date(2026, 2, 28), group_by="month"
    )
    assert rows == []
