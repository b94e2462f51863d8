"""The public contract of API v1: its OpenAPI document, its docs page, CSRF and bearer tokens."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client

from vetrisys.accounts.models import Location, User
from vetrisys.accounts.tests.api_client import API, bearer

CONTRACT_PATHS = {
    "/api/v1/auth/token": {"post", "delete"},
    "/api/v1/me": {"get"},
    "/api/v1/locations": {"get", "post"},
    "/api/v1/locations/{location_id}": {"get", "patch"},
    "/api/v1/locations/{location_id}/rooms": {"get", "post"},
    "/api/v1/staff": {"get", "post"},
    "/api/v1/staff/{user_id}": {"get", "patch"},
    "/api/v1/audit": {"get"},
}


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def test_the_openapi_document_describes_every_endpoint(client: Client, db: None) -> None:
    # when
    response = client.get(f"{API}/openapi.json")

    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    document = response.json()
    assert document["openapi"].startswith("3.")
    for path, methods in CONTRACT_PATHS.items():
        assert path in document["paths"], path
        assert methods <= set(document["paths"][path]), path


def test_the_openapi_document_never_offers_a_password_in_an_answer(
    client: Client, db: None
) -> None:
    # when
    schemas = client.get(f"{API}/openapi.json").json()["components"]["schemas"]

    # then
    assert "password" in schemas["StaffIn"]["properties"]
    assert "password" not in schemas["StaffOut"]["properties"]
    assert set(schemas["ErrorOut"]["properties"]) == {"message", "code", "extra"}


def test_lists_are_documented_with_limit_and_offset(client: Client, db: None) -> None:
    # given
    document = client.get(f"{API}/openapi.json").json()

    # then
    for path in ("/api/v1/locations", "/api/v1/staff", "/api/v1/audit"):
        parameters = {p["name"]: p for p in document["paths"][path]["get"]["parameters"]}
        assert parameters["limit"]["schema"]["maximum"] == 200
        assert parameters["limit"]["schema"]["default"] == 50
        assert "offset" in parameters


def test_the_docs_page_renders_with_local_files_only(client: Client, db: None) -> None:
    # when
    response = client.get(f"{API}/docs")

    # then
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r"""<(?:script|link)[^>]+(?:src|href)=["']([^"']+)""", html)
    assert sources
    assert [s for s in sources if re.match(r"(https?:)?//", s)] == []
    assert all(s.startswith("/static/") for s in sources)


def test_a_browser_session_must_send_the_csrf_token_to_write(admin: User) -> None:
    # given
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin)

    # when
    refused = browser.post(f"{API}/locations", {"name": "Cusco"}, content_type="application/json")
    token = "k" * 32  # what a page's CSRF cookie would hold
    browser.cookies["csrftoken"] = token
    accepted = browser.post(
        f"{API}/locations",
        {"name": "Cusco"},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )

    # then
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    assert accepted.status_code == 201
    assert Location.objects.filter(name="Cusco").count() == 1


def test_a_session_can_read_without_a_csrf_token(admin: User) -> None:
    # given
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin)

    # when
    response = browser.get(f"{API}/me")

    # then
    assert response.status_code == 200
    assert response.json()["user"]["username"] == "admin"


def test_a_bearer_token_writes_without_csrf(admin: User) -> None:
    # given
    integration = Client(enforce_csrf_checks=True)
    headers = bearer(integration, admin)

    # when
    response = integration.post(
        f"{API}/locations", {"name": "Cusco"}, content_type="application/json", headers=headers
    )

    # then
    assert response.status_code == 201


def test_an_anonymous_write_is_401_not_a_csrf_failure(db: None) -> None:
    # given
    stranger = Client(enforce_csrf_checks=True)

    # when
    response = stranger.post(f"{API}/locations", {"name": "Cusco"}, content_type="application/json")

    # then
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_every_answer_carries_a_request_id(client: Client, db: None) -> None:
    # when
    response = client.get(f"{API}/me", headers={"X-Request-ID": "trace-123"})

    # then
    assert response.status_code == 401
    assert response["X-Request-ID"] == "trace-123"
