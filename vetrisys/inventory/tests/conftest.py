from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.utils import translation

from vetrisys.accounts.models import User
from vetrisys.accounts.tests.factories import make_staff
from vetrisys.inventory.models import Product
from vetrisys.inventory.tests.factories import ProductFactory


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English (the default language of the project is Spanish)."""
    with translation.override("en"):
        yield


@pytest.fixture
def pharmacist_a(world) -> User:
    return make_staff(location=world.location_a, role="pharmacist", username="pharmacist_a")


@pytest.fixture
def technician_a(world) -> User:
    return make_staff(location=world.location_a, role="technician", username="technician_a")


@pytest.fixture
def cashier_a(world) -> User:
    return make_staff(location=world.location_a, role="cashier", username="cashier_a")


@pytest.fixture
def everyone(
    people: dict[str, User], pharmacist_a: User, technician_a: User, cashier_a: User
) -> dict[str, User]:
    return {**people, "pharmacist_a": pharmacist_a, "technician_a": technician_a,
            "cashier_a": cashier_a}  # fmt: skip


@pytest.fixture
def amoxicillin(world) -> Product:
    return ProductFactory(
        organization=world.org,
        name="Amoxicilina 250 mg",
        kind=Product.Kind.MEDICATION,
        unit=Product.Unit.TABLET,
        sku="AMX-250",
        barcode="7750000000011",
        sale_price=Decimal("1.50"),
    )
