"""Revenue shares: what each invoice, payment and credit note puts on each line, written by the
billing services in their transaction, equal to a rebuild from the documents, and checked by
`vetrisys revenue-verify`."""

from __future__ import annotations

import datetime as dt
import importlib
from collections import defaultdict
from decimal import Decimal as D
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command

from vetrisys.accounts.tests.factories import make_staff
from vetrisys.billing.models import Charge, CreditNote, Invoice, Payment, RevenueShare
from vetrisys.billing.services import (
    LineSpec,
    credit_note_issue,
    invoice_create,
    invoice_issue,
    invoice_void,
    payment_record,
    revenue_shares_rebuild,
    revenue_shares_verify,
)
from vetrisys.billing.services.revenue import split
from vetrisys.core.errors import Conflict
from vetrisys.inventory.tests.factories import receive
from vetrisys.pharmacy import services as pharmacy
from vetrisys.records import services as records

Kind = RevenueShare.Kind
AMOUNTS = ("invoiced", "credited", "collected", "outstanding")


@pytest.mark.parametrize(
    ("amount", "weights", "parts"),
    [
        ("10.00", ["1", "1", "1"], ["3.33", "3.34", "3.33"]),
        ("-10.00", ["1", "1", "1"], ["-3.33", "-3.34", "-3.33"]),
        ("0.01", ["1", "1"], ["0.01", "0.00"]),
        ("33.33", ["59.00", "22.13"], ["24.24", "9.09"]),
        ("5.00", ["0", "0"], ["0.00", "0.00"]),
        ("7.00", ["0", "2.50", "0", "2.50"], ["0.00", "3.50", "0.00", "3.50"]),
    ],
)
def test_split_shares_to_the_cent(amount, weights, parts):
    found = split(D(amount), [D(w) for w in weights])
    assert found == [D(p) for p in parts]
    if any(D(w) for w in weights):
        assert sum(found, D(0)) == D(amount)


def _rows(invoice: Invoice, kind: int) -> list[tuple[Any, ...]]:
    return list(
        RevenueShare.objects.filter(invoice=invoice, kind=kind)
        .order_by("line__position")
        .values_list("line__description", *AMOUNTS)
    )


def _sums(invoice: Invoice) -> dict[str, D]:
    rows = RevenueShare.objects.filter(invoice=invoice)
    return {name: sum((getattr(r, name) for r in rows), D(0)) for name in AMOUNTS}


def _sell(admin, location, owner, *specs: tuple[str, str]) -> Invoice:
    lines = [
        LineSpec(description=name, unit_price=D(price), tax_rate=D(0)) for name, price in specs
    ]
    invoice = invoice_create(actor=admin, location=location, client=owner, lines=lines)
    return invoice_issue(actor=admin, invoice=invoice)


def test_each_document_writes_its_shares_in_its_transaction(world, admin, owner):
    invoice = _sell(admin, world.location_a, owner, ("A", "10.00"), ("B", "10.00"), ("C", "10.00"))
    assert _rows(invoice, Kind.ISSUE) == [
        ("A", D("10.00"), D(0), D(0), D("10.00")),
        ("B", D("10.00"), D(0), D(0), D("10.00")),
        ("C", D("10.00"), D(0), D(0), D("10.00")),
    ]

    payment_record(actor=admin, invoice=invoice, amount=D("10.00"), method="cash")
    assert _rows(invoice, Kind.PAYMENT) == [
        ("A", D(0), D(0), D("3.33"), D("-3.33")),
        ("B", D(0), D(0), D("3.34"), D("-3.34")),
        ("C", D(0), D(0), D("3.33"), D("-3.33")),
    ]

    credit_note_issue(
        actor=admin, invoice=invoice, reason="Error", amount=D("1.00"),
        outcome=CreditNote.Outcome.REFUND, refund_method="cash",
    )  # fmt: skip
    # 1.00 credited, all of it off the balance of 20.00: nothing refunded.
    assert _rows(invoice, Kind.CREDIT_NOTE) == [
        ("A", D(0), D("0.33"), D(0), D("-0.33")),
        ("B", D(0), D("0.34"), D(0), D("-0.34")),
        ("C", D(0), D("0.33"), D(0), D("-0.33")),
    ]
    invoice.refresh_from_db()
    assert _sums(invoice) == {
        "invoiced": D("30.00"),
        "credited": D("1.00"),
        "collected": D("10.00"),
        "outstanding": invoice.balance,
    }
    assert invoice.balance == D("19.00")


