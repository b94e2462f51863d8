"""The API's error shape and status mapping, in one place, and helpers every router uses."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination

from vetrisys.core.errors import DomainError, ValidationFailed

logger = logging.getLogger(__name__)

Pagination = LimitOffsetPagination


class ErrorOut(Schema):
    """The one error shape."""

    message: str
    code: str
    extra: dict[str, Any]


# The error answers an endpoint may give, listed in its OpenAPI responses.
ERRORS: dict[int, type[ErrorOut]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


def error_body(message: str, code: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The one error shape: {"message", "code", "extra"}."""
    return {"message": message, "code": code, "extra": extra or {}}


def patch_fields(payload: Schema) -> dict[str, Any]:
    """The fields a PATCH body sent; an explicit null is refused (a field is changed, not
    unset)."""
    fields = payload.model_dump(exclude_unset=True)
    nulls = sorted(name for name, value in fields.items() if value is None)
    if nulls:
        raise ValidationFailed(
            "Some fields are not valid.",
            fields={name: ["This field may not be null."] for name in nulls},
        )
    return fields


def _field_name(location: tuple[Any, ...]) -> str:
    # Ninja reports ("body", "payload", "field", 0, …) or ("query", "field"): keep the field path.
    parts = [str(p) for p in location]
    for prefix in ("body", "query", "path", "form", "file", "header", "cookie"):
        if parts and parts[0] == prefix:
            parts = parts[1:]
            break
    if len(parts) > 1 and parts[0] in {"payload", "data", "filters"}:
        parts = parts[1:]
    return ".".join(parts) or "__all__"


_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid",
}


def install_error_handlers(api: NinjaAPI) -> None:
    """Map every error an endpoint can raise to its status and the error shape."""

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        response = api.create_response(
            request, error_body(exc.message, exc.code, exc.extra), status=exc.status
        )
        if exc.status == 429 and "retry_after" in exc.extra:
            response["Retry-After"] = str(exc.extra["retry_after"])
        return response

    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields: dict[str, list[str]] = {}
        for error in exc.errors:
            name = _field_name(tuple(error.get("loc", ())))
            fields.setdefault(name, []).append(str(error.get("msg", "invalid")))
        return api.create_response(
            request,
            error_body("Some fields are not valid.", "invalid", {"fields": fields}),
            status=422,
        )

    @api.exception_handler(AuthenticationError)
    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request,
            error_body(
                "Authentication credentials were not provided or are not valid.",
                "not_authenticated",
            ),
            status=401,
        )

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, error_body("Not found.", "not_found"), status=404)

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return api.create_response(
            request, error_body("You do not have permission to do this.", "forbidden"), status=403
        )

    @api.exception_handler(IntegrityError)
    def integrity_error(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        # A unique constraint lost a race that the service's own check could not see.
        logger.info("Integrity error in %s %s: %s", request.method, request.path, exc)
        return api.create_response(
            request,
            error_body("This conflicts with the current state; reload and retry.", "conflict"),
            status=409,
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400:
            # A body that is not JSON at all is invalid input like any other.
            return api.create_response(
                request,
                error_body(
                    "Some fields are not valid.", "invalid", {"fields": {"__all__": [str(exc)]}}
                ),
                status=422,
            )
        return api.create_response(
            request,
            error_body(str(exc.message), _HTTP_CODES.get(exc.status_code, "error")),
            status=exc.status_code,
        )

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("Unhandled error in %s %s", request.method, request.path)
        return api.create_response(
            request,
            error_body(
                "Something went wrong on our side.",
                "server_error",
                {"request_id": getattr(request, "request_id", "")},
            ),
            status=500,
        )
