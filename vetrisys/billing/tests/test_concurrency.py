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
