"""Fixtures of notifications: owners who consented, the local SMTP and Twilio servers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import timezone, translation

from vetrisys.clients.models import Client
from vetrisys.clients.tests.factories import add_phone
from vetrisys.notifications.tests.fakes import FakeSmtp, FakeTwilio
from vetrisys.patients.models import Patient
from vetrisys.patients.tests.factories import OwnerFactory, PatientFactory


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Screens and errors are asserted in English (the project's default is Spanish)."""
    with translation.override("en"):
        yield


@pytest.fixture
def rosa(world) -> Client:
    """An owner who consented to email, SMS and WhatsApp, prefers WhatsApp, speaks Spanish."""
    client = OwnerFactory(
        organization=world.org, first_name="Rosa", last_name="Huamán",
        email="rosa@example.pe", preferred_channel="whatsapp", language="es",
        email_consent_at=timezone.now(), sms_consent_at=timezone.now(),
        whatsapp_consent_at=timezone.now(),
    )  # fmt: skip
    add_phone(client, "987 654 321")
    return client


@pytest.fixture
def john(world) -> Client:
    """An English-speaking owner who consented to email only."""
    return OwnerFactory(
        organization=world.org, first_name="John", last_name="Smith", email="john@example.com",
        preferred_channel="email", language="en", email_consent_at=timezone.now(),
    )  # fmt: skip


@pytest.fixture
def firulais(rosa) -> Patient:
    return PatientFactory(client=rosa, name="Firulais")


@pytest.fixture
def smtp(settings) -> Iterator[FakeSmtp]:
    """A real SMTP server; Django's SMTP backend points at it."""
    server = FakeSmtp().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    settings.DEFAULT_FROM_EMAIL = "Huellitas <avisos@huellitas.pe>"
    yield server
    server.stop()


@pytest.fixture
def twilio(settings) -> Iterator[FakeTwilio]:
    """A local server speaking Twilio's Messages API; the Twilio settings point at it."""
    server = FakeTwilio().start()
    for name, value in server.env.items():
        setattr(settings, name, value)
    yield server
    server.stop()
