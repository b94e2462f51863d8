"""What every staff screen shares: domain errors answered as 404 / 403, or as a message."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from vetrisys.core.errors import DomainError, NotAllowed, NotFound, ValidationFailed

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def domain_errors(view: View) -> View:
    """Answer 404 for what the user may not see and 403 for what they may not do."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            raise Http404(error.message) from None
        except NotAllowed as error:
            raise PermissionDenied(error.message) from None

    return cast(View, wrapper)


def staff_view(view: View) -> View:
    """Signed-in staff only, with domain errors answered as 404 / 403."""
    return login_required(domain_errors(view))


def error_text(error: DomainError) -> str:
    """The error and its field messages, for a message on the page."""
    if isinstance(error, ValidationFailed) and error.fields:
        details = "; ".join(" ".join(str(m) for m in msgs) for msgs in error.fields.values())
        return f"{error.message} {details}"
    return error.message
