"""POST/DELETE /api/v1/auth/token: passwords, MFA, recovery codes, expiry, throttling."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone

from conftest import World
from vetrisys.accounts.models import ApiToken, User
from vetrisys.accounts.services import staff_update
from vetrisys.accounts.tests.api_client import API, bearer, token_for
from vetrisys.accounts.tests.factories import PASSWORD
from vetrisys.audit.models import AuditEvent

TOKEN_URL = f"{API}/auth/token"


@pytest.fixture(autouse=True)
def _fresh_cache(settings: Any) -> Iterator[None]:
    # Failure counters and used TOTP codes live in the cache. Anonymous requests are
    # answered in the default language: English here, for exact messages.
    settings.LANGUAGE_CODE = "en"
    cache.clear()
    yield
    cache.clear()


def _ask_token(
    client: Client,
    username: str,
    password: str = PASSWORD,
    *,
    otp_code: str | None = None,
    address: str = "127.0.0.1",
) -> Any:
    body = {"username": username, "password": password}
    if otp_code is not None:
        body["otp_code"] = otp_code
    return client.post(TOKEN_URL, body, content_type="application/json", REMOTE_ADDR=address)


def _enrol_totp(user: User) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def _current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _wrong_code(secret: str) -> str:
    counter = int(time.time()) // 30
    valid = {format_hotp_value(hotp_value(secret, counter + i)) for i in range(-2, 3)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in valid)


# ---------------------------------------------------------------- passwords


def test_a_right_password_gets_a_token_that_authenticates(client: Client, vet_a: User) -> None:
    # when
    response = _ask_token(client, "vet_a")

    # then
    assert response.status_code == 201
    body = response.json()
    assert sorted(body) == ["expires_at", "token"]
    token = ApiToken.objects.get(user=vet_a)
    assert token.prefix == body["token"][:8]
    assert token.key_hash != body["token"]
    me = client.get(f"{API}/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.json()["user"]["username"] == "vet_a"


def test_a_wrong_password_is_refused(client: Client, vet_a: User) -> None:
    # when
    response = _ask_token(client, "vet_a", "not-the-password")

    # then
    assert response.status_code == 401
    assert response.json() == {
        "message": "Wrong username or password.",
        "code": "invalid_credentials",
        "extra": {},
    }
    assert ApiToken.objects.count() == 0


def test_an_unknown_username_is_refused_like_a_wrong_password(client: Client, world: World) -> None:
    # when
    response = _ask_token(client, "nobody")

    # then
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_a_token_request_without_a_password_is_invalid(client: Client, vet_a: User) -> None:
    # when
    response = client.post(TOKEN_URL, {"username": "vet_a"}, content_type="application/json")

    # then
    assert response.status_code == 422
    assert response.json()["extra"] == {"fields": {"password": ["Field required"]}}


def test_a_request_without_credentials_is_401(client: Client, world: World) -> None:
    # when
    response = client.get(f"{API}/me")

    # then
    assert response.status_code == 401
    assert response.json() == {
        "message": "Authentication credentials were not provided or are not valid.",
        "code": "not_authenticated",
        "extra": {},
    }


def test_a_made_up_token_is_401(client: Client, vet_a: User) -> None:
    # when
    response = client.get(f"{API}/me", headers={"Authorization": "Bearer made-up"})

    # then
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


# ---------------------------------------------------------------- MFA


def test_a_user_with_totp_needs_the_code(client: Client, vet_a: User) -> None:
    # given
    _enrol_totp(vet_a)

    # when
    response = _ask_token(client, "vet_a")

    # then
    assert response.status_code == 401
    assert response.json() == {
        "message": "Enter the code from your authenticator app.",
        "code": "mfa_required",
        "extra": {},
    }
    assert ApiToken.objects.count() == 0


def test_a_wrong_totp_code_is_refused(client: Client, vet_a: User) -> None:
    # given
    secret = _enrol_totp(vet_a)
    wrong = _wrong_code(secret)

    # when
    response = _ask_token(client, "vet_a", otp_code=wrong)

    # then
    assert response.status_code == 401
    assert response.json()["code"] == "mfa_invalid"
    assert ApiToken.objects.count() == 0
    refused = AuditEvent.objects.get(action="auth.token_refused")
    assert refused.changes == {"reason": "bad_otp"}
    assert refused.actor_id == vet_a.pk


def test_the_right_totp_code_gets_a_token(client: Client, vet_a: User) -> None:
    # given
    secret = _enrol_totp(vet_a)

    # when
    response = _ask_token(client, "vet_a", otp_code=_current_code(secret))

    # then
    assert response.status_code == 201
    assert ApiToken.objects.filter(user=vet_a).count() == 1


def test_a_totp_code_cannot_be_replayed(client: Client, vet_a: User) -> None:
    # given
    secret = _enrol_totp(vet_a)
    code = _current_code(secret)
    assert _ask_token(client, "vet_a", otp_code=code).status_code == 201

    # when
    response = _ask_token(client, "vet_a", otp_code=code)

    # then
    assert response.status_code == 401
    assert response.json()["code"] == "mfa_invalid"


def test_a_recovery_code_works_once(client: Client, vet_a: User) -> None:
    # given
    _enrol_totp(vet_a)
    code = RecoveryCodes.activate(vet_a).generate_codes()[0]

    # when
    first = _ask_token(client, "vet_a", otp_code=code)
    second = _ask_token(client, "vet_a", otp_code=code)

    # then
    assert first.status_code == 201
    assert second.status_code == 401
    assert second.json()["code"] == "mfa_invalid"
    assert ApiToken.objects.filter(user=vet_a).count() == 1


def test_an_organization_requiring_mfa_refuses_a_user_without_it(
    client: Client, world: World, vet_a: User
) -> None:
    # given
    world.org.require_mfa = True
    world.org.save()

    # when
    response = _ask_token(client, "vet_a")

    # then
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_setup_required"
    assert ApiToken.objects.count() == 0


def test_an_organization_requiring_mfa_accepts_a_user_with_it(
    client: Client, world: World, vet_a: User
) -> None:
    # given
    world.org.require_mfa = True
    world.org.save()
    secret = _enrol_totp(vet_a)

    # when
    response = _ask_token(client, "vet_a", otp_code=_current_code(secret))

    # then
    assert response.status_code == 201


def test_a_session_without_required_mfa_is_refused_by_the_api(
    client: Client, world: World, vet_a: User
) -> None:
    # given
    world.org.require_mfa = True
    world.org.save()
    client.force_login(vet_a)

    # when
    response = client.get(f"{API}/me")

    # then
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_setup_required"


# ---------------------------------------------------------------- revocation and expiry


def test_delete_revokes_the_token_of_the_request(client: Client, vet_a: User) -> None:
    # given
    kept = token_for(client, vet_a)
    revoked = token_for(client, vet_a)

    # when
    response = client.delete(TOKEN_URL, headers={"Authorization": f"Bearer {revoked}"})

    # then
    assert response.status_code == 204
    assert client.get(f"{API}/me", headers={"Authorization": f"Bearer {revoked}"}).status_code == (
        401
    )
    assert client.get(f"{API}/me", headers={"Authorization": f"Bearer {kept}"}).status_code == 200
    assert ApiToken.objects.filter(user=vet_a, revoked_at__isnull=False).count() == 1
    assert AuditEvent.objects.filter(action="auth.token_revoke", actor_id=vet_a.pk).count() == 1


def test_delete_needs_a_bearer_token(client: Client, vet_a: User) -> None:
    # given
    client.force_login(vet_a)

    # when
    response = client.delete(TOKEN_URL)

    # then
    assert response.status_code == 401


def test_an_expired_token_is_401(client: Client, vet_a: User) -> None:
    # given
    headers = bearer(client, vet_a)
    ApiToken.objects.filter(user=vet_a).update(expires_at=timezone.now() - timedelta(seconds=1))

    # when
    response = client.get(f"{API}/me", headers=headers)

    # then
    assert response.status_code == 401


def test_a_deactivated_users_token_is_401(client: Client, admin: User, vet_a: User) -> None:
    # given
    headers = bearer(client, vet_a)
    User.objects.filter(pk=vet_a.pk).update(is_active=False)

    # when
    response = client.get(f"{API}/me", headers=headers)

    # then
    assert response.status_code == 401


def test_deactivating_a_user_through_the_api_revokes_their_tokens(
    client: Client, admin: User, vet_a: User
) -> None:
    # given
    vet_headers = bearer(client, vet_a)
    admin_headers = bearer(client, admin)

    # when
    response = client.patch(
        f"{API}/staff/{vet_a.pk}",
        {"is_active": False},
        content_type="application/json",
        headers=admin_headers,
    )

    # then
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert client.get(f"{API}/me", headers=vet_headers).status_code == 401
    assert ApiToken.objects.filter(user=vet_a, revoked_at__isnull=True).count() == 0
    # Reactivating does not bring old tokens back.
    staff_update(actor=admin, user=User.objects.get(pk=vet_a.pk), is_active=True)
    assert client.get(f"{API}/me", headers=vet_headers).status_code == 401


# ---------------------------------------------------------------- throttling


@override_settings(API_TOKEN_FAILURES_PER_USERNAME=3, API_TOKEN_FAILURES_PER_IP=5)
def test_failures_per_username_are_throttled(
    client: Client, vet_a: User, receptionist_a: User
) -> None:
    # given
    for _attempt in range(3):
        assert _ask_token(client, "vet_a", "wrong-password").status_code == 401
    events_before = AuditEvent.objects.count()

    # when: even the right password is not looked at any more
    response = _ask_token(client, "vet_a")

    # then
    assert response.status_code == 429
    assert response.json() == {
        "message": "Too many failed attempts. Try again later.",
        "code": "throttled",
        "extra": {"retry_after": 900},
    }
    assert response["Retry-After"] == "900"
    assert AuditEvent.objects.count() == events_before
    assert ApiToken.objects.count() == 0
    # The username stays throttled from another address...
    assert _ask_token(client, "VET_A", address="10.0.0.2").status_code == 429
    # ...and another user at the same address is not affected.
    assert _ask_token(client, "reception_a").status_code == 201


@override_settings(API_TOKEN_FAILURES_PER_USERNAME=3, API_TOKEN_FAILURES_PER_IP=5)
def test_failures_per_address_are_throttled(
    client: Client, vet_a: User, receptionist_a: User
) -> None:
    # given: five different usernames fail from one address
    for index in range(5):
        response = _ask_token(client, f"guess{index}", "wrong", address="10.0.0.9")
        assert response.status_code == 401

    # when
    throttled = _ask_token(client, "vet_a", address="10.0.0.9")
    elsewhere = _ask_token(client, "vet_a", address="10.0.0.10")

    # then
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "throttled"
    assert elsewhere.status_code == 201


@override_settings(API_TOKEN_FAILURES_PER_USERNAME=3)
def test_a_success_clears_the_usernames_failures(client: Client, vet_a: User) -> None:
    # given
    for _attempt in range(2):
        _ask_token(client, "vet_a", "wrong-password")
    assert _ask_token(client, "vet_a").status_code == 201

    # when
    for _attempt in range(2):
        _ask_token(client, "vet_a", "wrong-password")
    response = _ask_token(client, "vet_a")

    # then
    assert response.status_code == 201


@override_settings(API_TOKEN_FAILURES_PER_USERNAME=2)
def test_wrong_totp_codes_count_as_failures(client: Client, vet_a: User) -> None:
    # given
    secret = _enrol_totp(vet_a)
    for _attempt in range(2):
        assert _ask_token(client, "vet_a", otp_code=_wrong_code(secret)).status_code == 401

    # when
    response = _ask_token(client, "vet_a", otp_code=_current_code(secret))

    # then
    assert response.status_code == 429
