"""The authorization matrix: what each identity should get from each route at each target,
request bodies made from the OpenAPI schema, and the checks on each answer."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.test import Client

from tests.security.policy import ADMIN, AUTHENTICATED, INSTALLATION, LOCATION, OWN, PUBLIC, Rule
from tests.security.routes import (
    Route,
    body_media,
    query_parameters,
    request_body_schema,
    resolve_ref,
)
from tests.security.world import PNG, UUID, Identity, MatrixWorld, Site

# Path parameters that do not depend on the target (global reference data, fixed words).
GLOBAL_PARAMS = {"species_id", "action", "token", "kind", "channel", "language", "report"}

# Body / query fields that refer to an object of the target site, and the site value they take.
REFERENCES = {
    "location": "location_id",
    "from_location": "location_id",
    "to_location": "location_id",
    "client": "client_id",
    "patient": "patient_id",
    "product": "product_id",
    "price_item": "product_id",
    "lot": "lot_id",
    "vet": "user_id",
    "staff": "user_id",
    "user": "user_id",
    "room": "room_id",
    "appointment_type": "type_id",
    "visit": "visit_id",
    "appointment": "appointment_id",
    "supplier": "supplier_id",
    "attachment": "attachment_id",
    "invoice": "invoice_id",
    "estimate": "estimate_id",
    "prescription": "prescription_id",
    "species": "species_id",
    "role": "role_id",
}

ALLOW = "allow"
ANSWERED = "answered"  # a public route: anything but a server error
DENY = "deny"  # 403 or 404
NOT_FOUND = "not found"  # 404 only: another organization's object
NOT_FOUND_OR_BLIND = "not found, or refused before any lookup"  # 404, or a 403 for everyone
UNAUTHENTICATED = "unauthenticated"  # API 401, pages: redirect to the sign-in page
NOT_ANSWERED = "method not answered"  # a page method the page does not take: 405


@dataclass(frozen=True)
class Cell:
    route: Route
    identity: str
    site: str  # "A", "B", "X", or "-" for a route that does not depend on a target


def is_targeted(route: Route) -> bool:
    """Whether the route's answer depends on the object / location it is about."""
    if any(p not in GLOBAL_PARAMS for p in route.path_params):
        return True
    if route.kind == "page":
        return False
    body = request_body_schema(route)
    fields = set((body or {}).get("properties", {}))
    fields |= {p["name"] for p in query_parameters(route) if p.get("required")}
    return bool(fields & {name for name, value in REFERENCES.items() if value not in GLOBAL_PARAMS})


def _capabilities(identity: Identity) -> dict[str, frozenset[str]]:
    from vetrisys.accounts.permissions import capability_map, forget_capabilities

    if identity.user is None:
        return {}
    forget_capabilities(identity.user)
    return {k: frozenset(str(c) for c in v) for k, v in capability_map(identity.user).items()}


def owner_of(route: Route, site: Site | None) -> str | None:
    """The person the route's object belongs to, for objects of one person."""
    if site is None:
        return None
    return next((site.owners[p] for p in route.path_params if p in site.owners), None)


