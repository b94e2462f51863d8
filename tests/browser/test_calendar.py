"""The front desk books by clicking a free slot on the day calendar, then checks the patient in."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from vetrisys.accounts.tests.factories import PASSWORD, make_staff
from vetrisys.patients.tests.factories import PatientFactory
from vetrisys.scheduling import services
from vetrisys.scheduling.models import Appointment

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _static_files(settings):
    """The page needs its scripts (htmx finds the patient): make sure the package's static
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


def _next_free_quarter(zone: ZoneInfo) -> dt.datetime:
    """A quarter-hour a little ahead of now, today, at the location."""
    now = dt.datetime.now(tz=zone).replace(second=0, microsecond=0)
    ahead = now + dt.timedelta(minutes=30 - now.minute % 15)
    if ahead.date() != now.date():
        pytest.skip("too close to midnight at the location to book today")
    return ahead


def test_book_a_free_slot_on_the_day_calendar_and_check_the_patient_in(page, live_server, world):
    location = world.location_a
    admin = make_staff(location=location, role="admin", username="jefa")
    vet = make_staff(location=location, role="vet", username="lucia", first_name="Lucía")
    make_staff(location=location, role="receptionist", username="rosa")
    services.opening_hours_set(
        actor=admin,
        location=location,
        hours=[(weekday, dt.time(0, 0), dt.time(23, 59)) for weekday in range(7)],
    )
    services.appointment_type_create(actor=admin, name="Consulta general", duration_minutes=30)
    pet = PatientFactory(client__organization=world.org, name="Firulais")
    slot = _next_free_quarter(ZoneInfo(location.time_zone))

    _sign_in(page, live_server, "rosa", PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/")
    page.get_by_role("navigation").get_by_role("link", name="Calendar").click()
    column = page.locator(f'.vs-cal-body[data-column-id="{vet.pk}"]')
    column.locator(f'a[data-slot][data-starts-at="{slot.isoformat()}"]').click()

    expect(page.locator("[data-booking-form]")).to_be_visible()
    page.locator("#patient-search").press_sequentially("Firu", delay=50)
    page.locator("[data-patient-choices] label", has_text="Firulais").click()
    page.select_option("#id_appointment_type", label="Consulta general")
    expect(page.locator("#id_vet")).to_have_value(str(vet.pk))
    page.get_by_role("button", name="Book").click()

    card = page.locator(".vs-cal-appt", has_text="Firulais")
    expect(card).to_be_visible()
    expect(card.locator("[data-status]")).to_have_text("Scheduled")
    appointment = Appointment.objects.get()
    assert (appointment.patient_id, appointment.vet_id) == (pet.pk, vet.pk)
    assert appointment.starts_at == slot

    card.click()
    expect(page.locator("[data-patient-name]")).to_have_text("Firulais")
    page.get_by_role("button", name="Check in").click()
    expect(page.locator("[data-appointment-detail] [data-status]")).to_have_text("Checked in")

    page.get_by_role("link", name="Waiting room").first.click()
    waiting = page.locator("[data-board=waiting]")
    expect(waiting).to_contain_text("Firulais")
    expect(waiting.locator("[data-since]")).to_contain_text("waiting 0 min")
