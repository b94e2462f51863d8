"""API authentication: a bearer token, or the browser's session (with CSRF)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth

from vetrisys.accounts.models import User


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>` from POST /auth/token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from vetrisys.accounts.services import api_token_authenticate

        user = api_token_authenticate(key=token)
        if user is not None:
            request.user = user
            # The language middleware ran before the token was read: speak the user's now.
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
        return user


class StaffSession(SessionAuth):
    """A signed-in browser session; CSRF-checked on writes."""

    def _get_key(self, request: HttpRequest) -> str | None:
        # Without a signed-in session there is nothing to protect from CSRF: answer 401
        # (not authenticated), not a CSRF failure.
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        from vetrisys.accounts.selectors import mfa_setup_required
        from vetrisys.core.errors import NotAllowed

        user = request.user
        if not (user.is_authenticated and user.is_active):
            return None
        # The screens send such a user to set MFA up; the API refuses them like a token request.
        if mfa_setup_required(user=user):
            raise NotAllowed(
                _("Your organization requires two-factor authentication: set it up first."),
                code="mfa_setup_required",
            )
        return user


def api_actor(request: HttpRequest) -> User:
    """The staff user an API call is authenticated as (every endpoint requires one)."""
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


API_AUTH = [BearerToken(), StaffSession()]
