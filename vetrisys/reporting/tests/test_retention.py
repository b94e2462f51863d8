"""Client retention: active, lapsed and new owners, counted here from their visits and
invoices."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from vetrisys.billing.services import LineSpec
from vetrisys.core.errors import NotAllowed, ValidationFailed
from vetrisys.patients.tests.factories import OwnerFactory, PatientFactory
from vetrisys.records.models import Visit
from vetrisys.reporting.retention import months_before, retention_report
from vetrisys.reporting.tests.conftest import lima, sell

ON = dt.date(2026, 6, 30)


@pytest.fixture
def owners(world, admin, vet_a, vet_b, consult):
    a, b = world.location_a, world.location_b

    def owner(name):
        return OwnerFactory(organization=world.org, first_name=name, last_name="Quispe")

    def visit(client, location, vet, day):
        patient = PatientFactory(client=client)
        Visit.objects.create(
            organization=world.org, location=location, patient=patient, client=client,
            vet=vet, opened_at=lima(day),
        )  # fmt: skip

    loyal, gone, fresh, both = owner("Ana"), owner("Beto"), owner("Carla"), owner("Dora")
    visit(loyal, a, vet_a, dt.date(2024, 2, 1))
    sell(admin, a, loyal, [LineSpec(product=consult)], issued_at=lima(dt.date(2026, 3, 1)))
    visit(gone, a, vet_a, dt.date(2025, 6, 30))  # the day before the window: lapsed
    visit(fresh, a, vet_a, dt.date(2025, 7, 1))  # the window's first day: new
    visit(both, a, vet_a, dt.date(2024, 1, 1))
    visit(both, b, vet_b, dt.date(2026, 6, 30))
    visit(owner("Eva"), a, vet_a, dt.date(2026, 7, 1))  # after the day: not yet seen
    return {"loyal": loyal, "gone": gone, "fresh": fresh, "both": both}


def test_active_lapsed_and_new_per_location_and_overall(owners, admin):
    report = retention_report(actor=admin, on=ON)

    assert [(r.location, r.active, r.lapsed, r.new) for r in report.rows] == [
        ("Arequipa Centro", 1, 0, 1),
        ("Miraflores", 2, 2, 1),
    ]
    # Dora is lapsed at Miraflores but active (and not new) across the organization.
    total = report.total
    assert (total.active, total.lapsed, total.new, total.returning) == (3, 1, 1, 2)
    assert total.retention_rate == Decimal("66.67")


def test_a_shorter_window(owners, admin):
    report = retention_report(actor=admin, on=ON, months=3)
    assert (report.total.active, report.total.lapsed, report.total.new) == (1, 3, 0)


def test_month_arithmetic():
    assert months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2026, 1, 15), 13) == dt.date(2024, 12, 15)


def test_refusals(owners, admin, vet_a):
    with pytest.raises(NotAllowed):
        retention_report(actor=vet_a, on=ON)
    with pytest.raises(ValidationFailed):
        retention_report(actor=admin, on=ON, months=0)