def test_an_overpayment_and_a_refund_move_collected_and_owed_apart(world, admin, owner):
    invoice = _sell(admin, world.location_a, owner, ("A", "30.00"), ("B", "10.00"))
    payment_record(
        actor=admin, invoice=invoice, amount=D("50.00"), method="cash", keep_as_credit=True
    )
    # 50 received, 40 of it applied: owed 0, collected 50.
    assert _rows(invoice, Kind.PAYMENT) == [
        ("A", D(0), D(0), D("37.50"), D("-30.00")),
        ("B", D(0), D(0), D("12.50"), D("-10.00")),
    ]
    credit_note_issue(
        actor=admin, invoice=invoice, reason="Devolución", amount=D("8.00"),
        outcome=CreditNote.Outcome.REFUND, refund_method="cash",
    )  # fmt: skip
    note = CreditNote.objects.get(invoice=invoice)
    assert (note.applied_to_balance, note.refunded_amount) == (D(0), D("8.00"))
    assert _rows(invoice, Kind.CREDIT_NOTE) == [
        ("A", D(0), D("6.00"), D("-6.00"), D(0)),
        ("B", D(0), D("2.00"), D("-2.00"), D(0)),
    ]
    invoice.refresh_from_db()
    assert _sums(invoice) == {
        "invoiced": D("40.00"),
        "credited": D("8.00"),
        "collected": D("42.00"),
        "outstanding": D(0),
    }
    assert invoice.balance == D(0)


def test_a_void_invoice_nets_to_nothing_at_its_issue_instant(world, admin, owner):
    invoice = _sell(admin, world.location_a, owner, ("A", "12.00"), ("B", "8.00"))
    invoice_void(actor=admin, invoice=invoice, reason="Duplicada")

    voided = RevenueShare.objects.filter(invoice=invoice, kind=Kind.VOID)
    assert sorted(r.invoiced for r in voided) == [D("-12.00"), D("-8.00")]
    assert {r.occurred_at for r in voided} == {invoice.issued_at}
    assert _sums(invoice) == dict.fromkeys(AMOUNTS, D(0))


def test_a_refused_payment_writes_no_share(world, admin, owner):
    invoice = _sell(admin, world.location_a, owner, ("A", "20.00"))
    before = list(RevenueShare.objects.values_list("id", *AMOUNTS))

    with pytest.raises(Conflict):
        payment_record(actor=admin, invoice=invoice, amount=D("25.00"), method="cash")

    assert list(RevenueShare.objects.values_list("id", *AMOUNTS)) == before
    assert Payment.objects.count() == 0


def test_a_zero_invoice_has_no_shares(world, admin, owner):
    invoice = _sell(admin, world.location_a, owner, ("Control gratuito", "0.00"))
    assert invoice.status == Invoice.Status.PAID
    assert RevenueShare.objects.filter(invoice=invoice).count() == 0


@pytest.fixture
def busy(world, admin, vet_a, owner, pet, consult, amoxicillin) -> list[Invoice]:
    """Invoices with a vet's procedure, another vet's dispensed prescription, a counter sale,
    partial payments, credit notes and a void invoice."""
    vet_b = make_staff(location=world.location_a, role="vet", username="vet_b")
    visit = records.visit_open(actor=vet_a, location=world.location_a, patient=pet, vet=vet_a,
                               reason="Control")  # fmt: skip
    records.procedure_add(actor=vet_a, visit=visit, product=consult)
    receive(admin, world.location_a, amoxicillin, 20, lot="L1", expires_on=dt.date(2099, 1, 31))
    prescription = pharmacy.prescription_create(
        actor=vet_b, visit=visit, product=amoxicillin, dose="1 tableta", route="oral",
        frequency="cada 12 horas", quantity=D("7"),
    )  # fmt: skip
    pharmacy.prescription_dispense(actor=admin, prescription=prescription, quantity=D("7"))
    mixed = invoice_create(
        actor=admin, location=world.location_a, client=owner, patient=pet,
        charges=list(Charge.objects.all()),
        lines=[LineSpec(description="Collar", unit_price=D("13.37"), tax_rate=D(0))],
    )  # fmt: skip
    mixed = invoice_issue(actor=admin, invoice=mixed)
    payment_record(actor=admin, invoice=mixed, amount=D("33.33"), method="cash")
    payment_record(actor=admin, invoice=mixed, amount=D("0.07"), method="card")
    credit_note_issue(actor=admin, invoice=mixed, reason="Descuento", amount=D("5.55"),
                      outcome=CreditNote.Outcome.CREDIT)  # fmt: skip
    counter = _sell(admin, world.location_b, owner, ("Shampoo", "17.90"), ("Snack", "3.33"))
    payment_record(actor=admin, invoice=counter, amount=D("21.23"), method="cash")
    voided = _sell(admin, world.location_a, owner, ("Baño", "45.00"))
    invoice_void(actor=admin, invoice=voided, reason="Error")
    return [Invoice.objects.get(pk=i.pk) for i in (mixed, counter, voided)]


