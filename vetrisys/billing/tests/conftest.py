from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.utils import translation

from vetrisys.accounts.models import User
from vetrisys.accounts.tests.factories import make_staff
from vetrisys.clients.models import Client
from vetrisys.inventory.models import Product
from vetrisys.inventory.tests.factories import ProductFactory
from vetrisys.patients.models import Patient
from vetrisys.patients.tests.factories import OwnerFactory, PatientFactory


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English (the default language of the project is Spanish)."""
    with translation.override("en"):
        yield


@pytest.fixture
def cashier_a(world) -> User:
    return make_staff(location=world.location_a, role="cashier", username="cashier_a")


@pytest.fixture
def pharmacist_a(world) -> User:
    return make_staff(location=world.location_a, role="pharmacist", username="pharmacist_a")


@pytest.fixture
def technician_a(world) -> User:
    return make_staff(location=world.location_a, role="technician", username="technician_a")


@pytest.fixture
def everyone(
    people: dict[str, User], cashier_a: User, pharmacist_a: User, technician_a: User
) -> dict[str, User]:
    return {**people, "cashier_a": cashier_a, "pharmacist_a": pharmacist_a,
            "technician_a": technician_a}  # fmt: skip


@pytest.fixture
def owner(world) -> Client:
    return OwnerFactory(organization=world.org, first_name="Rosa", last_name="Huamán")


@pytest.fixture
def pet(owner) -> Patient:
    return PatientFactory(client=owner, name="Firulais")


@pytest.fixture
def consult(world) -> Product:
    return ProductFactory(
        organization=world.org,
        name="Consulta general",
        kind=Product.Kind.SERVICE,
        unit=Product.Unit.SESSION,
        sale_price=Decimal("50.00"),
        tax_rate=Decimal("18.00"),
    )


@pytest.fixture
def amoxicillin(world) -> Product:
    return ProductFactory(
        organization=world.org,
        name="Amoxicilina 250 mg",
        sale_price=Decimal("1.50"),
        tax_rate=Decimal("18.00"),
    )
