"""Every API route and staff page has a row in the policy table, and every row a route."""

from __future__ import annotations

import re

from tests.security.policy import rule_index
from tests.security.routes import api_routes, page_apps, page_patterns
from tests.security.world import PATH_PARAMETERS


def _app_of_api(operation_id: str) -> str:
    found = re.match(r"vetrisys_([a-z]+)_api", operation_id)
    return found.group(1) if found else "<app>"


def test_every_api_route_has_a_policy_row() -> None:
    index = rule_index()
    missing = [
        f"tests/security/policy/{_app_of_api(r.operation.get('operationId', ''))}.py: "
        f'api("{r.method}", "{r.route}", "<capability>", LOCATION or ORGANIZATION),'
        for r in api_routes()
        if ("api", r.method, r.route) not in index
    ]
    assert missing == [], "Add a row for each new API route (see tests/security/README.md):\n" + (
        "\n".join(missing)
    )


def test_every_staff_page_has_a_policy_row() -> None:
    index = rule_index()
    covered = {route for kind, _method, route in index if kind == "page"}
    apps = page_apps()
    missing = [
        f'tests/security/policy/{apps[route]}.py: page("GET POST", "{route}", "<capability>", '
        "LOCATION or ORGANIZATION),"
        for route in page_patterns()
        if route not in covered
    ]
    assert missing == [], "Add a row for each new page (see tests/security/README.md):\n" + (
        "\n".join(missing)
    )


def test_every_policy_row_names_an_existing_route() -> None:
    api = {(r.method, r.route) for r in api_routes()}
    pages = set(page_patterns())
    stale = [
        f"policy/{rule.module}.py: {kind} {method} {route}"
        for (kind, method, route), rule in rule_index().items()
        if (kind == "api" and (method, route) not in api) or (kind == "page" and route not in pages)
    ]
    assert stale == [], "These rows name no route any more; remove or correct them:\n" + (
        "\n".join(stale)
    )


def test_the_world_fills_every_path_parameter() -> None:
    names = {p for r in api_routes() for p in r.path_params}
    names |= {m for route in page_patterns() for m in re.findall(r"<(?:[^>:]+:)?([^>]+)>", route)}

    unknown = sorted(names - PATH_PARAMETERS)

    assert unknown == [], (
        "Path parameters the security world cannot fill: add an object for each in "
        f"tests/security/world.py (_site, PATH_PARAMETERS): {unknown}"
    )
