"""The front desk registers an owner with a pet, then finds both by the last phone digits."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from vetrisys.accounts.tests.factories import PASSWORD, make_staff
from vetrisys.clients.models import Client
from vetrisys.patients.models import Patient
from vetrisys.patients.tests.factories import species

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _static_files(settings):
    """The page needs its scripts (htmx does the search as you type): make sure the package's
    static directory is found even where the settings do not list it."""
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


def test_register_an_owner_with_a_pet_and_find_them_by_the_last_phone_digits(
    page, live_server, world
):
    species("dog")  # reference data, in case an earlier transactional test emptied it
    make_staff(location=world.location_a, role="receptionist", username="rosa")
    _sign_in(page, live_server, "rosa", PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/patients/register/")
    page.fill("#id_owner-first_name", "Carmen")
    page.fill("#id_owner-last_name", "Quispe Mamani")
    page.fill("#id_owner-phone", "+51 987 654 321")
    page.fill("#id_pets-0-name", "Firulais")
    page.select_option("#id_pets-0-species", "dog")
    page.fill("#id_pets-0-age_years", "3")
    page.get_by_role("button", name="Register").click()

    expect(page).to_have_url(re.compile(r"/patients/[0-9a-f-]{36}/$"))
    expect(page.locator("[data-patient-name]")).to_contain_text("Firulais")
    expect(page.locator("[data-owner-name]")).to_have_text("Carmen Quispe Mamani")
    assert Client.objects.filter(first_name="Carmen").count() == 1
    pet = Patient.objects.get(name="Firulais")

    page.goto(f"{live_server.url}/patients/search/")
    page.locator("#quick-search").press_sequentially("4321", delay=50)

    owners = page.locator("[data-results=owners]")
    patients = page.locator("[data-results=patients]")
    expect(owners).to_contain_text("Carmen Quispe Mamani")
    expect(owners).to_contain_text("987 654 321")
    expect(patients).to_contain_text("Firulais")

    patients.get_by_role("link", name="Firulais").click()

    expect(page).to_have_url(f"{live_server.url}/patients/{pet.pk}/")
    expect(page.locator("[data-patient-name]")).to_contain_text("Firulais")
    expect(page.locator("body")).to_contain_text("≈ 3 years")
