"""A cashier checks out an owner whose pet's visit is over: the pending charges are there,
part is paid in cash (the change is shown), the invoice is partially paid with its balance, and
the receipt opens ready to print."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from vetrisys.accounts.tests.factories import PASSWORD, make_staff
from vetrisys.billing import services
from vetrisys.billing.models import Invoice
from vetrisys.core.timeutil import now
from vetrisys.inventory.models import Product
from vetrisys.inventory.tests.factories import ProductFactory
from vetrisys.patients.tests.factories import OwnerFactory, PatientFactory
from vetrisys.scheduling.models import Appointment
from vetrisys.scheduling.tests.factories import AppointmentTypeFactory, make_appointment

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _static_files(settings):
    from django.conf import settings as django_settings
    from django.contrib.staticfiles import finders

    if finders.find("vendor/htmx/htmx.min.js") is None:
        settings.STATICFILES_DIRS = [Path(django_settings.PACKAGE_DIR) / "static"]
        finders.get_finder.cache_clear()
    yield
    finders.get_finder.cache_clear()


def _sign_in(page, live_server, username, password):
    page.goto(f"{live_server.url}/accounts/login/")
    form = page.locator("form", has=page.locator("input[name=login]"))
    form.locator("input[name=login]").fill(username)
    form.locator("input[name=password]").fill(password)
    form.locator("[type=submit]").click()


def test_a_cashier_checks_out_a_completed_visit_with_part_paid_in_cash(page, live_server, world):
    make_staff(location=world.location_a, role="cashier", username="carla")
    vet = make_staff(location=world.location_a, role="vet", username="victor")
    owner = OwnerFactory(organization=world.org, first_name="Rosa", last_name="Huamán")
    pet = PatientFactory(client=owner, name="Firulais")
    consult = ProductFactory(
        organization=world.org, name="Consulta general", kind=Product.Kind.SERVICE,
        unit=Product.Unit.SESSION, sale_price=Decimal("50.00"), tax_rate=Decimal("18.00"),
    )  # fmt: skip
    started = now() - dt.timedelta(hours=1)
    appointment = make_appointment(
        location=world.location_a, patient=pet, vet=vet, starts_at=started,
        appointment_type=AppointmentTypeFactory(organization=world.org),
        status=Appointment.Status.COMPLETED,
    )  # fmt: skip
    services.charge_add(
        actor=vet, location=world.location_a, client=owner, patient=pet, product=consult,
        quantity=Decimal(1), source="appointment", source_id=appointment.pk,
    )  # fmt: skip
    services.charge_add(
        actor=vet, location=world.location_a, client=owner, patient=pet, product=consult,
        quantity=Decimal(1), source="procedure", source_id=uuid.uuid4(),
        description="Control de herida",
    )  # fmt: skip

    _sign_in(page, live_server, "carla", PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/")
    page.get_by_role("link", name="Billing").click()
    page.get_by_role("link", name="Checkout").click()
    page.locator("#client-q").fill("Huamán")
    page.get_by_role("link", name="Rosa Huamán").click()

    expect(page.locator("[data-pending-charges]")).to_contain_text("Control de herida")
    expect(page.locator("input[name=charges]:checked")).to_have_count(2)
    page.fill("#pay-amount", "60.00")
    page.fill("#pay-tendered", "100.00")
    expect(page.locator("[data-total]")).to_have_text("S/ 118.00")
    expect(page.locator("[data-change]")).to_have_text("S/ 40.00")
    expect(page.locator("[data-after-payment]")).to_have_text("S/ 58.00")
    page.get_by_role("button", name="Issue and take payment").click()

    expect(page.locator("[data-status]").first).to_have_text("Partially paid")
    expect(page.locator("[data-balance]")).to_have_text("S/ 58.00")
    invoice = Invoice.objects.get()
    assert (invoice.status, invoice.paid_total) == (Invoice.Status.PARTIALLY_PAID, Decimal("60.00"))

    page.get_by_role("link", name="Print receipt").click()
    expect(page.locator("[data-doc-number]")).to_have_text(invoice.full_number)
    expect(page.locator("[data-balance]")).to_have_text("S/ 58.00")
    expect(page.locator("[data-payment]")).to_contain_text("Cash")
