"""Every route the matrix must cover: the API's operations and the staff pages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

API_PREFIX = "/api/v1"

# Not staff pages of VetriSys: the API (covered operation by operation), Django's admin
# (superusers only; checked on its own), allauth's sign-in screens (its own tests) and the
# language switch.
PAGE_PREFIXES_OUTSIDE = ("api/v1/", "django-admin/", "accounts/", "i18n/")

_PAGE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_API_PARAM = re.compile(r"{(?P<name>[^}]+)}")


@dataclass(frozen=True)
class Route:
    """One API operation (method + path) or one staff page (its URL pattern)."""

    kind: str  # "api" or "page"
    method: str  # for pages: the method sent (GET or POST)
    route: str
    path_params: tuple[str, ...]
    operation: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def id(self) -> str:
        return f"{self.kind} {self.method} {self.route}"

    def url(self, values: dict[str, str]) -> str:
        """The URL with its parameters filled."""
        if self.kind == "api":
            return API_PREFIX + _API_PARAM.sub(lambda m: values[m["name"]], self.route)
        return "/" + _PAGE_PARAM.sub(lambda m: values[m["name"]], self.route)


@cache
def openapi_schema() -> dict[str, Any]:
    from vetrisys.config.api import api

    schema: dict[str, Any] = api.get_openapi_schema()
    return schema


def api_routes() -> list[Route]:
    """Every operation of /api/v1/openapi.json."""
    routes = []
    for path, operations in openapi_schema()["paths"].items():
        for method, operation in operations.items():
            assert path.startswith(API_PREFIX), path
            route = path[len(API_PREFIX) :]
            params = tuple(m["name"] for m in _API_PARAM.finditer(route))
            routes.append(Route("api", method.upper(), route, params, operation))
    return routes


def _walk(patterns: list[Any], prefix: str = "") -> list[tuple[str, URLPattern]]:
    found: list[tuple[str, URLPattern]] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found.extend(_walk(pattern.url_patterns, prefix + str(pattern.pattern)))
        else:
            found.append((prefix + str(pattern.pattern), pattern))
    return found


def page_patterns() -> list[str]:
    """Every staff page's URL pattern, as the resolver spells it."""
    return sorted(
        {
            route
            for route, _pattern in _walk(get_resolver().url_patterns)
            if not route.startswith(PAGE_PREFIXES_OUTSIDE)
        }
    )


def page_apps() -> dict[str, str]:
    """Page pattern → the app whose view answers it."""
    found = {}
    for route, pattern in _walk(get_resolver().url_patterns):
        module = getattr(pattern.callback, "__module__", "")
        parts = module.split(".")
        found[route] = parts[1] if len(parts) > 1 and parts[0] == "vetrisys" else "core"
    return found


def page_routes() -> list[Route]:
    """Each staff page sent a GET and a POST."""
    routes = []
    for route in page_patterns():
        params = tuple(m["name"] for m in _PAGE_PARAM.finditer(route))
        for method in ("GET", "POST"):
            routes.append(Route("page", method, route, params))
    return routes


def resolve_ref(schema: dict[str, Any]) -> dict[str, Any]:
    """Follow a `$ref` into the OpenAPI components."""
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = openapi_schema()["components"]["schemas"][name]
    return schema


def request_body_schema(route: Route) -> dict[str, Any] | None:
    """The JSON (or multipart) schema of an operation's body, resolved."""
    body = route.operation.get("requestBody")
    if not body:
        return None
    content = body.get("content", {})
    for media in ("application/json", "multipart/form-data"):
        if media in content:
            return resolve_ref(content[media]["schema"])
    return None


def body_media(route: Route) -> str | None:
    body = route.operation.get("requestBody")
    if not body:
        return None
    content = body.get("content", {})
    return "multipart/form-data" if "multipart/form-data" in content else "application/json"


def query_parameters(route: Route) -> list[dict[str, Any]]:
    return [p for p in route.operation.get("parameters", []) if p.get("in") == "query"]
