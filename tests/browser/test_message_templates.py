"""A manager rewords the vaccine reminder with the live preview, saves it, and finds a failed
message in the outbox to send again."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from vetrisys.accounts.tests.factories import PASSWORD, make_staff
from vetrisys.notifications.models import Message, MessageTemplate
from vetrisys.patients.tests.factories import OwnerFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _static_files(settings):
    """The preview is htmx: make sure the package's static directory is found."""
    from django.conf import settings as django_settings
    from django.contrib.staticfiles import finders

    if finders.find("vendor/htmx/htmx.min.js") is None:
        settings.STATICFILES_DIRS = [Path(django_settings.PACKAGE_DIR) / "static"]
        finders.get_finder.cache_clear()
    yield
    finders.get_finder.cache_clear()


def _sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    form = page.locator("form", has=page.locator("input[name=login]"))
    form.locator("input[name=login]").fill(username)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("[type=submit]").click()


def test_a_manager_rewords_a_template_with_the_live_preview(page, live_server, world):
    make_staff(location=world.location_a, role="manager", username="gerente")
    _sign_in(page, live_server, "gerente")
    expect(page).to_have_url(f"{live_server.url}/")

    page.get_by_role("link", name="Messages").first.click()
    page.get_by_role("link", name="Templates").click()
    page.locator('[data-template="vaccine_due/sms/en"]').click()
    expect(page.locator("[data-preview-body]")).to_contain_text("Rabia vaccine is due on")

    body = page.locator("#id_body")
    body.fill("")
    body.press_sequentially("Hi {{ client_first_name }}, {{ pet_name }} needs {{ vaccine_name }}")
    expect(page.locator("[data-preview-body]")).to_have_text("Hi María, Firulais needs Rabia")
    body.press_sequentially(" {{ nonsense }}")
    expect(page.locator("[data-preview-errors]")).to_contain_text("Unknown variable: nonsense.")
    body.fill("Hi {{ client_first_name }}, {{ pet_name }} needs {{ vaccine_name }}")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(f"{live_server.url}/messages/templates/")
    template = MessageTemplate.objects.get()
    assert (template.kind, template.channel, template.language) == ("vaccine_due", "sms", "en")
    assert template.body == "Hi {{ client_first_name }}, {{ pet_name }} needs {{ vaccine_name }}"


def test_a_manager_sends_a_failed_message_again(page, live_server, world):
    make_staff(location=world.location_a, role="manager", username="gerente")
    owner = OwnerFactory(organization=world.org, first_name="Lucía", last_name="Ramos",
                         email="lucia@example.pe", email_consent_at=timezone.now())  # fmt: skip
    failed = Message.objects.create(
        organization=world.org, location=world.location_a, client=owner, kind="vaccine_due",
        channel="email", language="es", to="lucia@example.pe", subject="Vacuna", body="Hola",
        status="failed", error="SMTP 552: Mailbox full", attempts=1,
        scheduled_for=timezone.now() + dt.timedelta(hours=1), idempotency_key="b:1",
    )  # fmt: skip
    _sign_in(page, live_server, "gerente")

    page.goto(f"{live_server.url}/messages/?status=failed")
    page.locator("[data-message-row] a").first.click()
    expect(page).to_have_url(re.compile(rf"/messages/{failed.pk}/$"))
    expect(page.locator("[data-message-error]")).to_have_text("SMTP 552: Mailbox full")
    page.get_by_role("button", name="Send again").click()

    expect(page.locator(".alert")).to_contain_text("The message is queued again.")
    failed.refresh_from_db()
    assert failed.status in ("queued", "sent")