def expectation(rule: Rule, identity: Identity, site: Site | None, owner: str | None = None) -> str:
    """What the policy says this identity gets from this route at this target."""
    if rule.access == PUBLIC:
        return ANSWERED
    if identity.user is None:
        return UNAUTHENTICATED
    caps = _capabilities(identity)
    if site is not None and site.organization.pk != identity.user.organization_id:
        if rule.access not in (AUTHENTICATED, ADMIN, INSTALLATION) and not any(
            rule.access in held for held in caps.values()
        ):
            # Refused before any lookup (the capability is held nowhere): a 403 that does not
            # depend on the object tells nothing about it.
            return NOT_FOUND_OR_BLIND
        return NOT_FOUND
    if rule.scope == OWN:
        if owner is not None and owner != identity.user.username:
            return DENY
        if rule.access in (AUTHENTICATED, ADMIN, INSTALLATION):
            return ALLOW
        return ALLOW if any(rule.access in held for held in caps.values()) else DENY
    if rule.access == AUTHENTICATED:
        if rule.scope == LOCATION and site is not None:
            return ALLOW if str(site.location.pk) in caps else DENY
        return ALLOW
    if rule.access == ADMIN:
        return ALLOW if identity.user.is_organization_wide() else DENY
    if rule.access == INSTALLATION:
        first = identity.user.organization_id == _first_organization_id()
        held = any("organization.manage" in h for h in caps.values())
        return ALLOW if first and held else DENY
    if rule.scope == LOCATION and site is not None:
        # Another location of the organization: refused, 403 or 404 (its objects may be
        # visible organization-wide, as a pet's records are).
        held = caps.get(str(site.location.pk))
        if held is None:
            return DENY
        return ALLOW if rule.access in held else DENY
    return ALLOW if any(rule.access in held for held in caps.values()) else DENY


def _first_organization_id() -> Any:
    from vetrisys.accounts.models import Organization

    return Organization.objects.order_by("created_at", "id").values_list("id", flat=True)[0]


# ---------------------------------------------------------------- bodies from the schema


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


# Values by field name, where the type alone does not give a valid one.
NAMED_VALUES: dict[str, Any] = {
    "currency": "PEN",
    "language": "es",
    "time_zone": "America/Lima",
    "color": "#3366cc",
    "weight_kg": "4.20",
    "tax_rate": "18.00",
    "discount_percent": "0",
    "weekday": 0,
    "sku": "SEG-001",
    "code": "SEG01",
}


def example_value(name: str, schema: dict[str, Any], site: Site, depth: int = 0) -> Any:
    """A valid-looking value for one field, referring to the site's objects."""
    schema = resolve_ref(schema)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [resolve_ref(s) for s in schema[key]]
            options = [s for s in options if s.get("type") != "null"] or options
            merged = {k: v for k, v in schema.items() if k not in ("anyOf", "oneOf", "allOf")}
            return example_value(name, {**options[0], **merged}, site, depth)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    fmt = schema.get("format", "")
    if kind == "array":
        item = example_value(name, schema.get("items", {}), site, depth + 1)
        return [item]
    if name in REFERENCES and REFERENCES[name] in site.values:
        return site.values[REFERENCES[name]]
    if name in NAMED_VALUES:
        return NAMED_VALUES[name]
    if kind == "object" or "properties" in schema:
        return example_object(schema, site, depth + 1)
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "number":
        return max(schema.get("minimum", 1), 1)
    if kind == "boolean":
        return False
    if fmt == "uuid":
        return str(uuid.uuid4())
    if fmt == "date":
        return (_today() + dt.timedelta(days=7)).isoformat()
    if fmt == "date-time":
        day = _today() + dt.timedelta(days=8)
        return dt.datetime.combine(day, dt.time(15, 0), tzinfo=dt.UTC).isoformat()
    if fmt == "time" or name.endswith(("starts_at", "ends_at", "opens_at", "closes_at")):
        return "10:00"
    if fmt == "email" or "email" in name:
        return "seguridad@example.pe"
    if "phone" in name:
        return "+51 987 654 321"
    if fmt == "decimal" or any(
        word in name for word in ("amount", "price", "quantity", "rate", "percent", "cost", "kg")
    ):
        return "1.00"
    if name == "password":
        return "una-clave-larga-de-prueba"
    if name == "username":
        return "seguridad.prueba"
    text = "Prueba de seguridad"
    if "maxLength" in schema:
        text = text[: int(schema["maxLength"])]
    return text


def example_object(schema: dict[str, Any], site: Site, depth: int = 0) -> dict[str, Any]:
    schema = resolve_ref(schema)
    if depth > 4:
        return {}
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    if required:
        # Required fields and references: optional ones only add ways to be invalid.
        properties = {k: v for k, v in properties.items() if k in required or k in REFERENCES}
    return {name: example_value(name, prop, site, depth) for name, prop in properties.items()}


