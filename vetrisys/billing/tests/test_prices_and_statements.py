import datetime as dt
from decimal import Decimal as D

import pytest

from vetrisys.billing import selectors
from vetrisys.billing.models import Invoice, InvoiceLine, LocationPrice
from vetrisys.billing.prices import current_price
from vetrisys.billing.services import (
    LineSpec,
    credit_note_issue,
    invoice_create,
    invoice_issue,
    invoice_update,
    payment_record,
    price_set,
)
from vetrisys.core.errors import NotAllowed

JAN = dt.datetime(2030, 1, 1, 5, 0, tzinfo=dt.UTC)
MAR = dt.datetime(2030, 3, 1, 5, 0, tzinfo=dt.UTC)


def test_new_lines_on_a_draft_replace_the_old_ones_with_exact_totals(
    world, cashier_a, owner, consult
):
    invoice = invoice_create(
        actor=cashier_a, location=world.location_a, client=owner, lines=[LineSpec(product=consult)]
    )
    assert invoice.total == D("59.00")
    invoice_update(
        actor=cashier_a,
        invoice=invoice,
        discount_percent=D("10"),
        lines=[
            LineSpec(description="Cirugía menor", unit_price=D("350.00"), tax_rate=D("18")),
            LineSpec(
                description="Vitaminas",
                quantity=D("3"),
                unit_price=D("4.15"),
                discount_percent=D("5"),
                tax_rate=D("0"),
            ),
        ],
    )
    fresh = Invoice.objects.get(pk=invoice.pk)
    lines = list(InvoiceLine.objects.filter(invoice=invoice).order_by("position"))
    assert [(line.description, line.net_amount, line.tax_amount, line.total_amount)
            for line in lines] == [
        ("Cirugía menor", D("315.00"), D("56.70"), D("371.70")),
        ("Vitaminas", D("10.64"), D("0.00"), D("10.64")),
    ]  # fmt: skip
    assert (fresh.subtotal, fresh.discount_total, fresh.tax_total, fresh.total) == (
        D("362.45"), D("36.81"), D("56.70"), D("382.34")
    )  # fmt: skip
    assert fresh.balance == D("382.34")
    assert fresh.status == Invoice.Status.DRAFT


def test_price_history_and_the_price_at_a_date(world, manager_a, cashier_a, consult):
    assert current_price(world.location_a, consult, at=JAN) == D("50.00")
    price_set(actor=manager_a, location=world.location_a, product=consult, price="55.00",
              valid_from=JAN)  # fmt: skip
    price_set(actor=manager_a, location=world.location_a, product=consult, price="60.50",
              valid_from=MAR)  # fmt: skip
    history = LocationPrice.objects.filter(location=world.location_a, product=consult)
    assert [(row.price, row.valid_from) for row in history] == [
        (D("60.5000"), MAR), (D("55.0000"), JAN)
    ]  # fmt: skip
    assert current_price(world.location_a, consult, at=JAN - dt.timedelta(seconds=1)) == D("50.00")
    assert current_price(world.location_a, consult, at=JAN) == D("55.00")
    assert current_price(world.location_a, consult, at=MAR - dt.timedelta(days=1)) == D("55.00")
    assert current_price(world.location_a, consult, at=MAR) == D("60.50")
    assert current_price(world.location_b, consult, at=MAR) == D("50.00")
    with pytest.raises(NotAllowed):
        price_set(actor=cashier_a, location=world.location_a, product=consult, price="1.00")
    assert history.count() == 2


def test_client_statement_has_exact_rows(world, cashier_a, manager_a, owner, consult):
    draft = invoice_create(
        actor=cashier_a, location=world.location_a, client=owner, lines=[LineSpec(product=consult)]
    )
    first = invoice_issue(
        actor=cashier_a,
        invoice=invoice_create(
            actor=cashier_a, location=world.location_a, client=owner,
            lines=[LineSpec(product=consult, quantity=D("2"))],
        ),
    )  # fmt: skip
    second = invoice_issue(
        actor=cashier_a,
        invoice=invoice_create(
            actor=cashier_a, location=world.location_a, client=owner,
            lines=[LineSpec(description="Baño", unit_price=D("30.00"), tax_rate=D("0"))],
        ),
    )  # fmt: skip
    payment = payment_record(actor=cashier_a, invoice=first, amount="100.00", method="cash")
    note = credit_note_issue(actor=manager_a, invoice=second, reason="Promoción", amount="10.00")

    statement = selectors.client_statement(actor=cashier_a, client=owner)

    assert [(i.full_number, i.status, i.total, i.balance) for i in statement["invoices"]] == [
        ("B001-00000002", "partially_paid", D("30.00"), D("20.00")),
        ("B001-00000001", "partially_paid", D("118.00"), D("18.00")),
    ]
    assert draft.pk not in {i.pk for i in statement["invoices"]}
    assert [(p.pk, p.amount, p.method) for p in statement["payments"]] == [
        (payment.pk, D("100.00"), "cash")
    ]
    assert [(n.pk, n.full_number, n.amount) for n in statement["credit_notes"]] == [
        (note.pk, "BC01-00000001", D("10.00"))
    ]
    assert statement["balance"] == D("38.00")
    assert statement["credit"] == D("0.00")
