"""The security suite's world: built once per module inside a transaction
that is rolled back at the end (each request runs in a savepoint of its own, rolled back too)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.utils import translation

from tests.security.world import MatrixWorld, build_world


@pytest.fixture(scope="module")
def matrix_world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MatrixWorld]:
    media: Path = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=str(media)),
        translation.override("en"),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def clients(matrix_world: MatrixWorld) -> dict[str, dict[str, Client]]:
    """Per identity: a browser client signed in with a session, and an API client with its
    bearer token."""
    found: dict[str, dict[str, Client]] = {}
    for name, identity in matrix_world.identities.items():
        page = Client(raise_request_exception=False)
        api = Client(raise_request_exception=False)
        if identity.user is not None:
            page.force_login(identity.user)
            api.defaults["HTTP_AUTHORIZATION"] = f"Bearer {identity.token}"
        found[name] = {"page": page, "api": api}
    return found


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The size of the authorization matrix, to quote."""
    from tests.security.test_authz_matrix import matrix_size

    routes, cells = matrix_size()
    terminalreporter.write_line(
        f"security: authorization matrix of {routes} routes, "
        f"{cells} route x identity x target cells"
    )