def _stored() -> list[tuple[Any, ...]]:
    return sorted(
        (str(r.invoice_id), str(r.line_id), r.kind, str(r.document_id), str(r.vet_id),
         str(r.product_id), str(r.location_id), r.occurred_at, r.invoice_issued_at,
         *(getattr(r, name) for name in AMOUNTS))
        for r in RevenueShare.objects.all()
    )  # fmt: skip


def test_lines_are_their_vets_and_every_invoice_adds_up(busy, vet_a, amoxicillin):
    mixed = busy[0]
    by_vet: dict[str, D] = defaultdict(D)
    for row in RevenueShare.objects.filter(invoice=mixed):
        by_vet[row.vet.username if row.vet else ""] += row.invoiced
    lines = {line.description: line.total_amount for line in mixed.lines.all()}
    assert dict(by_vet) == {
        "vet_a": lines["Consulta general"],
        "vet_b": next(v for k, v in lines.items() if k.startswith("Amoxicilina")),
        "": D("13.37"),
    }
    for invoice in busy:
        sums = _sums(invoice)
        counted = invoice.status != Invoice.Status.VOID
        assert sums["invoiced"] == (invoice.total if counted else D(0))
        assert sums["outstanding"] == (invoice.balance if counted else D(0))
        assert sums["credited"] == sum(
            (n.amount for n in CreditNote.objects.filter(invoice=invoice)), D(0)
        )
        assert sums["collected"] == sum(
            (p.amount for p in Payment.objects.filter(invoice=invoice)), D(0)
        ) - sum((n.refunded_amount for n in CreditNote.objects.filter(invoice=invoice)), D(0))


def test_a_rebuild_writes_what_the_services_wrote(busy):
    written = _stored()
    assert len(written) == 3 + 3 * 2 + 3 + 2 + 2 + 1 + 1
    assert revenue_shares_verify() == []

    RevenueShare.objects.all().delete()
    assert revenue_shares_rebuild(batch_size=2) == len(written)

    # The void invoice's charges went back to pending, so its rebuilt lines have no vet; it
    # has none either way (a counter sale).
    assert _stored() == written


def test_verify_finds_a_changed_share_and_repair_puts_it_back(busy):
    mixed = busy[0]
    written = _stored()
    row = RevenueShare.objects.filter(invoice=mixed, kind=Kind.PAYMENT).first()
    RevenueShare.objects.filter(pk=row.pk).update(collected=row.collected + D("0.01"))
    RevenueShare.objects.filter(invoice=busy[1], kind=Kind.ISSUE).first().delete()

    assert revenue_shares_verify() == sorted([mixed.pk, busy[1].pk])
    with pytest.raises(CommandError) as refused:
        call_command("revenue_verify")
    assert refused.value.returncode == 1
    assert "2 invoice(s)" in str(refused.value)

    call_command("revenue_verify", "--repair")

    assert revenue_shares_verify() == []
    assert _stored() == written


def test_the_migration_fills_the_shares_of_earlier_invoices(busy):
    written = _stored()
    RevenueShare.objects.all().delete()
    migration = importlib.import_module("vetrisys.billing.migrations.0005_fill_revenue_shares")

    migration.fill(django_apps, None)

    assert _stored() == written


def test_awkward_amounts_share_the_same_in_the_services_and_the_rebuild(world, admin, owner):
    """Prices and payments that make thirds, halves of a cent and long fractions: the shares
    the services wrote equal, row for row, those the rebuild computes (in SQL on PostgreSQL)."""
    import random

    rng = random.Random(20261121)
    for _ in range(25):
        specs = [(f"L{n}", str(D(rng.randint(1, 99_999)) / 100)) for n in range(rng.randint(1, 5))]
        invoice = _sell(admin, world.location_a, owner, *specs)
        for _ in range(rng.randint(0, 3)):
            invoice.refresh_from_db()
            if invoice.balance <= D("0.01"):
                break
            part = (invoice.balance * D(rng.randint(1, 99)) / 100).quantize(D("0.01"))
            payment_record(actor=admin, invoice=invoice, amount=max(part, D("0.01")), method="cash")
    written = _stored()
    assert len(written) > 100

    assert revenue_shares_verify() == []
    RevenueShare.objects.all().delete()
    revenue_shares_rebuild()
    assert _stored() == written
