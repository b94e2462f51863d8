"""The named people every test uses (STYLE.md): two locations of one organization, and
someone of a different organization."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from vetrisys.accounts.models import Location, Organization, User
from vetrisys.accounts.tests.factories import LocationFactory, OrganizationFactory, make_staff


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """Give each test run its own database, so runs side by side never collide."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    test = database.setdefault("TEST", {})
    if database["ENGINE"] == "django.db.backends.postgresql":
        name = test.get("NAME") or f"test_{database['NAME']}"
        test["NAME"] = f"{name}_{os.getpid()}"
    else:
        # A file, not memory: the live server's threads then get connections of their own
        # (as in production) instead of sharing the test's, which concurrent requests break.
        test["NAME"] = str(Path(tempfile.gettempdir()) / f"vetrisys-test-{os.getpid()}.sqlite3")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> None:
    """Transactional tests empty the tables with TRUNCATE between tests; in the test database
    only, let that through for the audit table (row-level UPDATE/DELETE stay refused)."""
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:  # type: ignore[attr-defined]
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent")


@dataclass
class World:
    """The organization under test, its two locations, and a foreign organization."""

    org: Organization
    location_a: Location
    location_b: Location
    other_org: Organization
    other_location: Location


@pytest.fixture
def world(db: None) -> World:
    org = OrganizationFactory(name="Huellitas")
    other_org = OrganizationFactory(name="Otra Clínica")
    return World(
        org=org,
        location_a=LocationFactory(organization=org, name="Miraflores"),
        location_b=LocationFactory(organization=org, name="Arequipa Centro"),
        other_org=other_org,
        other_location=LocationFactory(organization=other_org, name="Trujillo"),
    )


@pytest.fixture
def admin(world: World) -> User:
    """Administrator of the whole organization (membership at A, rights everywhere)."""
    return make_staff(location=world.location_a, role="admin", username="admin")


@pytest.fixture
def manager_a(world: World) -> User:
    return make_staff(location=world.location_a, role="manager", username="manager_a")


@pytest.fixture
def vet_a(world: World) -> User:
    return make_staff(location=world.location_a, role="vet", username="vet_a")


@pytest.fixture
def receptionist_a(world: World) -> User:
    return make_staff(location=world.location_a, role="receptionist", username="reception_a")


@pytest.fixture
def cashier_a(world: World) -> User:
    return make_staff(location=world.location_a, role="cashier", username="cashier_a")


@pytest.fixture
def pharmacist_a(world: World) -> User:
    return make_staff(location=world.location_a, role="pharmacist", username="pharmacist_a")


@pytest.fixture
def vet_b(world: World) -> User:
    return make_staff(location=world.location_b, role="vet", username="vet_b")


@pytest.fixture
def outsider(world: World) -> User:
    """Administrator of a different organization."""
    return make_staff(location=world.other_location, role="admin", username="outsider")


@pytest.fixture
def people(
    admin: User, manager_a: User, vet_a: User, receptionist_a: User, vet_b: User, outsider: User
) -> dict[str, User]:
    """Everyone, by name, for permission matrices."""
    return {
        "admin": admin,
        "manager_a": manager_a,
        "vet_a": vet_a,
        "receptionist_a": receptionist_a,
        "vet_b": vet_b,
        "outsider": outsider,
    }
