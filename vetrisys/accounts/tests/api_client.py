"""Helpers for API tests: a real bearer token, JSON requests."""

from __future__ import annotations

from typing import Any

from django.test import Client

from vetrisys.accounts.models import User
from vetrisys.accounts.tests.factories import PASSWORD

API = "/api/v1"


def token_for(client: Client, user: User, **body: Any) -> str:
    """A token from POST /auth/token, as an integration would get one."""
    response = client.post(
        f"{API}/auth/token",
        {"username": user.username, "password": PASSWORD, **body},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    token: str = response.json()["token"]
    return token


def bearer(client: Client, user: User) -> dict[str, str]:
    """Headers that authenticate as `user`."""
    return {"Authorization": f"Bearer {token_for(client, user)}"}
