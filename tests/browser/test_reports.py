"""A manager opens the revenue report from the navigation, groups it by location, and
downloads the CSV the screen's filters describe."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from vetrisys.accounts.tests.factories import PASSWORD, make_staff
from vetrisys.billing.services import LineSpec
from vetrisys.core import timeutil
from vetrisys.inventory.models import Product
from vetrisys.inventory.tests.factories import ProductFactory
from vetrisys.patients.tests.factories import OwnerFactory
from vetrisys.reporting.tests.conftest import pay, sell

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
SCREENSHOT = Path("/tmp/vetrisys-report-revenue.png")


@pytest.fixture(autouse=True)
def _static_files(settings):
    from django.conf import settings as django_settings
    from django.contrib.staticfiles import finders

    if finders.find("vendor/htmx/htmx.min.js") is None:
        settings.STATICFILES_DIRS = [Path(django_settings.PACKAGE_DIR) / "static"]
        finders.get_finder.cache_clear()
    yield
    finders.get_finder.cache_clear()


def test_a_manager_filters_the_revenue_report_and_downloads_it(page, live_server, world):
    make_staff(location=world.location_a, role="manager", username="marta")
    admin = make_staff(location=world.location_a, role="admin", username="ana")
    owner = OwnerFactory(organization=world.org, first_name="=HYPERLINK(1)", last_name="Quispe")
    consult = ProductFactory(
        organization=world.org, name="Consulta general", kind=Product.Kind.SERVICE,
        unit=Product.Unit.SESSION, sale_price=Decimal("50.00"), tax_rate=Decimal("18.00"),
    )  # fmt: skip
    today = timeutil.today_in(world.location_a.time_zone)
    start, _end = timeutil.local_day_bounds(today, world.location_a.time_zone)
    at = max(start + dt.timedelta(minutes=1), timeutil.now() - dt.timedelta(minutes=5))
    first = sell(admin, world.location_a, owner, [LineSpec(product=consult, quantity=2)],
                 issued_at=at)  # fmt: skip
    pay(admin, first, "100.00", at)
    sell(admin, world.location_b, owner, [LineSpec(product=consult)], issued_at=at)

    page.goto(f"{live_server.url}/accounts/login/")
    form = page.locator("form", has=page.locator("input[name=login]"))
    form.locator("input[name=login]").fill("marta")
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("[type=submit]").click()
    page.locator("a.nav-link[href='/reports/all/']").click()
    page.locator("[data-report-list] a[href='/reports/revenue/']").click()

    table = page.locator("[data-report-table=revenue]")
    expect(table.locator("[data-totals] td").first).to_have_text("118.00")
    page.select_option("#f-group-by", "location")
    expect(page).to_have_url(f"{live_server.url}/reports/revenue/?date_from="
                             f"{today.replace(day=1).isoformat()}&date_to={today.isoformat()}"
                             "&location=&group_by=location")  # fmt: skip
    # The manager sees Miraflores only (Arequipa's sale is not theirs to see).
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.locator("tbody tr th")).to_have_text("Miraflores")
    expect(table.locator("tbody tr td")).to_have_text(["118.00", "0.00", "100.00", "18.00"])
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    with page.expect_download() as caught:
        page.locator("[data-export=csv]").click()
    download = caught.value
    assert download.suggested_filename == (
        f"revenue-{today.replace(day=1).isoformat()}-{today.isoformat()}.csv"
    )
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1:] == [
        ["Miraflores", "118.00", "0.00", "100.00", "18.00"],
        ["Total", "118.00", "0.00", "100.00", "18.00"],
    ]

    with page.expect_download() as caught:
        page.locator("a[href*='/reports/invoices/export/'][href$='format=csv']").click()
    invoices = Path(caught.value.path()).read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK(1) Quispe" in invoices
