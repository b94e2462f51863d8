"""Privacy tests keep the erasure journal and the attachments in the test's own folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def privacy_folders(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVACY_JOURNAL = tmp_path / "var" / "erasures.jsonl"
    return tmp_path


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages are asserted in English (the project's default language is Spanish)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def ana(world: Any, admin: Any) -> Any:
    """Ana Torres: phones, document, email, consents, a dog with a microchip, a call logged,
    and an issued, fully paid invoice."""
    from decimal import Decimal

    from vetrisys.billing.models import Invoice
    from vetrisys.clients.services import client_create, communication_log
    from vetrisys.patients.tests.factories import PatientFactory

    client = client_create(
        actor=admin,
        first_name="Ana",
        last_name="Torres Vega",
        document_number="45678912",
        email="ana.torres@correo.pe",
        address="Jr. Las Flores 123",
        district="Surco",
        city="Lima",
        emergency_contact_name="Luis Torres",
        emergency_contact_phone="987000111",
        phone="987654321",
        consents={"sms": True, "email": True},
        notes="Prefiere llamadas por la tarde",
    )
    communication_log(
        actor=admin, client=client, kind="call", subject="Recordatorio", body="Llamó Ana Torres"
    )
    PatientFactory(client=client, name="Rocky", microchip="981020000123456")
    Invoice.objects.create(
        organization=world.org,
        location=world.location_a,
        client=client,
        status=Invoice.Status.PAID,
        number=7,
        full_number="B001-00000007",
        currency="PEN",
        subtotal=Decimal("100.00"),
        total=Decimal("118.00"),
        tax_total=Decimal("18.00"),
        paid_total=Decimal("118.00"),
        balance=Decimal("0.00"),
        created_by=admin,
        issued_by=admin,
    )
    return client
