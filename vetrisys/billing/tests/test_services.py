"""Invoices, payments, void, credit notes, plans, aging and the day close."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal as D

import pytest

from vetrisys.billing import selectors
from vetrisys.billing.models import Charge, ClientCreditEntry, Invoice, Payment
from vetrisys.billing.services import (
    CreditLineSpec,
    LineSpec,
    charge_add,
    charge_cancel,
    credit_note_issue,
    day_close_create,
    estimate_convert,
    estimate_create,
    invoice_create,
    invoice_create_from_charges,
    invoice_issue,
    invoice_update,
    invoice_void,
    payment_plan_create,
    payment_record,
)
from vetrisys.core.errors import Conflict, NotAllowed, ValidationFailed
from vetrisys.core.timeutil import today_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(world, cashier_a, owner, pet, consult) -> Invoice:
    """An issued boleta of 118.00 (two consults of 50.00 + 18 % IGV)."""
    draft = invoice_create(
        actor=cashier_a, location=world.location_a, client=owner, patient=pet,
        lines=[LineSpec(product=consult, quantity=D("2"))],
    )  # fmt: skip
    return invoice_issue(actor=cashier_a, invoice=draft)


def test_a_draft_gets_totals_and_issuing_gives_the_next_number(world, cashier_a, owner, consult):
    draft = invoice_create(
        actor=cashier_a, location=world.location_a, client=owner,
        lines=[LineSpec(product=consult, quantity=D("1"), discount_percent=D("10"))],
        discount_percent=D("5"),
    )  # fmt: skip
    assert (draft.status, draft.subtotal, draft.discount_total, draft.tax_total, draft.total) == (
        "draft", D("50.00"), D("7.25"), D("7.70"), D("50.45")
    )  # fmt: skip
    first = invoice_issue(actor=cashier_a, invoice=draft)
    second = invoice_issue(
        actor=cashier_a,
        invoice=invoice_create(
            actor=cashier_a,
            location=world.location_a,
            client=owner,
            lines=[LineSpec(description="Baño", quantity=D("1"), unit_price=D("30"))],
        ),
    )
    assert (first.full_number, second.full_number) == ("B001-00000001", "B001-00000002")
    assert first.balance == D("50.45")
    owner.refresh_from_db()
    assert owner.balance == D("50.45") + D("35.40")


def test_an_issued_invoice_never_changes(issued, cashier_a):
    with pytest.raises(Conflict) as error:
        invoice_update(actor=cashier_a, invoice=issued, discount_percent=D("10"))
    assert error.value.code == "invoice_immutable"
    with pytest.raises(Conflict):
        invoice_issue(actor=cashier_a, invoice=issued)


@pytest.mark.parametrize(
    ("line", "field"),
    [
        (LineSpec(description="x", quantity=D("-1"), unit_price=D("1")), "lines.0.quantity"),
        (LineSpec(description="x", quantity=D("1"), unit_price=D("-1")), "lines.0.unit_price"),
        (LineSpec(description="x", quantity=D("1"), unit_price=D("1"), discount_percent=D("101")),
         "lines.0.discount_percent"),
        (LineSpec(description="x", quantity=D("1"), unit_price=D("1"), discount_amount=D("2")),
         "lines.0.discount_amount"),
    ],
)  # fmt: skip
def test_bad_lines_are_refused_and_nothing_is_recorded(world, cashier_a, owner, line, field):
    with pytest.raises(ValidationFailed) as error:
        invoice_create(actor=cashier_a, location=world.location_a, client=owner, lines=[line])
    assert list(error.value.fields) == [field]
    assert Invoice.objects.count() == 0


def test_a_factura_needs_a_ruc(world, cashier_a, owner, consult):
    with pytest.raises(ValidationFailed) as error:
        invoice_create(
            actor=cashier_a, location=world.location_a, client=owner, document_type="factura",
            lines=[LineSpec(product=consult)],
        )  # fmt: skip
    assert list(error.value.fields) == ["document_type"]


def test_partial_payments_then_paid(issued, cashier_a):
    payment_record(actor=cashier_a, invoice=issued, amount=D("50.00"), method="cash",
                   cash_tendered=D("100.00"))  # fmt: skip
    issued.refresh_from_db()
    assert (issued.status, issued.paid_total, issued.balance) == (
        "partially_paid",
        D("50.00"),
        D("68.00"),
    )
    assert Payment.objects.get().change_given == D("50.00")
    payment_record(actor=cashier_a, invoice=issued, amount=D("68.00"), method="mobile_wallet",
                   wallet_provider="yape", reference="OP-1")  # fmt: skip
    issued.refresh_from_db()
    assert (issued.status, issued.balance) == ("paid", D("0.00"))
    issued.client.refresh_from_db()
    assert issued.client.balance == D("0.00")


def test_overpayment_is_refused_unless_kept_as_credit(issued, cashier_a):
    with pytest.raises(Conflict) as error:
        payment_record(actor=cashier_a, invoice=issued, amount=D("120.00"), method="card")
    assert error.value.code == "overpayment"
    assert Payment.objects.count() == 0
    payment_record(actor=cashier_a, invoice=issued, amount=D("120.00"), method="cash",
                   keep_as_credit=True)  # fmt: skip
    assert selectors.client_credit_balance(actor=cashier_a, client=issued.client) == D("2.00")
    issued.refresh_from_db()
    assert issued.status == "paid"


def test_credit_pays_only_what_there_is(issued, cashier_a, world, owner, consult):
    with pytest.raises(Conflict) as error:
        payment_record(actor=cashier_a, invoice=issued, amount=D("1.00"), method="credit")
    assert error.value.code == "insufficient_credit"
    payment_record(actor=cashier_a, invoice=issued, amount=D("128.00"), method="cash",
                   keep_as_credit=True)  # fmt: skip
    other = invoice_issue(actor=cashier_a, invoice=invoice_create(
        actor=cashier_a, location=world.location_a, client=owner,
        lines=[LineSpec(description="Corte", unit_price=D("5.00"), tax_rate=D("0"))],
    ))  # fmt: skip
    payment_record(actor=cashier_a, invoice=other, amount=D("5.00"), method="credit")
    assert selectors.client_credit_balance(actor=cashier_a, client=owner) == D("5.00")


def test_paying_a_draft_or_void_invoice_is_a_conflict(world, cashier_a, manager_a, owner, consult):
    draft = invoice_create(actor=cashier_a, location=world.location_a, client=owner,
                           lines=[LineSpec(product=consult)])  # fmt: skip
    with pytest.raises(Conflict) as error:
        payment_record(actor=cashier_a, invoice=draft, amount=D("1"), method="cash")
    assert error.value.code == "invoice_not_payable"
    issued = invoice_issue(actor=cashier_a, invoice=draft)
    invoice_void(actor=manager_a, invoice=issued, reason="Wrong owner")
    with pytest.raises(Conflict):
        payment_record(actor=cashier_a, invoice=issued, amount=D("1"), method="cash")
    assert Payment.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "allowed"),
    [("admin", True), ("manager_a", True), ("cashier_a", True), ("receptionist_a", True),
     ("vet_a", False), ("pharmacist_a", False), ("technician_a", False), ("vet_b", False)],
)  # fmt: skip
def test_who_takes_payments(issued, everyone, name, allowed):
    if allowed:
        payment_record(actor=everyone[name], invoice=issued, amount=D("1.00"), method="cash")
        assert Payment.objects.count() == 1
    else:
        with pytest.raises(NotAllowed):
            payment_record(actor=everyone[name], invoice=issued, amount=D("1.00"), method="cash")
        assert Payment.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "allowed"),
    [("admin", True), ("manager_a", True), ("cashier_a", False), ("receptionist_a", False),
     ("vet_a", False), ("pharmacist_a", False)],
)  # fmt: skip
def test_only_managers_and_admins_void(issued, everyone, name, allowed):
    if allowed:
        assert (
            invoice_void(actor=everyone[name], invoice=issued, reason="Duplicate").status == "void"
        )
    else:
        with pytest.raises(NotAllowed):
            invoice_void(actor=everyone[name], invoice=issued, reason="Duplicate")
        issued.refresh_from_db()
        assert issued.status == "issued"


def test_an_invoice_with_payments_cannot_be_voided(issued, cashier_a, manager_a):
    payment_record(actor=cashier_a, invoice=issued, amount=D("10.00"), method="cash")
    with pytest.raises(Conflict) as error:
        invoice_void(actor=manager_a, invoice=issued, reason="x")
    assert error.value.code == "invoice_has_payments"


def test_charges_become_lines_invoiced_on_issue_and_pending_again_on_void(
    world, vet_a, cashier_a, manager_a, owner, pet, consult
):
    source_id = uuid.uuid4()
    charge = charge_add(actor=vet_a, location=world.location_a, client=owner, patient=pet,
                        product=consult, quantity=D("1"), source="records.procedure",
                        source_id=source_id)  # fmt: skip
    draft = invoice_create_from_charges(actor=cashier_a, location=world.location_a, client=owner)
    assert draft.total == D("59.00")
    invoice = invoice_issue(actor=cashier_a, invoice=draft)
    charge.refresh_from_db()
    assert charge.status == "invoiced"
    with pytest.raises(Conflict) as error:
        charge_cancel(actor=vet_a, source="records.procedure", source_id=source_id, reason="x")
    assert error.value.code == "charge_invoiced"
    invoice_void(actor=manager_a, invoice=invoice, reason="Wrong owner")
    charge.refresh_from_db()
    assert (charge.status, charge.invoice_line_id) == ("pending", None)


def test_cancelling_a_charge_on_a_draft_takes_it_off(world, vet_a, cashier_a, owner, pet, consult):
    source_id = uuid.uuid4()
    charge_add(actor=vet_a, location=world.location_a, client=owner, patient=pet, product=consult,
               quantity=D("1"), source="records.procedure", source_id=source_id)  # fmt: skip
    draft = invoice_create_from_charges(
        actor=cashier_a,
        location=world.location_a,
        client=owner,
    )
    charge_cancel(actor=vet_a, source="records.procedure", source_id=source_id, reason="Error")
    draft.refresh_from_db()
    assert (draft.lines.count(), draft.total) == (0, D("0.00"))
    assert Charge.objects.get().status == "cancelled"


def test_credit_note_by_amount_lowers_the_balance(issued, manager_a, cashier_a):
    note = credit_note_issue(actor=manager_a, invoice=issued, amount=D("18.00"), reason="Promo")
    issued.refresh_from_db()
    assert (note.full_number, note.applied_to_balance, issued.balance) == (
        "BC01-00000001", D("18.00"), D("100.00")
    )  # fmt: skip
    with pytest.raises(NotAllowed):
        credit_note_issue(actor=cashier_a, invoice=issued, amount=D("1.00"), reason="x")


def test_credit_note_on_a_paid_invoice_gives_credit_or_refund(issued, manager_a, cashier_a):
    payment_record(actor=cashier_a, invoice=issued, amount=D("118.00"), method="cash")
    line = issued.lines.get()
    note = credit_note_issue(
        actor=manager_a, invoice=issued, lines=[CreditLineSpec(line=line, quantity=D("1"))],
        reason="One consult was not done", outcome="refund", refund_method="cash",
    )  # fmt: skip
    issued.refresh_from_db()
    assert (note.amount, note.refunded_amount, issued.status, issued.balance) == (
        D("59.00"), D("59.00"), "paid", D("0.00")
    )  # fmt: skip
    with pytest.raises(Conflict) as error:
        credit_note_issue(actor=manager_a, invoice=issued, amount=D("60.00"), reason="x")
    assert error.value.code == "credit_exceeds_invoice"
    credit_note_issue(actor=manager_a, invoice=issued, amount=D("59.00"), reason="all")
    assert selectors.client_credit_balance(actor=manager_a, client=issued.client) == D("59.00")
    assert ClientCreditEntry.objects.count() == 1


def test_a_plan_splits_the_balance_and_reports_what_is_due(issued, cashier_a, world):
    today = today_in(world.location_a.time_zone)
    plan = payment_plan_create(actor=cashier_a, invoice=issued, installments=3,
                               first_due_on=today - dt.timedelta(days=1))  # fmt: skip
    amounts = list(plan.installments.values_list("amount", flat=True))
    assert amounts == [D("39.33"), D("39.33"), D("39.34")]
    assert [i.sequence for i in selectors.installments_due(actor=cashier_a, on=today)] == [1]
    payment_record(actor=cashier_a, invoice=issued, amount=D("40.00"), method="cash")
    assert list(selectors.installments_due(actor=cashier_a, on=today)) == []
    with pytest.raises(Conflict):
        payment_plan_create(actor=cashier_a, invoice=issued, installments=2, first_due_on=today)


def test_aging_buckets(issued, cashier_a, world, owner):
    today = today_in(world.location_a.time_zone)
    row = selectors.receivables(actor=cashier_a, on=today + dt.timedelta(days=45)).get()
    assert (row["outstanding"], row["current"], row["days_31_60"]) == (
        D("118.00"),
        D("0.00"),
        D("118.00"),
    )
    row = selectors.receivables(actor=cashier_a, on=today).get()
    assert row["current"] == D("118.00")


def test_the_day_closes_once_with_its_differences(issued, cashier_a, world):
    payment_record(actor=cashier_a, invoice=issued, amount=D("50.00"), method="cash")
    payment_record(actor=cashier_a, invoice=issued, amount=D("20.00"), method="card")
    today = today_in(world.location_a.time_zone)
    close = day_close_create(actor=cashier_a, location=world.location_a, business_date=today,
                             counted={"cash": D("49.50"), "card": D("20.00")})  # fmt: skip
    lines = {
        line.method: (line.expected, line.counted, line.difference) for line in close.lines.all()
    }
    assert lines == {"cash": (D("50.00"), D("49.50"), D("-0.50")),
                     "card": (D("20.00"), D("20.00"), D("0.00"))}  # fmt: skip
    with pytest.raises(Conflict) as error:
        day_close_create(
            actor=cashier_a, location=world.location_a, business_date=today, counted={}
        )
    assert error.value.code == "day_closed"


def test_an_estimate_converts_into_a_draft_invoice(world, receptionist_a, owner, consult):
    estimate = estimate_create(actor=receptionist_a, location=world.location_a, client=owner,
                               lines=[LineSpec(product=consult, quantity=D("2"))])  # fmt: skip
    invoice = estimate_convert(actor=receptionist_a, estimate=estimate)
    estimate.refresh_from_db()
    assert (estimate.status, invoice.status, invoice.total) == ("converted", "draft", D("118.00"))
    with pytest.raises(Conflict):
        estimate_convert(actor=receptionist_a, estimate=estimate)