def api_request(route: Route, site: Site) -> tuple[str, dict[str, Any]]:
    """URL and keyword arguments for the test client."""
    url = route.url(site.values)
    query = {}
    for parameter in query_parameters(route):
        if parameter.get("required"):
            query[parameter["name"]] = example_value(
                parameter["name"], parameter.get("schema", {}), site
            )
    kwargs: dict[str, Any] = {}
    if query:
        kwargs["QUERY_STRING"] = "&".join(f"{k}={v}" for k, v in query.items())
    body = request_body_schema(route)
    if body is not None:
        data = example_value("payload", body, site)
        if isinstance(data, dict):
            data.update(BODY_OVERRIDES.get((route.method, route.route), {}))
        if body_media(route) == "multipart/form-data":
            from django.core.files.uploadedfile import SimpleUploadedFile
            from django.test.client import MULTIPART_CONTENT, encode_multipart

            data = {k: v for k, v in data.items() if not isinstance(v, (dict, list))}
            data["file"] = SimpleUploadedFile("placa.png", PNG, content_type="image/png")
            data.setdefault("kind", "xray")
            kwargs["data"] = encode_multipart("BoUnDaRy", data)
            kwargs["content_type"] = MULTIPART_CONTENT.replace("BoUnDaRy", "BoUnDaRy")
            kwargs["content_type"] = "multipart/form-data; boundary=BoUnDaRy"
        else:
            kwargs["data"] = json.dumps(data)
            kwargs["content_type"] = "application/json"
    return url, kwargs


# Fields a valid body of a route needs that the schema alone does not tell.
BODY_OVERRIDES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/patients/{patient_id}/weights"): {"weight_kg": "4.20"},
}

PAGE_FORM = {
    "name": "Prueba de seguridad",
    "notes": "Prueba de seguridad",
    "text": "Prueba de seguridad",
    "reason": "Prueba de seguridad",
    "description": "Prueba de seguridad",
}


# ---------------------------------------------------------------- nothing changed


def _watched_tables() -> list[tuple[str, bool]]:
    tables = []
    for model in apps.get_models():
        module = model.__module__
        if not module.startswith("vetrisys.") or model._meta.proxy or not model._meta.managed:
            continue
        # Tokens record their last use; the audit chain's head follows its events.
        if model._meta.label in {"accounts.ApiToken", "audit.AuditChainHead"}:
            continue
        names = {f.attname for f in model._meta.concrete_fields}
        tables.append((model._meta.db_table, "updated_at" in names))
    return sorted(tables)


_TABLES: list[tuple[str, bool]] = []


def fingerprint() -> tuple[Any, ...]:
    """Row counts (and latest change) of every table of the project, in one query."""
    if not _TABLES:
        _TABLES.extend(_watched_tables())
    quote = connection.ops.quote_name
    parts = []
    for table, has_updated in _TABLES:
        # Reading a medical record is audited (records.visit.read): a read, not a change.
        where = " WHERE action NOT LIKE '%%.read'" if table == "audit_auditevent" else ""
        parts.append(f"(SELECT COUNT(*) FROM {quote(table)}{where})")
        if has_updated:
            parts.append(f"(SELECT MAX(updated_at) FROM {quote(table)})")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        row = cursor.fetchone()
    return tuple(row)


def changed_tables(before: tuple[Any, ...], after: tuple[Any, ...]) -> list[str]:
    names = []
    for table, has_updated in _TABLES:
        names.append(f"{table} rows")
        if has_updated:
            names.append(f"{table} updated_at")
    return [n for n, b, a in zip(names, before, after, strict=True) if b != a]


# ---------------------------------------------------------------- one cell


@dataclass
class Answer:
    status: int
    location: str
    body: str
    changed: list[str]


