"""Signing in through the real login page, the way a person at the front desk does."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from vetrisys.accounts.tests.factories import PASSWORD, make_staff

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _sign_in(page, live_server, username, password):
    page.goto(f"{live_server.url}/accounts/login/")
    form = page.locator("form", has=page.locator("input[name=login]"))
    form.locator("input[name=login]").fill(username)
    form.locator("input[name=password]").fill(password)
    form.locator("[type=submit]").click()


def test_staff_sign_in_and_see_the_dashboard_of_their_location(page, live_server, world):
    make_staff(location=world.location_a, role="vet", username="lucia", first_name="Lucía")

    _sign_in(page, live_server, "lucia", PASSWORD)

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("body")).to_contain_text(world.location_a.name)
    expect(page.locator("input[name=password]")).to_have_count(0)


def test_a_wrong_password_stays_on_the_login_page_with_an_error(page, live_server, world):
    make_staff(location=world.location_a, role="vet", username="lucia")

    _sign_in(page, live_server, "lucia", "not-the-password")

    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.locator("body")).to_contain_text(
        "The username and/or password you specified are not correct."
    )
    expect(page.locator("input[name=login]")).to_have_value("lucia")
    expect(page.locator("body")).not_to_contain_text(world.location_a.name)
