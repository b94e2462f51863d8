"""A vet opens a checked-in appointment from the waiting room, starts the consultation, writes
the SOAP note, records a vaccination from a stock lot, signs, and sees the visit locked."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from vetrisys.accounts.tests.factories import PASSWORD, make_staff
from vetrisys.inventory.models import Product, StockBalance
from vetrisys.inventory.tests.factories import ProductFactory, receive
from vetrisys.patients.tests.factories import PatientFactory, species
from vetrisys.records.models import SoapNote, Visit
from vetrisys.scheduling import services
from vetrisys.vaccinations.models import Vaccination

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _static_files(settings):
    """The page needs its scripts (autosave, confirmations): make sure the package's static
    directory is found even where the settings do not list it."""
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


def _wait_for(condition, seconds: float = 10.0) -> bool:
    """Poll the database until the condition holds (the browser saves in the background)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_vet_writes_the_note_vaccinates_from_a_lot_and_signs(page, live_server, world):
    location = world.location_a
    zone = ZoneInfo(location.time_zone)
    admin = make_staff(location=location, role="admin", username="jefa")
    vet = make_staff(location=location, role="vet", username="lucia", first_name="Lucía")
    services.opening_hours_set(
        actor=admin,
        location=location,
        hours=[(weekday, dt.time(0, 0), dt.time(23, 59)) for weekday in range(7)],
    )
    consult = services.appointment_type_create(actor=admin, name="Vacunación", duration_minutes=15)
    today = dt.datetime.now(tz=zone).date()
    pet = PatientFactory(
        client__organization=world.org, name="Chispa", species=species("dog"),
        birth_date=today - dt.timedelta(weeks=9),
    )  # fmt: skip
    vaccine = ProductFactory(
        organization=world.org, name="Nobivac DHPPi", kind=Product.Kind.VACCINE,
        unit=Product.Unit.DOSE,
    )  # fmt: skip
    receive(admin, location, vaccine, 5, lot="DHP-2291", expires_on=today + dt.timedelta(days=300))
    now = dt.datetime.now(tz=zone).replace(second=0, microsecond=0)
    starts_at = now - dt.timedelta(minutes=now.minute % 15)
    appointment = services.appointment_book(
        actor=admin, location=location, patient=pet, vet=vet, appointment_type=consult,
        starts_at=starts_at, allow_overlap=True, overlap_reason="test",
    )  # fmt: skip
    services.appointment_check_in(actor=admin, appointment=appointment)

    _sign_in(page, live_server, "lucia", PASSWORD)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Waiting room").first.click()
    page.locator("[data-board=waiting] a[data-patient-name]", has_text="Chispa").click()
    page.locator("[data-start-consultation] button").click()

    expect(page.locator(".vs-visit [data-status]").first).to_have_text("Open")
    page.locator("#soap-subjective").fill("Primera vacuna del cachorro; come bien.")
    page.locator("#soap-objective").fill("Alerta, mucosas rosadas, T 38.6 °C.")
    page.locator("#soap-assessment").fill("Sano, apto para vacunar.")
    page.locator("#soap-plan").fill("DHPPi hoy; siguiente dosis en 4 semanas.")
    page.get_by_role("button", name="Save now").click()
    assert _wait_for(
        lambda: SoapNote.objects.filter(visit__patient=pet, plan__startswith="DHPPi").exists()
    )

    form = page.locator("[data-vaccination-form]")
    form.locator("#vx-product").select_option(label="Nobivac DHPPi")
    form.locator("#vx-lot").fill("DHP-2291")
    form.locator("#vx-route").select_option(value="sc")
    form.locator("#vx-site").fill("escápula izquierda")
    form.get_by_role("button", name="Record vaccination").click()

    row = page.locator("[data-vaccination]", has_text="DHP-2291")
    expect(row).to_be_visible()
    expect(row).to_contain_text((today + dt.timedelta(weeks=4)).strftime("%-d"))

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Sign the visit").click()

    expect(page.locator("[data-signed]")).to_be_visible()
    expect(page.locator(".vs-visit [data-status]").first).to_have_text("Signed")
    expect(page.locator("[data-vaccination-form]")).to_have_count(0)
    expect(page.locator("#soap-plan")).to_have_attribute("readonly", "")
    expect(page.get_by_role("button", name="Sign the visit")).to_have_count(0)

    visit = Visit.objects.get(patient=pet)
    given = Vaccination.objects.get()
    assert visit.status == Visit.Status.SIGNED
    assert (given.visit_id, given.lot.lot_number, given.dose_number) == (visit.pk, "DHP-2291", 1)
    assert given.next_due_on == today + dt.timedelta(weeks=4)
    assert StockBalance.objects.get(location=location, product=vaccine).on_hand == Decimal(4)
