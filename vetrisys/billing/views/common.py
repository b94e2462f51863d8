"""What every billing screen shares: signed-in staff, the current location, error mapping."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.models import Location
from vetrisys.accounts.permissions import has_capability, require
from vetrisys.core.errors import Conflict, NotFound, ValidationFailed

View = Callable[..., HttpResponseBase]
PAGE_SIZE = 25


def current_location(
    request: HttpRequest, capability: Capability = Capability.BILLING_VIEW
) -> Location:
    """The location chosen in the navigation bar, where the actor holds `capability`."""
    location = getattr(request, "location", None)
    if location is None:
        raise NotFound(_("Location not found."))
    require(request.user, capability, location)
    return location  # type: ignore[no-any-return]


def can(request: HttpRequest, capability: Capability, location: Any) -> bool:
    """Whether the signed-in person holds `capability` at `location`."""
    return has_capability(request.user, capability, location)


def render_at(
    request: HttpRequest,
    location: Location,
    template: str,
    context: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    """Render with times shown in the location's zone."""
    with timezone.override(ZoneInfo(location.time_zone)):
        return render(request, template, {"location": location, **context}, status=status)


def error_text(error: ValidationFailed | Conflict) -> str:
    """The message with the field messages after it (for a flash message)."""
    fields = getattr(error, "fields", {}) or {}
    detail = "; ".join(dict.fromkeys(m for ms in fields.values() for m in ms))
    return f"{error.message} {detail}".strip()


def flash_error(request: HttpRequest, error: ValidationFailed | Conflict) -> None:
    messages.error(request, error_text(error))


def query_string(request: HttpRequest, *names: str) -> str:
    """The list filters to keep on the pagination links."""
    params = request.GET.copy()
    params.pop("page", None)
    for key in list(params.keys()):
        if names and key not in names:
            params.pop(key)
    return params.urlencode()