def send(client: Client, route: Route, site: Site, *, watch: bool) -> Answer:
    """Send the request inside a savepoint that is rolled back: the world never changes."""
    if route.kind == "api":
        url, kwargs = api_request(route, site)
    else:
        url = route.url(site.values)
        kwargs = {"data": PAGE_FORM} if route.method == "POST" else {}
    with transaction.atomic():
        before = fingerprint() if watch else ()
        if route.kind == "page":
            method = client.post if route.method == "POST" else client.get
            response = method(url, **kwargs)
        else:
            query = kwargs.pop("QUERY_STRING", "")
            if query:
                url = f"{url}?{query}"
            response = client.generic(route.method, url, **kwargs)
        after = fingerprint() if watch else ()
        transaction.set_rollback(True)
    body = b"" if getattr(response, "streaming", False) else response.content
    text = body.decode("utf-8", "replace") if body[:4] != b"%PDF" else ""
    return Answer(
        response.status_code,
        response.get("Location", ""),
        text,
        changed_tables(before, after) if watch else [],
    )


def judge(cell: Cell, expected: str, answer: Answer, foreign_ids: frozenset[str]) -> str | None:
    """None when the answer is what the policy says, else what is wrong."""
    status = answer.status
    kind = cell.route.kind
    login = kind == "page" and status == 302 and answer.location.startswith("/accounts/login/")
    problem = None
    if status >= 500:
        problem = f"server error {status}"
    elif expected == UNAUTHENTICATED:
        ok = status == 401 if kind == "api" else login
        problem = None if ok else f"expected {'401' if kind == 'api' else 'sign-in redirect'}"
    elif expected == NOT_ANSWERED:
        ok = status == 405 or (login and cell.identity == "anonymous")
        problem = None if ok else "expected 405 (the policy lists no such method for the page)"
    elif expected == ANSWERED:
        problem = None
    elif (
        expected in (DENY, NOT_FOUND, NOT_FOUND_OR_BLIND)
        and kind == "api"
        and cell.route.method != "GET"
        and status in (409, 422)
    ):
        # The body was refused (422) or the state conflicted (409) before the authorization was
        # reached: not a success, and the check below makes sure nothing changed.
        problem = None
    elif expected == NOT_FOUND:
        problem = None if status == 404 else "expected 404"
    elif expected == NOT_FOUND_OR_BLIND:
        problem = None if status in (403, 404) else "expected 404 (or 403 before any lookup)"
    elif expected == DENY:
        # A screen may answer a refused form with the form again, or a redirect, and the
        # refusal as a message (core.views.error_text): what counts there is that nothing
        # changed, checked below.
        shown_again = kind == "page" and cell.route.method == "POST" and status in (200, 302, 422)
        ok = status in (403, 404) or (shown_again and not login)
        problem = None if ok else "expected 403 or 404"
    elif expected == ALLOW:
        if status in (401, 403) or login:
            problem = "denied, but the policy allows it"
        elif status == 404 and cell.route.method == "GET":
            problem = "404, but the policy allows it"
        elif cell.route.method == "GET" and not (200 <= status < 400):
            problem = "expected a 2xx/3xx answer"
    if expected not in (ALLOW, ANSWERED) and answer.changed:
        problem = (problem or "denied") + f", but changed {answer.changed}"
    # A public route (the calendar feed) answers for the token in its URL, not the identity.
    if 200 <= status < 300 and foreign_ids and expected != ANSWERED:
        leaked = set(UUID.findall(answer.body)) & foreign_ids
        if leaked:
            problem = (problem or "") + f" leaks {len(leaked)} ids of another organization"
    if problem:
        return (
            f"{cell.route.id} as {cell.identity} at {cell.site}: {status} — {problem} "
            f"(policy: {expected})"
        )
    return None


__all__ = [
    "ALLOW",
    "DENY",
    "NOT_ANSWERED",
    "NOT_FOUND",
    "UNAUTHENTICATED",
    "Cell",
    "MatrixWorld",
    "expectation",
    "is_targeted",
    "judge",
    "send",
]
