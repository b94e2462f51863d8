"""Throttling of failed token requests, per username and per client address."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from vetrisys.core.errors import DomainError


class Throttled(DomainError):
    """Too many failed attempts in the window (429)."""

    status = 429
    code = "throttled"


def _keys(username: str, client_ip: str) -> list[tuple[str, int]]:
    # Hashed so that a username never becomes part of a cache key as typed.
    name = hashlib.sha256(username.strip().casefold().encode()).hexdigest()
    return [
        (f"api-token-failures:user:{name}", settings.API_TOKEN_FAILURES_PER_USERNAME),
        (f"api-token-failures:ip:{client_ip}", settings.API_TOKEN_FAILURES_PER_IP),
    ]


def token_attempt_check(*, username: str, client_ip: str) -> None:
    """Refuse the attempt (without looking at the password) once either limit is reached."""
    for key, limit in _keys(username, client_ip):
        if cache.get(key, 0) >= limit:
            raise Throttled(
                _("Too many failed attempts. Try again later."),
                retry_after=settings.API_TOKEN_FAILURE_WINDOW,
            )


def token_attempt_failed(*, username: str, client_ip: str) -> None:
    """Count one failed attempt against the username and the client address."""
    for key, _limit in _keys(username, client_ip):
        cache.add(key, 0, timeout=settings.API_TOKEN_FAILURE_WINDOW)
        try:
            cache.incr(key)
        except ValueError:
            # The entry expired between add and incr: start a new window.
            cache.set(key, 1, timeout=settings.API_TOKEN_FAILURE_WINDOW)


def token_attempt_succeeded(*, username: str) -> None:
    """A right password (and code) clears the username's count; the address keeps its own."""
    key, _limit = _keys(username, "")[0]
    cache.delete(key)
