"""Security settings on real requests: headers with production settings, cookies, session
timeouts, sign-in lockout, and a disabled account losing its sessions and tokens at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import translation

from conftest import World
from vetrisys.accounts.models import ApiToken, User
from vetrisys.accounts.services import staff_update
from vetrisys.accounts.tests.factories import PASSWORD, make_staff
from vetrisys.core.middleware import CONTENT_SECURITY_POLICY

API = "/api/v1"
_PRODUCTION_NAMES = [
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SAMESITE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_AGE",
    "SESSION_IDLE_TIMEOUT",
    "SESSION_EXPIRE_AT_BROWSER_CLOSE",
    "DEBUG",
]


def _production_settings() -> dict[str, Any]:
    """The settings module as a production server loads it (HTTPS=true, PostgreSQL URL, no
    DEBUG): read in a fresh process, nothing connects to the database."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "REDIS_URL", "SECRET_KEY_FILE", "PYTEST_CURRENT_TEST"}
    }
    env.update(
        SECRET_KEY="a-production-secret-key-that-is-long-and-random-0123456789abcdef",
        ALLOWED_HOSTS="clinic.example.pe",
        HTTPS="true",
        DATABASE_URL="postgres://vetrisys@db.example.pe:5432/vetrisys",
        DJANGO_SETTINGS_MODULE="vetrisys.config.settings",
        ENCRYPTION_KEYS="k1:cHJvZHVjdGlvbi1saWtlLWtleS1mb3ItdGVzdHMtMDE=",
        ENCRYPTION_HASH_KEY="cHJvZHVjdGlvbi1saWtlLWhhc2gta2V5LXRlc3RzLTA=",
    )
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: getattr(settings, n) for n in {_PRODUCTION_NAMES!r}}}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    loaded: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


@pytest.fixture(scope="module")
def production() -> dict[str, Any]:
    return _production_settings()


@pytest.fixture
def org_admin(world: World) -> User:
    """The organization's administrator (a name of its own: the package's demo world, when it
    is loaded, has an `admin`)."""
    return make_staff(location=world.location_a, role="admin", username="settings_admin")


