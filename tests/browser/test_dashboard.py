"""An administrator opens the reports' dashboard: reads today's figures at the location, sees
the charts drawn, switches to the whole chain and to the locations compared side by side."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from vetrisys.accounts.tests.factories import PASSWORD, make_staff
from vetrisys.billing.services import LineSpec
from vetrisys.billing.templatetags.billing_tags import money
from vetrisys.core import timeutil
from vetrisys.inventory.models import Product
from vetrisys.inventory.tests.factories import ProductFactory
from vetrisys.patients.tests.factories import OwnerFactory, PatientFactory
from vetrisys.reporting.tests.conftest import pay, sell
from vetrisys.scheduling.tests.factories import AppointmentTypeFactory, make_appointment

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
SCREENSHOT = Path("/tmp/vetrisys-dashboard.png")


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


def _history(world, admin):
    """Sales on several days of this month and the last at both locations, and today's
    appointments at A."""
    a, b = world.location_a, world.location_b
    owner = OwnerFactory(organization=world.org, first_name="Rosa", last_name="Huamán")
    pet = PatientFactory(client=owner, name="Firulais")
    consult = ProductFactory(
        organization=world.org, name="Consulta general", kind=Product.Kind.SERVICE,
        unit=Product.Unit.SESSION, sale_price=Decimal("50.00"), tax_rate=Decimal("18.00"),
    )  # fmt: skip
    today = timeutil.today_in(a.time_zone)
    start, _end = timeutil.local_day_bounds(today, a.time_zone)
    now = max(start + dt.timedelta(minutes=1), timeutil.now() - dt.timedelta(minutes=5))
    sold_today = []
    for days_ago in range(0, 45, 3):
        at = now - dt.timedelta(days=days_ago)
        for location, quantity in ((a, 1 + days_ago % 4), (b, 2)):
            invoice = sell(
                admin, location, owner, [LineSpec(product=consult, quantity=quantity)],
                issued_at=at,
            )  # fmt: skip
            if days_ago == 0:
                sold_today.append(invoice)
            if days_ago % 2 == 0:
                pay(admin, invoice, str(invoice.total), at)
    vet = make_staff(location=a, role="vet", username="valeria")
    kind = AppointmentTypeFactory(organization=world.org, duration_minutes=15)
    for offset, status in enumerate(["completed", "checked_in", "scheduled", "no_show"]):
        make_appointment(
            location=a, patient=pet, vet=vet, appointment_type=kind,
            starts_at=start + dt.timedelta(hours=9, minutes=20 * offset), status=status,
        )  # fmt: skip
    return sold_today


def test_an_admin_reads_the_dashboard_and_the_chain(page, live_server, world):
    admin = make_staff(location=world.location_a, role="admin", username="ana")
    sold_today = _history(world, admin)
    _sign_in(page, live_server, "ana", PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/")
    # Work at Miraflores (the switcher starts at the first location by name).
    page.select_option("#vs-location", label="Miraflores")
    expect(page.locator("#vs-location")).to_have_value(str(world.location_a.pk))

    page.goto(f"{live_server.url}/reports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Miraflores")
    a_today = money(sold_today[0].total, "PEN")
    expect(page.locator("[data-kpi=invoiced_today] [data-kpi-value]")).to_have_text(a_today)
    expect(page.locator("[data-kpi=appointments_today] [data-kpi-value]")).to_have_text("4")
    expect(page.locator("[data-kpi=waiting_now] [data-kpi-value]")).to_have_text("1")
    expect(page.locator("html")).to_have_attribute("data-charts-drawn", "true")
    box = page.locator("#revenue-chart").bounding_box()
    assert box is not None
    assert box["width"] > 300
    assert box["height"] > 100

    page.get_by_role("link", name="Whole chain").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Whole chain")
    chain_today = money(sold_today[0].total + sold_today[1].total, "PEN")
    expect(page.locator("[data-kpi=invoiced_today] [data-kpi-value]")).to_have_text(chain_today)
    expect(page.locator("html")).to_have_attribute("data-charts-drawn", "true")
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    page.get_by_role("link", name="Compare locations").click()
    row = page.locator(f"tr[data-location='{world.location_b.pk}']")
    expect(row.locator("th")).to_have_text("Arequipa Centro")
    expect(row.locator("[data-col=invoiced_today]")).to_have_text(money(sold_today[1].total, "PEN"))
    expect(page.locator("html")).to_have_attribute("data-charts-drawn", "true")
    page.screenshot(path="/tmp/vetrisys-comparison.png", full_page=True)
