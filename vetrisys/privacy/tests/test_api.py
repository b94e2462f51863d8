"""POST /api/v1/clients/{id}/erase and GET /api/v1/clients/{id}/export."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.test import Client as HttpClient

from vetrisys.clients.tests.factories import ClientFactory
from vetrisys.privacy.models import ErasureRecord

pytestmark = pytest.mark.django_db


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _erase(user, client_id, reason="Solicitud escrita"):
    return _as(user).post(
        f"/api/v1/clients/{client_id}/erase",
        json.dumps({"reason": reason}),
        content_type="application/json",
    )


def test_an_admin_erases_an_owner(ana, admin):
    response = _erase(admin, ana.pk)

    assert response.status_code == 200
    erasure = ErasureRecord.objects.get()
    body = response.json()
    assert body.pop("erased_at")[:19] == erasure.erased_at.isoformat()[:19]
    assert body == {
        "id": str(erasure.pk),
        "client": str(ana.pk),
        "erased_by": str(admin.pk),
        "reapplied_at": None,
    }


@pytest.mark.parametrize(
    ("person", "status"),
    [("manager_a", 403), ("receptionist_a", 403), ("vet_b", 403), ("outsider", 404)],
)
def test_others_may_not_erase_and_nothing_changes(ana, people, person, status):
    response = _erase(people[person], ana.pk)

    assert response.status_code == status
    ana.refresh_from_db()
    assert ana.first_name == "Ana"
    assert ErasureRecord.objects.count() == 0


def test_an_empty_reason_is_422_and_a_second_erasure_409(ana, admin):
    empty = _erase(admin, ana.pk, reason="")
    assert empty.status_code == 422
    assert empty.json()["extra"]["fields"] == {"reason": ["Say why this owner is erased."]}

    assert _erase(admin, ana.pk).status_code == 200
    again = _erase(admin, ana.pk)
    assert (again.status_code, again.json()["code"]) == (409, "already_erased")


def test_an_unknown_or_foreign_owner_is_404(admin, world):
    foreign = ClientFactory(organization=world.other_org)

    assert _erase(admin, foreign.pk).status_code == 404
    assert _as(admin).get(f"/api/v1/clients/{foreign.pk}/export").status_code == 404


def test_an_admin_downloads_the_export(ana, admin):
    response = _as(admin).get(f"/api/v1/clients/{ana.pk}/export")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "no-store"
    assert f'filename="client-{ana.pk}-' in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert json.loads(archive.read("data.json"))["client"]["last_name"] == "Torres Vega"


def test_the_export_is_refused_to_the_front_desk(ana, receptionist_a):
    assert _as(receptionist_a).get(f"/api/v1/clients/{ana.pk}/export").status_code == 403
