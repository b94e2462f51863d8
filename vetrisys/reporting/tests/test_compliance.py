"""Vaccination compliance: the latest dose of each vaccine decides; counted per location and
species against counts made here."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from vetrisys.core.errors import NotAllowed, NotFound
from vetrisys.inventory.models import Product
from vetrisys.inventory.tests.factories import ProductFactory
from vetrisys.patients.tests.factories import PatientFactory, species
from vetrisys.reporting.compliance import compliance_report, patients_behind
from vetrisys.vaccinations.models import Vaccination

ON = dt.date(2026, 6, 1)


@pytest.fixture
def doses(world, vet_a, vet_b, owner):
    rabies = ProductFactory(organization=world.org, name="Rabisin", kind=Product.Kind.VACCINE)
    sextuple = ProductFactory(organization=world.org, name="Séxtuple", kind=Product.Kind.VACCINE)
    dog, cat = species("dog"), species("cat")
    firulais = PatientFactory(client=owner, name="Firulais", species=dog)
    rocky = PatientFactory(client=owner, name="Rocky", species=dog)
    misha = PatientFactory(client=owner, name="Misha", species=cat)
    gone = PatientFactory(client=owner, name="Toby", species=dog, deceased_on=dt.date(2026, 1, 1))

    def give(patient, product, given, due, location=world.location_a, vet=vet_a):
        return Vaccination.objects.create(
            organization=world.org, location=location, patient=patient, vet=vet,
            product=product, administered_on=given, next_due_on=due,
        )  # fmt: skip

    # Firulais: rabies overdue (an older dose with a later due date does not count).
    give(firulais, rabies, dt.date(2024, 5, 1), dt.date(2027, 5, 1))
    give(firulais, rabies, dt.date(2025, 5, 1), dt.date(2026, 5, 1))
    # ...and the sextuple due within 30 days.
    give(firulais, sextuple, dt.date(2025, 6, 20), dt.date(2026, 6, 20))
    # Rocky: up to date, the old overdue dose replaced by a new one.
    give(rocky, rabies, dt.date(2025, 1, 10), dt.date(2026, 1, 10))
    give(rocky, rabies, dt.date(2026, 1, 12), dt.date(2027, 1, 12))
    # Misha (cat) at Arequipa: overdue.
    give(misha, rabies, dt.date(2025, 3, 1), dt.date(2026, 3, 1), world.location_b, vet_b)
    # A deceased patient is not followed.
    give(gone, rabies, dt.date(2024, 1, 1), dt.date(2025, 1, 1))
    return {"firulais": firulais, "rocky": rocky, "misha": misha, "dog": dog, "cat": cat}


def test_per_location_and_species(doses, admin, world):
    rows = compliance_report(actor=admin, on=ON)

    assert [
        (r.location, r.species, r.patients, r.patients_due, r.patients_overdue,
         r.vaccines_due, r.vaccines_overdue, r.compliance_rate)
        for r in rows
    ] == [
        ("Arequipa Centro", "Cat", 1, 0, 1, 0, 1, Decimal("0.00")),
        ("Miraflores", "Dog", 2, 1, 1, 1, 1, Decimal("50.00")),
    ]  # fmt: skip


def test_the_list_behind_names_each_vaccine(doses, admin, world):
    rows = patients_behind(organization_id=world.org.pk, location_ids=[world.location_a.pk], on=ON)
    assert [(v.patient.name, v.product.name, v.next_due_on) for v in rows] == [
        ("Firulais", "Rabisin", dt.date(2026, 5, 1)),
        ("Firulais", "Séxtuple", dt.date(2026, 6, 20)),
    ]


def test_a_manager_sees_their_location(doses, manager_a, world):
    assert [r.location for r in compliance_report(actor=manager_a, on=ON)] == ["Miraflores"]
    with pytest.raises(NotFound):
        compliance_report(actor=manager_a, on=ON, location=world.location_b)


def test_a_vet_is_refused(doses, vet_a):
    with pytest.raises(NotAllowed):
        compliance_report(actor=vet_a, on=ON)
