"""The authorization matrix: every API route and staff page x every identity x every target,
answered as the policy table says (tests/security/README.md)."""

from __future__ import annotations

import os

import pytest
from django.test import Client

from tests.security.matrix import (
    ALLOW,
    NOT_ANSWERED,
    Cell,
    expectation,
    is_targeted,
    judge,
    owner_of,
    send,
)
from tests.security.policy import LOCATION, rule_index
from tests.security.routes import Route, api_routes, page_routes
from tests.security.world import IDENTITIES, MatrixWorld

# The world is built in the test database, once per module (conftest.py).
pytestmark = pytest.mark.django_db

ROUTES = api_routes() + page_routes()
RULES = rule_index()
SITES = ("A", "B", "X")
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def cells_of(route: Route) -> list[tuple[str, str]]:
    """(identity, site) pairs the route is checked with."""
    rule = RULES.get((route.kind, route.method, route.route))
    identities = list(IDENTITIES)
    if rule is None and route.kind == "page":
        # A method the page does not answer: one signed-in and one anonymous request.
        identities = ["admin", "anonymous"]
    sites: tuple[str, ...] = ("A",)
    if is_targeted(route):
        # Location B differs from A only where the capability is held per location.
        sites = SITES if rule is None or rule.scope == LOCATION else ("A", "X")
    cells = []
    for identity in identities:
        for site in sites:
            if identity == "anonymous" and site != "A":
                continue  # anonymous is refused whatever the target
            if identity == "outsider" and site == "B":
                continue  # B is as foreign to the outsider as A is
            cells.append((identity, site))
    return cells


def matrix_size() -> tuple[int, int]:
    routes = {(r.kind, r.method if r.kind == "api" else "", r.route) for r in ROUTES}
    return len(routes), sum(len(cells_of(r)) for r in ROUTES)


@pytest.mark.parametrize("route", ROUTES, ids=[r.id for r in ROUTES])
def test_route_answers_as_the_policy_says(
    route: Route, matrix_world: MatrixWorld, clients: dict[str, dict[str, Client]]
) -> None:

    rule = RULES.get((route.kind, route.method, route.route))
    page_known = any(k[0] == "page" and k[2] == route.route for k in RULES)
    if rule is None and not (route.kind == "page" and page_known):
        pytest.fail(f"{route.id} has no row in tests/security/policy (see its README)")
    problems = []
    for identity_name, site_name in cells_of(route):
        identity = matrix_world.identities[identity_name]
        site = matrix_world.sites[site_name]
        if rule is None:
            expected = NOT_ANSWERED
        else:
            target = site if is_targeted(route) else None
            expected = expectation(rule, identity, target, owner_of(route, target))
        watch = route.method in UNSAFE and expected != ALLOW
        answer = send(clients[identity_name][route.kind], route, site, watch=watch)
        cell = Cell(route, identity_name, site_name if is_targeted(route) else "-")
        problem = judge(cell, expected, answer, matrix_world.foreign_ids(identity))
        if problem:
            problems.append(problem)
    log = os.environ.get("SECURITY_MATRIX_LOG")
    if log and problems:
        with open(log, "a", encoding="utf-8") as out:
            out.write("\n".join(problems) + "\n")
    assert problems == [], "\n".join(problems)


def test_the_matrix_covers_every_route_identity_and_target() -> None:
    routes, cells = matrix_size()
    assert routes == len({(r.kind, r.route) for r in ROUTES if r.kind == "page"}) + len(
        [r for r in ROUTES if r.kind == "api"]
    )
    assert cells >= routes * 2
