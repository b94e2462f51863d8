from collections.abc import Iterator

import pytest
from django.utils import translation

from vetrisys.inventory.models import Product
from vetrisys.inventory.tests.factories import ProductFactory
from vetrisys.patients.tests.factories import PatientFactory
from vetrisys.records import services


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English (the default language of the project is Spanish)."""
    with translation.override("en"):
        yield


@pytest.fixture
def rocky(world):
    return PatientFactory(client__organization=world.org, name="Rocky")


@pytest.fixture
def visit(world, vet_a, rocky):
    return services.visit_open(
        actor=vet_a, location=world.location_a, patient=rocky, vet=vet_a, reason="Vómitos"
    )


@pytest.fixture
def consult_service(world):
    return ProductFactory(
        organization=world.org,
        name="Consulta general",
        kind=Product.Kind.SERVICE,
        unit=Product.Unit.UNIT,
    )