@pytest.fixture(autouse=True)
def _fresh_throttles() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def test_production_settings_turn_the_https_protections_on(production: dict[str, Any]) -> None:
    assert production["DEBUG"] is False
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert production["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] == 31536000
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert production["SECURE_REFERRER_POLICY"] == "same-origin"
    assert production["SECURE_CROSS_ORIGIN_OPENER_POLICY"] == "same-origin"
    assert production["X_FRAME_OPTIONS"] == "DENY"
    assert production["SESSION_COOKIE_AGE"] == 12 * 3600
    assert production["SESSION_IDLE_TIMEOUT"] == 30 * 60
    assert production["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True


def _production_overrides(production: dict[str, Any]) -> dict[str, Any]:
    names = [
        "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_REFERRER_POLICY",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY", "X_FRAME_OPTIONS", "SECURE_CONTENT_TYPE_NOSNIFF",
    ]  # fmt: skip
    return {name: production[name] for name in names} | {"ALLOWED_HOSTS": ["clinic.example.pe"]}


def test_a_page_over_https_carries_every_security_header(
    production: dict[str, Any], vet_a: User
) -> None:
    with override_settings(**_production_overrides(production)):
        client = Client(HTTP_HOST="clinic.example.pe")
        client.force_login(vet_a)
        response = client.get("/", secure=True)

    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_plain_http_is_redirected_to_https(production: dict[str, Any], world: World) -> None:
    with override_settings(**_production_overrides(production)):
        response = Client(HTTP_HOST="clinic.example.pe").get("/accounts/login/")

    assert response.status_code == 301
    assert response["Location"] == "https://clinic.example.pe/accounts/login/"


def test_cookies_of_a_sign_in_over_https_are_secure_and_http_only(
    production: dict[str, Any], vet_a: User
) -> None:
    with override_settings(**_production_overrides(production)):
        client = Client(HTTP_HOST="clinic.example.pe")
        page = client.get("/accounts/login/", secure=True)
        csrf = page.cookies["csrftoken"]
        response = client.post(
            "/accounts/login/",
            {"login": vet_a.username, "password": PASSWORD},
            secure=True,
        )

    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    # Expires with the browser; the server ends it after the idle and absolute timeouts.
    assert session["max-age"] == ""
    assert csrf["secure"] is True
    assert csrf["samesite"] == "Lax"


def test_api_answers_carry_the_security_headers_too(vet_a: User) -> None:
    response = Client().get(f"{API}/me")

    assert response.status_code == 401
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


# ---------------------------------------------------------------- session timeouts


def test_a_session_idle_longer_than_the_timeout_is_signed_out(
    vet_a: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client()
    client.force_login(vet_a)
    assert client.get("/").status_code == 200
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 30 * 60 + 1)

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_session_used_within_the_idle_timeout_stays(
    vet_a: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client()
    client.force_login(vet_a)
    assert client.get("/").status_code == 200
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 30 * 60 - 5)

    assert client.get("/").status_code == 200


def test_a_session_in_constant_use_ends_at_the_absolute_timeout(
    vet_a: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client()
    client.force_login(vet_a)
    # The clock is fixed from the first request, which records when the session began (in
    # whole seconds): a real first request straddling a second made the test flaky.
    start = float(int(time.time()))
    monkeypatch.setattr(time, "time", lambda: start)
    assert client.get("/").status_code == 200
    # A request every 20 minutes (never idle) for 12 hours, then a minute more.
    for step in range(1, 37):
        monkeypatch.setattr(time, "time", lambda step=step: start + step * 20 * 60)
        assert client.get("/").status_code == 200, f"signed out after {step * 20} minutes"
    monkeypatch.setattr(time, "time", lambda: start + 12 * 3600 + 60)

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# ---------------------------------------------------------------- sign-in lockout


def _sign_in(client: Client, username: str, password: str) -> int:
    response = client.post("/accounts/login/", {"login": username, "password": password})
    return response.status_code


def test_five_failed_sign_ins_lock_the_username_even_for_the_right_password(
    vet_a: User,
) -> None:
    client = Client()
    for _attempt in range(5):
        assert _sign_in(client, "vet_a", "not-the-password") == 200

    with translation.override("en"):
        locked = client.post(
            "/accounts/login/",
            {"login": "vet_a", "password": PASSWORD},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        errors = str(locked.context["form"].errors)

    assert locked.status_code == 200
    assert "Too many failed login attempts" in errors
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302


def test_four_failed_sign_ins_still_let_the_right_password_in(vet_a: User) -> None:
    client = Client()
    for _attempt in range(4):
        assert _sign_in(client, "vet_a", "not-the-password") == 200

    assert _sign_in(client, "vet_a", PASSWORD) == 302
    assert client.get("/").status_code == 200


def test_five_failed_token_requests_lock_the_username_even_for_the_right_password(
    vet_a: User,
) -> None:
    client = Client()
    for _attempt in range(5):
        failed = client.post(
            f"{API}/auth/token",
            {"username": "vet_a", "password": "not-the-password"},
            content_type="application/json",
        )
        assert failed.status_code == 401

    locked = client.post(
        f"{API}/auth/token",
        {"username": "vet_a", "password": PASSWORD},
        content_type="application/json",
    )

    assert locked.status_code == 429
    assert ApiToken.objects.filter(user=vet_a).count() == 0


# ---------------------------------------------------------------- disabling an account


def test_disabling_a_staff_account_ends_its_sessions_and_tokens_at_once(
    org_admin: User, vet_a: User
) -> None:
    browser = Client()
    browser.force_login(vet_a)
    assert browser.get("/").status_code == 200
    issued = Client().post(
        f"{API}/auth/token",
        {"username": "vet_a", "password": PASSWORD},
        content_type="application/json",
    )
    token = issued.json()["token"]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get(f"{API}/me").status_code == 200

    staff_update(actor=org_admin, user=vet_a, is_active=False)

    page = browser.get("/")
    assert page.status_code == 302
    assert page["Location"].startswith("/accounts/login/")
    assert browser.get(f"{API}/me").status_code == 401
    assert api.get(f"{API}/me").status_code == 401
    assert ApiToken.objects.filter(user=vet_a, revoked_at__isnull=True).count() == 0
    from django.contrib.sessions.models import Session

    remaining = [
        s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(vet_a.pk)
    ]
    assert remaining == []


def test_disabling_through_the_staff_screen_signs_the_person_out(
    org_admin: User, vet_a: User
) -> None:
    browser = Client()
    browser.force_login(vet_a)
    assert browser.get("/").status_code == 200
    screen = Client()
    screen.force_login(org_admin)

    response = screen.post(f"/staff/{vet_a.pk}/active/", {"is_active": "0"})

    assert response.status_code == 302
    vet_a.refresh_from_db()
    assert vet_a.is_active is False
    assert browser.get("/").status_code == 302
    assert browser.get(f"{API}/me").status_code == 401
