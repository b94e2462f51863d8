"""The authorization policy: who may call every API route and open every staff page.

One module per app (`policy/<app>.py`) holds a `RULES` list of rows:

    api("GET", "/clients/{client_id}", "clients.view", "organization")
    page("GET POST", "clients/<uuid:client_id>/edit/", "clients.manage", "organization")

- `api(method, path, access, scope)`: `path` exactly as in /api/v1/openapi.json, without the
  `/api/v1` prefix.
- `page(methods, route, access, scope)`: `route` exactly as Django's URL resolver spells it
  (the `path()` strings joined, no leading slash); `methods` are the ones the page answers
  (a page is also sent the other of GET/POST, which must then be refused with 405).
- `access`: a capability (`vetrisys.accounts.capabilities.Capability` value, e.g.
  "billing.void"), or PUBLIC (anyone, signed in or not), AUTHENTICATED (any signed-in staff
  member of the organization), ADMIN (an organization administrator), INSTALLATION (an
  administrator of the organization that installed VetriSys: backups hold every tenant).
- `scope`: where the capability must be held.
  LOCATION: at the location of the object in the path (or of the `location` in the body or
  query); ORGANIZATION: at any location of the object's organization; OWN: the user's own data:
  every signed-in user about themselves (`/me`), or, for an object of one person (an export
  someone requested), only that person (and the capability, if one is named, anywhere).
  PUBLIC rows take scope NONE.

Objects of another organization, and location-scoped objects at a location where the user has
no membership, must answer 404 whatever the capability.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass

PUBLIC = "public"
AUTHENTICATED = "authenticated"
ADMIN = "admin"
INSTALLATION = "installation"

LOCATION = "location"
ORGANIZATION = "organization"
OWN = "own"
NONE = "none"

_SCOPES = {LOCATION, ORGANIZATION, OWN, NONE}
_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


@dataclass(frozen=True)
class Rule:
    """One row of the policy table."""

    kind: str  # "api" or "page"
    methods: frozenset[str]
    route: str
    access: str
    scope: str
    module: str = ""

    def key(self) -> tuple[str, str]:
        return (self.kind, self.route)


def api(method: str, path: str, access: str, scope: str) -> Rule:
    """A row for one API operation."""
    return _rule("api", method, path, access, scope)


def page(methods: str, route: str, access: str, scope: str) -> Rule:
    """A row for one staff page (one URL pattern) and the methods it answers."""
    return _rule("page", methods, route, access, scope)


def _rule(kind: str, methods: str, route: str, access: str, scope: str) -> Rule:
    names = frozenset(methods.split())
    if not names or not names <= _METHODS:
        raise ValueError(f"{kind} {route}: methods {methods!r} are not among {sorted(_METHODS)}")
    if scope not in _SCOPES:
        raise ValueError(f"{kind} {route}: scope {scope!r} is not one of {sorted(_SCOPES)}")
    if access == PUBLIC and scope != NONE:
        raise ValueError(f"{kind} {route}: a public row takes scope NONE")
    if access != PUBLIC:
        _check_access(kind, route, access)
    return Rule(kind=kind, methods=names, route=route, access=access, scope=scope)


def _check_access(kind: str, route: str, access: str) -> None:
    from vetrisys.accounts.capabilities import Capability

    if access in {AUTHENTICATED, ADMIN, INSTALLATION}:
        return
    if access not in Capability._value2member_map_:
        raise ValueError(f"{kind} {route}: access {access!r} is not a capability nor a keyword")


def all_rules() -> list[Rule]:
    """Every row of every policy module, each tagged with the module it came from."""
    rules: list[Rule] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for rule in getattr(module, "RULES", []):
            rules.append(
                Rule(rule.kind, rule.methods, rule.route, rule.access, rule.scope, info.name)
            )
    return rules


def rule_index() -> dict[tuple[str, str, str], Rule]:
    """(kind, method, route) → rule; a duplicate row is an error."""
    index: dict[tuple[str, str, str], Rule] = {}
    for rule in all_rules():
        for method in rule.methods:
            key = (rule.kind, method, rule.route)
            if key in index:
                raise ValueError(
                    f"{rule.kind} {method} {rule.route} is in policy/{index[key].module}.py "
                    f"and in policy/{rule.module}.py"
                )
            index[key] = rule
    return index
