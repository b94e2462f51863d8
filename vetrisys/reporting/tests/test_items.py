"""Top services and products, against the invoice lines summed here."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from vetrisys.billing.models import InvoiceLine
from vetrisys.billing.services import LineSpec, invoice_void
from vetrisys.core.errors import NotAllowed, ValidationFailed
from vetrisys.reporting.items import top_items
from vetrisys.reporting.tests.conftest import lima, sell

MAY_1, MAY_31 = dt.date(2026, 5, 1), dt.date(2026, 5, 31)


@pytest.fixture
def sales(world, admin, owner, consult, amoxicillin, nail_trim):
    a, b = world.location_a, world.location_b
    sold = [
        sell(admin, a, owner,
             [LineSpec(product=consult), LineSpec(product=amoxicillin, quantity=10)],
             issued_at=lima(dt.date(2026, 5, 2))),
        sell(admin, b, owner, [LineSpec(product=consult, quantity=2)],
             issued_at=lima(dt.date(2026, 5, 20))),
        sell(admin, a, owner, [LineSpec(product=nail_trim, quantity=3)],
             issued_at=lima(dt.date(2026, 5, 31), "22:00")),
    ]  # fmt: skip
    voided = sell(admin, a, owner, [LineSpec(product=nail_trim, quantity=50)],
                  issued_at=lima(dt.date(2026, 5, 3)))  # fmt: skip
    invoice_void(actor=admin, invoice=voided, reason="Duplicada")
    sell(admin, a, owner, [LineSpec(product=amoxicillin, quantity=99)],
         issued_at=lima(dt.date(2026, 6, 1), "00:10"))  # fmt: skip
    return sold


def test_by_revenue_and_by_quantity(sales, admin, consult, amoxicillin, nail_trim):
    lines = InvoiceLine.objects.filter(invoice__in=sales)

    def revenue_of(product):
        return sum((ln.total_amount for ln in lines if ln.product_id == product.pk), Decimal(0))

    by_revenue = top_items(actor=admin, date_from=MAY_1, date_to=MAY_31)
    assert [(r.name, r.quantity, r.invoices, r.revenue) for r in by_revenue] == [
        ("Consulta general", Decimal("3.000"), 2, revenue_of(consult)),
        ("Amoxicilina 250 mg", Decimal("10.000"), 1, revenue_of(amoxicillin)),
        ("Corte de uñas", Decimal("3.000"), 1, revenue_of(nail_trim)),
    ]
    assert revenue_of(consult) == Decimal("177.00")
    by_quantity = top_items(actor=admin, date_from=MAY_1, date_to=MAY_31, order="quantity")
    assert [r.name for r in by_quantity] == [
        "Amoxicilina 250 mg", "Consulta general", "Corte de uñas",
    ]  # fmt: skip
    services = top_items(actor=admin, date_from=MAY_1, date_to=MAY_31, kind="services", limit=1)
    assert [r.name for r in services] == ["Consulta general"]
    goods = top_items(actor=admin, date_from=MAY_1, date_to=MAY_31, kind="products")
    assert [r.name for r in goods] == ["Amoxicilina 250 mg"]


def test_a_manager_counts_their_location(sales, manager_a):
    rows = top_items(actor=manager_a, date_from=MAY_1, date_to=MAY_31)
    assert [(r.name, r.quantity) for r in rows] == [
        ("Amoxicilina 250 mg", Decimal("10.000")), ("Corte de uñas", Decimal("3.000")),
        ("Consulta general", Decimal("1.000")),
    ]  # fmt: skip


def test_refusals(sales, admin, vet_b):
    with pytest.raises(NotAllowed):
        top_items(actor=vet_b, date_from=MAY_1, date_to=MAY_31)
    with pytest.raises(ValidationFailed):
        top_items(actor=admin, date_from=MAY_1, date_to=MAY_31, order="price")
