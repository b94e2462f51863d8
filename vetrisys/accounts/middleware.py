"""Session idle timeout, per-user language, the current location, and required MFA."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation

from vetrisys.accounts import selectors

_LAST_SEEN_KEY = "vetrisys:last_seen"
_SIGNED_IN_KEY = "vetrisys:signed_in_at"
LOCATION_SESSION_KEY = "vetrisys:location"

Handler = Callable[[HttpRequest], HttpResponse]


class SessionIdleTimeoutMiddleware:
    """Sign a browser session out after SESSION_IDLE_TIMEOUT seconds without a request, and
    SESSION_COOKIE_AGE seconds after it began however busy (Django's own expiry slides with
    every request that touches the session, so it is no absolute limit on its own)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last_seen = request.session.get(_LAST_SEEN_KEY)
            signed_in_at = request.session.setdefault(_SIGNED_IN_KEY, now)
            idle = last_seen is not None and now - int(last_seen) > settings.SESSION_IDLE_TIMEOUT
            if idle or now - int(signed_in_at) > settings.SESSION_COOKIE_AGE:
                logout(request)
            else:
                request.session[_LAST_SEEN_KEY] = now
        return self.get_response(request)


class UserLanguageMiddleware:
    """Speak the signed-in user's language."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        language = getattr(user, "language", None) if user.is_authenticated else None
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if language:
            response.headers.setdefault("Content-Language", language)
        return response


class CurrentLocationMiddleware:
    """Attach the location the user is working at (`request.location`), chosen in the switcher."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.location = None  # type: ignore[attr-defined]
        if request.user.is_authenticated and hasattr(request, "session"):
            chosen = request.session.get(LOCATION_SESSION_KEY)
            request.location = selectors.current_location(  # type: ignore[attr-defined]
                user=request.user, chosen_id=chosen
            )
        return self.get_response(request)


class RequireMfaMiddleware:
    """When the organization requires MFA, staff without it can only set it up or sign out."""

    _ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/api/")

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(self._ALLOWED_PREFIXES)
            and selectors.mfa_setup_required(user=user)
        ):
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
