"""Amounts whose float sums are inexact still pay and close exactly (SQLite compares decimals
as floating point; PostgreSQL exactly)."""

from decimal import Decimal as D

from vetrisys.billing.models import Invoice
from vetrisys.billing.services import (
    expected_amounts,
    invoice_create,
    invoice_issue,
    payment_record,
)
from vetrisys.billing.services.documents import LineSpec
from vetrisys.core.timeutil import today_in


def test_partial_payments_of_awkward_amounts_keep_the_balance_exact(world, cashier_a, owner):
    draft = invoice_create(
        actor=cashier_a,
        location=world.location_a,
        client=owner,
        lines=[
            LineSpec(description="Control", unit_price=D("0.30"), tax_rate=D("0")),
            LineSpec(
                description="Curación", unit_price=D("0.10"), quantity=D("2"), tax_rate=D("0")
            ),
        ],
    )
    invoice = invoice_issue(actor=cashier_a, invoice=draft)
    assert invoice.total == D("0.50")

    for amount in ("0.10", "0.20", "0.10"):
        payment_record(actor=cashier_a, invoice=invoice, amount=D(amount), method="cash")

    invoice = Invoice.objects.get(pk=invoice.pk)
    assert (invoice.paid_total, invoice.balance, invoice.status) == (
        D("0.40"),
        D("0.10"),
        "partially_paid",
    )
    expected = expected_amounts(world.location_a, cashier_a, today_in(world.location_a.time_zone))
    assert expected["cash"] == D("0.40")
    assert expected["cash"].as_tuple().exponent == -2
