from collections.abc import Iterator

import pytest
from django.utils import translation

from vetrisys.inventory.models import Product
from vetrisys.inventory.tests.factories import ProductFactory
from vetrisys.patients.models import Patient
from vetrisys.patients.tests.factories import OwnerFactory, PatientFactory
from vetrisys.records.models import Visit
from vetrisys.vaccinations.tests.conftest import open_visit


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English (the default language of the project is Spanish)."""
    with translation.override("en"):
        yield


@pytest.fixture
def patient(world) -> Patient:
    owner = OwnerFactory(organization=world.org, first_name="Rosa", last_name="Quispe")
    return PatientFactory(client=owner, name="Rocky")


@pytest.fixture
def visit(world, vet_a, patient) -> Visit:
    return open_visit(patient, world.location_a, vet_a)


@pytest.fixture
def amoxicillin(world) -> Product:
    return ProductFactory(
        organization=world.org, name="Amoxicilina 250 mg", kind=Product.Kind.MEDICATION,
        unit=Product.Unit.TABLET,
    )  # fmt: skip
