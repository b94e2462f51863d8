"""A pharmacist receives a lot of a medication, then dispenses a vet's prescription from the
pharmacy queue and sees the stock on hand and what is left on the prescription go down."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from vetrisys.accounts.tests.factories import PASSWORD, make_staff
from vetrisys.billing.models import Charge
from vetrisys.core.text import normalize_search
from vetrisys.inventory.models import Product, StockBalance
from vetrisys.patients.tests.factories import OwnerFactory, PatientFactory
from vetrisys.pharmacy import services
from vetrisys.pharmacy.models import Prescription
from vetrisys.vaccinations.tests.conftest import open_visit

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


def test_a_pharmacist_receives_a_lot_and_dispenses_a_prescription_from_it(page, live_server, world):
    vet = make_staff(location=world.location_a, role="vet", username="valeria")
    make_staff(location=world.location_a, role="pharmacist", username="pilar")
    product = Product.objects.create(
        organization=world.org, name="Meloxicam 1 mg",
        search_name=normalize_search("Meloxicam 1 mg"),
        kind=Product.Kind.MEDICATION, unit=Product.Unit.TABLET, barcode="7750000000028",
        sale_price=Decimal("1.50"),
    )  # fmt: skip
    owner = OwnerFactory(organization=world.org, first_name="Rosa", last_name="Quispe")
    patient = PatientFactory(client=owner, name="Rocky")
    visit = open_visit(patient, world.location_a, vet)
    prescription = services.prescription_create(
        actor=vet, visit=visit, product=product, dose="1 tablet", route="oral",
        frequency="every 24 hours", quantity=Decimal(10),
    )  # fmt: skip
    _sign_in(page, live_server, "pilar", PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/")

    page.get_by_role("link", name="Inventory").click()
    page.get_by_role("link", name="Receive").click()
    page.locator("#scan-code").fill("7750000000028")
    page.locator("#scan-code").press("Enter")
    expect(page.locator("[data-testid=chosen-product]")).to_contain_text("Meloxicam 1 mg")
    page.fill("#id_lot", "MX-01")
    page.fill("#id_expires_on", "2099-06-30")
    page.fill("#id_quantity", "30")
    page.fill("#id_unit_cost", "0.40")
    page.get_by_role("button", name="Receive").click()
    row = page.locator("tr[data-product='Meloxicam 1 mg']")
    expect(row.locator("[data-testid=on-hand]")).to_have_text("30")

    page.get_by_role("link", name="Pharmacy").click()
    queued = page.locator("tr[data-queue-row]", has_text="Rocky")
    expect(queued.locator("[data-testid=remaining]")).to_have_text("10")
    queued.get_by_role("link", name="Dispense").click()
    expect(page.locator("[data-testid=on-hand]")).to_have_text("30")
    expect(page.locator("#dispense-lot")).to_have_value("MX-01")
    page.fill("#dispense-quantity", "2")
    page.get_by_role("button", name="Dispense").click()

    expect(page.locator("[data-testid=on-hand]")).to_have_text("28")
    expect(page.locator("[data-testid=remaining]")).to_have_text("8")
    expect(page.locator("[data-testid=dispensed]")).to_have_text("2")
    page.get_by_role("link", name="Prescriptions to dispense").click()
    expect(
        page.locator("tr[data-queue-row]", has_text="Rocky").locator("[data-testid=remaining]")
    ).to_have_text("8")
    assert StockBalance.objects.get(product=product).on_hand == Decimal(28)
    prescription.refresh_from_db()
    assert prescription.dispensed_quantity == Decimal(2)
    charge = Charge.objects.get(source="inventory.dispense")
    assert (charge.quantity, charge.unit_price) == (Decimal(2), Decimal("1.50"))
    assert Prescription.objects.get().remaining_quantity == Decimal(8)
