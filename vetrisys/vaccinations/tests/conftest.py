import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from vetrisys.inventory.models import Product
from vetrisys.inventory.tests.factories import ProductFactory
from vetrisys.patients.models import Patient
from vetrisys.patients.tests.factories import OwnerFactory, PatientFactory, species
from vetrisys.records.models import Visit
from vetrisys.records.services.visits import visit_open, visit_sign


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English (the default language of the project is Spanish)."""
    with translation.override("en"):
        yield


@pytest.fixture
def puppy(world) -> Patient:
    owner = OwnerFactory(organization=world.org, first_name="Rosa", last_name="Quispe")
    return PatientFactory(
        client=owner, name="Rocky", species=species("dog"), birth_date=dt.date(2025, 1, 1)
    )


@pytest.fixture
def kitten(world) -> Patient:
    owner = OwnerFactory(organization=world.org, first_name="Ana", last_name="Flores")
    return PatientFactory(
        client=owner, name="Mishi", species=species("cat"), birth_date=dt.date(2025, 1, 1)
    )


@pytest.fixture
def dhpp(world) -> Product:
    return ProductFactory(
        organization=world.org, name="Vacuna Séxtuple canina", kind=Product.Kind.VACCINE,
        unit=Product.Unit.DOSE,
    )  # fmt: skip


@pytest.fixture
def rabies_vaccine(world) -> Product:
    return ProductFactory(
        organization=world.org, name="Vacuna antirrábica", kind=Product.Kind.VACCINE,
        unit=Product.Unit.DOSE,
    )  # fmt: skip


def open_visit(patient: Patient, location: Any, vet: Any, **fields: Any) -> Visit:
    """An open visit, as the consultation starts."""
    return visit_open(actor=vet, location=location, patient=patient, vet=vet, **fields)


def sign(visit: Visit, vet: Any) -> Visit:
    """The visit as it is once its vet signs it."""
    return visit_sign(actor=vet, visit=visit)
