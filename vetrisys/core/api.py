"""The API's error shape and status mapping, in one place, and helpers every router uses."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import sys
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi import schema as ninja_openapi_schema
from ninja.pagination import LimitOffsetPagination
from ninja.parser import Parser
from ninja.schema import NinjaGenerateJsonSchema
from pydantic import AfterValidator, PlainSerializer, WithJsonSchema
from pydantic.json_schema import DefsRef

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


class _QualifiedNamesJsonSchema(NinjaGenerateJsonSchema):
    """Names a nested enum by its owner ("ShiftExceptionKind", not "Kind") and a schema whose
    class name another app also uses by its app ("BillingRef"), so that two definitions never
    share one name in the OpenAPI document (Ninja merges every schema's definitions by name)."""

    def get_defs_ref(self, core_mode_ref: Any) -> Any:
        defs_ref = super().get_defs_ref(core_mode_ref)
        choices = self._prioritized_defsref_choices[defs_ref]
        qualified = _qualified_name(core_mode_ref[0])
        if qualified:
            choices.insert(0, DefsRef(qualified))
        return defs_ref


def _qualified_name(core_ref: str) -> str:
    """The unambiguous name of one of the project's types, or "" to keep pydantic's."""
    dotted = core_ref.rsplit(":", 1)[0]
    if not dotted.startswith("vetrisys.") or "[" in dotted:
        return ""
    parts = dotted.split(".")
    for split in range(len(parts) - 1, 1, -1):
        module = sys.modules.get(".".join(parts[:split]))
        if module is not None:
            qualname = parts[split:]
            break
    else:
        return ""
    if len(qualname) > 1:
        return "".join(qualname)
    if qualname[0] in _shared_schema_names():
        return parts[1].capitalize() + qualname[0]
    return ""


@functools.cache
def _shared_schema_names() -> frozenset[str]:
    """Class names used by schemas of more than one module of the project."""
    modules: dict[str, set[str]] = {}
    pending: list[type[Schema]] = [Schema]
    while pending:
        cls = pending.pop()
        sub: type[Schema]
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("vetrisys."):
                modules.setdefault(sub.__name__, set()).add(sub.__module__)
            pending.append(sub)
    return frozenset(name for name, found in modules.items() if len(found) > 1)


ninja_openapi_schema.NinjaGenerateJsonSchema = _QualifiedNamesJsonSchema  # type: ignore[attr-defined]


def _naive_clock(value: dt.time) -> dt.time:
    if value.tzinfo is not None:
        raise ValueError(_("Give a local time without an offset, e.g. 09:00."))
    return value


_CLOCK_JSON = {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?$"}

# A local clock time at a location ("09:00"): read without an offset, written as HH:MM.
ClockIn = Annotated[dt.time, AfterValidator(_naive_clock), WithJsonSchema(_CLOCK_JSON)]
ClockOut = Annotated[
    dt.time,
    PlainSerializer(lambda value: value.strftime("%H:%M"), return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d$"}),
]


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


class StrictParser(Parser):
    """JSON bodies and query strings without NUL characters, which no text column can hold
    (PostgreSQL refuses them): such input is invalid (422), never a server error."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        if _has_nul(data):
            raise ValueError("NUL character in the body")
        return data

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        result = super().parse_querydict(data, list_fields, request)
        if _has_nul(result):
            raise HttpError(400, "NUL character in the query")
        return result
