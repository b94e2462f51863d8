"""A pharmacist receives a lot by scanning its barcode, then dispenses from it and sees the
stock on hand go down. (Dispensing against a prescription comes with the medical records; this
is the counter sale / use screen.)"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from vetrisys.accounts.tests.factories import PASSWORD, make_staff
from vetrisys.core.text import normalize_search
from vetrisys.inventory.models import Product, StockBalance

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


def test_a_pharmacist_receives_a_scanned_lot_and_dispenses_from_it(page, live_server, world):
    make_staff(location=world.location_a, role="pharmacist", username="pilar")
    Product.objects.create(
        organization=world.org, name="Nobivac DHPPi", search_name=normalize_search("Nobivac DHPPi"),
        kind=Product.Kind.VACCINE, unit=Product.Unit.DOSE, barcode="8713184000011",
        sale_price=Decimal("55.00"),
    )  # fmt: skip
    _sign_in(page, live_server, "pilar", PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/")

    page.get_by_role("link", name="Inventory").click()
    page.get_by_role("link", name="Receive").click()
    page.locator("#scan-code").fill("8713184000011")
    page.locator("#scan-code").press("Enter")
    expect(page.locator("[data-testid=chosen-product]")).to_contain_text("Nobivac DHPPi")
    page.fill("#id_lot", "DH-2611")
    page.fill("#id_expires_on", "2099-06-30")
    page.fill("#id_quantity", "20")
    page.fill("#id_unit_cost", "21.50")
    page.get_by_role("button", name="Receive").click()

    row = page.locator("tr[data-product='Nobivac DHPPi']")
    expect(row.locator("[data-testid=on-hand]")).to_have_text("20")
    expect(row).to_contain_text("DH-2611")

    page.get_by_role("link", name="Dispense / adjust").click()
    page.locator("#scan-code").fill("8713184000011")
    page.locator("#scan-code").press("Enter")
    page.select_option("#id_action", "dispense")
    page.fill("#id_quantity", "3")
    page.get_by_role("button", name="Save").click()

    expect(page.locator("[data-testid=lot-on-hand]")).to_have_text("17")
    page.get_by_role("link", name="On hand").click()
    expect(row.locator("[data-testid=on-hand]")).to_have_text("17")
    assert StockBalance.objects.get().on_hand == Decimal(17)
