"""Mass assignment: every read-only field of a write endpoint's answer, sent in its body, is
refused (422) or ignored, never applied."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from tests.security.matrix import BODY_OVERRIDES, api_request, example_value
from tests.security.routes import Route, api_routes, request_body_schema, resolve_ref
from tests.security.world import MatrixWorld

# The world is built in the test database, once per module (conftest.py).
pytestmark = pytest.mark.django_db

WRITES = [
    r
    for r in api_routes()
    if r.method in {"POST", "PUT", "PATCH"}
    and (r.operation.get("requestBody", {}).get("content", {}).get("application/json"))
]

# Fields a client may legitimately send on some endpoint although the server also reports them
# (a diagnosis's status is chosen by the vet, a template's language by its author).
CHOSEN_BY_THE_CLIENT = {"status", "language", "kind", "channel"}

# Names that are always the server's to set.
SERVER_OWNED = {
    "id", "organization", "created_at", "updated_at", "version", "number", "subtotal",
    "discount_total", "tax_total", "total", "paid_total", "balance", "signed_at",
    "signed_by", "issued_at", "voided_at", "created_by", "recorded_by", "on_hand",
}  # fmt: skip


# Optimistic locks: the client sends the version it edited, the server compares (409), never
# stores it.
LOCKS = {"api PUT /visits/{visit_id}/soap": {"version"}}


def _response_schema(route: Route) -> dict[str, Any]:
    responses = {str(k): v for k, v in route.operation.get("responses", {}).items()}
    for status in ("200", "201"):
        answer = responses.get(status)
        if answer and "content" in answer:
            return resolve_ref(answer["content"]["application/json"]["schema"])
    return {}


def read_only_fields(route: Route) -> dict[str, dict[str, Any]]:
    """Fields of the answer that the body does not take."""
    body = request_body_schema(route) or {}
    taken = set(body.get("properties", {}))
    answer = _response_schema(route).get("properties", {})
    return {name: resolve_ref(schema) for name, schema in answer.items() if name not in taken}


def hostile_value(name: str, schema: dict[str, Any]) -> Any:
    """A value the server would never have produced by itself."""
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [resolve_ref(s) for s in schema[key] if resolve_ref(s).get("type") != "null"]
            if options:
                return hostile_value(name, options[0])
    kind = schema.get("type")
    fmt = schema.get("format", "")
    if "enum" in schema:
        return schema["enum"][-1]
    if fmt == "uuid" or name == "id" or name.endswith("_id"):
        return "00000000-0000-4000-8000-00000000bad1"
    if fmt == "date-time" or name.endswith("_at"):
        return "2001-02-03T04:05:06+00:00"
    if fmt == "date" or name.endswith("_on"):
        return "2001-02-03"
    if kind == "integer":
        return 987654
    if kind == "number" or any(w in name for w in ("total", "balance", "amount", "price")):
        return "987654.32"
    if kind == "boolean":
        return True
    if kind == "array":
        return []
    if kind == "object":
        return {}
    return f"INJECTED-{name}"


def _same(stored: Any, injected: Any) -> bool:
    if stored is None or injected in ([], {}, True):
        return False
    return str(stored).replace("Z", "+00:00") == str(injected)


@pytest.mark.parametrize("route", WRITES, ids=[f"{r.method} {r.route}" for r in WRITES])
def test_read_only_fields_are_refused_or_ignored(
    route: Route, matrix_world: MatrixWorld, clients: dict[str, dict[str, Client]]
) -> None:

    site = matrix_world.sites["A"]
    client = clients["admin"]["api"]
    fields = read_only_fields(route)
    if not fields:
        pytest.skip("the answer has no field the body does not take")
    url, kwargs = api_request(route, site)
    body = json.loads(kwargs["data"])
    if not isinstance(body, dict):
        pytest.skip("the body is a list")
    injected = {name: hostile_value(name, schema) for name, schema in fields.items()}
    kwargs["data"] = json.dumps({**body, **injected})
    query = kwargs.pop("QUERY_STRING", "")
    with transaction.atomic():
        response = client.generic(route.method, f"{url}?{query}" if query else url, **kwargs)
        transaction.set_rollback(True)

    assert response.status_code < 500, response.content[:500]
    if response.status_code == 422:
        return  # refused
    assert response.status_code not in (401, 403), "the administrator is allowed everything"
    if 200 <= response.status_code < 300:
        answer = response.json()
        applied = [
            name
            for name, value in injected.items()
            if isinstance(answer, dict) and _same(answer.get(name), value)
        ]
        assert applied == [], f"{route.id} applied read-only fields sent in its body: {applied}"


@pytest.mark.parametrize("route", WRITES, ids=[f"{r.method} {r.route}" for r in WRITES])
def test_no_body_takes_a_field_the_server_owns(route: Route) -> None:
    body = request_body_schema(route) or {}
    taken = set(body.get("properties", {}))

    owned = sorted((taken & SERVER_OWNED) - CHOSEN_BY_THE_CLIENT - LOCKS.get(route.id, set()))

    assert owned == [], f"{route.id} takes server-owned fields in its body: {owned}"


def test_every_write_endpoint_is_covered() -> None:
    assert len(WRITES) >= 60
    injected = sum(len(read_only_fields(r)) for r in WRITES)
    assert injected >= 400
    _ = example_value, BODY_OVERRIDES
