"""Thirty cashiers issue at once: the series gives 1..30, no gap, no duplicate."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from vetrisys.billing.models import Invoice
from vetrisys.billing.services import LineSpec, invoice_create, invoice_issue

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif("connection.vendor != 'postgresql'"),
    pytest.mark.django_db(transaction=True),
]

ISSUERS = 30


def test_concurrent_issues_take_gap_free_unique_numbers(world, cashier_a, owner):
    drafts = [
        invoice_create(
            actor=cashier_a,
            location=world.location_a,
            client=owner,
            lines=[LineSpec(description="Consulta", unit_price=Decimal("50.00"))],
        )
        for _ in range(ISSUERS)
    ]
    barrier = threading.Barrier(ISSUERS)
    errors: list[BaseException] = []

    def issue(invoice: Invoice) -> None:
        try:
            barrier.wait(timeout=20)
            invoice_issue(actor=cashier_a, invoice=invoice)
        except BaseException as error:  # the assertion below reports it
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(draft,)) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == list(range(1, ISSUERS + 1))
    assert Invoice.objects.filter(full_number="B001-00000030").count() == 1
    assert connection.vendor == "postgresql"


PAYERS = 12


def test_concurrent_payments_each_write_their_revenue_shares(world, cashier_a, owner):
    """Twelve cashiers pay parts of one invoice at once: the invoice lock orders them, each
    payment's shares are written with it, and the shares add up to the invoice's state."""
    from vetrisys.billing.models import Payment, RevenueShare
    from vetrisys.billing.services import payment_record, revenue_shares_verify

    draft = invoice_create(
        actor=cashier_a,
        location=world.location_a,
        client=owner,
        lines=[
            LineSpec(description="Consulta", unit_price=Decimal("50.00"), tax_rate=Decimal(0)),
            LineSpec(description="Vacuna", unit_price=Decimal("33.33"), tax_rate=Decimal(0)),
            LineSpec(description="Collar", unit_price=Decimal("16.67"), tax_rate=Decimal(0)),
        ],
    )
    invoice = invoice_issue(actor=cashier_a, invoice=draft)
    barrier = threading.Barrier(PAYERS)
    errors: list[BaseException] = []

    def pay(amount: Decimal) -> None:
        try:
            barrier.wait(timeout=20)
            payment_record(actor=cashier_a, invoice=invoice, amount=amount, method="cash")
        except BaseException as error:  # the assertion below reports it
            errors.append(error)
        finally:
            connections.close_all()

    amounts = [Decimal("7.77")] * PAYERS
    threads = [threading.Thread(target=pay, args=(amount,)) for amount in amounts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    invoice.refresh_from_db()
    assert invoice.balance == Decimal("100.00") - Decimal("7.77") * PAYERS == Decimal("6.76")
    assert Payment.objects.filter(invoice=invoice).count() == PAYERS
    shares = RevenueShare.objects.filter(invoice=invoice)
    assert sum((s.collected for s in shares), Decimal(0)) == Decimal("93.24")
    assert sum((s.outstanding for s in shares), Decimal(0)) == invoice.balance
    assert shares.filter(kind=RevenueShare.Kind.PAYMENT).count() == 3 * PAYERS
    assert revenue_shares_verify() == []
