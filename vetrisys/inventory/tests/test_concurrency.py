"""Races on PostgreSQL: real threads, one barrier, the invariant checked at the end."""

import datetime as dt
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections

from vetrisys.accounts.tests.factories import LocationFactory, OrganizationFactory, make_staff
from vetrisys.core.errors import Conflict
from vetrisys.inventory import ledger, services
from vetrisys.inventory.models import StockBalance, StockMovement
from vetrisys.inventory.tests.factories import ProductFactory, receive

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are a PostgreSQL matter"
    ),
]


def _race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run every call at once (a barrier), each in its own thread and connection."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # the outcome is what the test asserts
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture
def shop():
    org = OrganizationFactory(name="Carrera")
    a = LocationFactory(organization=org, name="A")
    b = LocationFactory(organization=org, name="B")
    keeper = make_staff(location=a, role="pharmacist", username="keeper")
    product = ProductFactory(organization=org, name="Vacuna")
    receive(keeper, a, product, 10, lot="V1", expires_on=dt.date(2099, 1, 1))
    return org, a, b, keeper, product


def test_25_dispenses_of_1_with_10_on_hand_sell_exactly_10(shop):
    org, a, _b, keeper, product = shop

    results = _race(
        [
            lambda: services.stock_dispense(actor=keeper, location=a, product=product, quantity=1)
            for _ in range(25)
        ]
    )

    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len([r for r in results if isinstance(r, list)]) == 10
    assert len(conflicts) == 15
    assert {c.code for c in conflicts} == {"insufficient_stock"}
    assert StockBalance.objects.get(location=a, product=product).on_hand == Decimal(0)
    assert StockMovement.objects.filter(kind="dispense").count() == 10
    assert ledger.verify(organization_id=org.pk) == []


def test_a_transfer_racing_dispenses_never_oversells(shop):
    org, a, b, keeper, product = shop

    calls: list[Callable[[], Any]] = [
        lambda: services.stock_transfer(
            actor=keeper, from_location=a, to_location=b, product=product, quantity=6
        )
    ] + [
        lambda: services.stock_dispense(actor=keeper, location=a, product=product, quantity=1)
        for _ in range(8)
    ]
    results = _race(calls)

    moved = 6 if isinstance(results[0], list) else 0
    dispensed = len([r for r in results[1:] if isinstance(r, list)])
    assert all(isinstance(r, list | Conflict) for r in results)
    assert moved + dispensed <= 10
    on_hand_a = StockBalance.objects.get(location=a, product=product).on_hand
    assert on_hand_a == Decimal(10 - moved - dispensed) >= 0
    on_hand_b = StockBalance.objects.filter(location=b).first()
    assert (on_hand_b.on_hand if on_hand_b else Decimal(0)) == Decimal(moved)
    assert ledger.verify(organization_id=org.pk) == []
