"""The privacy screens: buttons on the owner page, confirm with a reason, result page."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from vetrisys.billing.models import Invoice
from vetrisys.privacy.models import ErasureRecord

pytestmark = pytest.mark.django_db


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def test_the_owner_page_offers_export_and_erasure_to_admins_only(ana, admin, receptionist_a):
    page = reverse("client_detail", kwargs={"client_id": ana.pk})
    erase_url = reverse("privacy:client_erase", kwargs={"client_id": ana.pk})

    assert erase_url in _as(admin).get(page).content.decode()
    assert erase_url not in _as(receptionist_a).get(page).content.decode()


def test_an_admin_confirms_with_a_reason_and_sees_the_result(ana, admin):
    http = _as(admin)
    url = reverse("privacy:client_erase", kwargs={"client_id": ana.pk})

    confirm = http.get(url)
    assert confirm.status_code == 200
    assert "What the clinic keeps" in confirm.content.decode()

    done = http.post(url, {"reason": "Solicitud escrita"})

    erasure = ErasureRecord.objects.get()
    result_url = reverse("privacy:erasure_detail", kwargs={"erasure_id": erasure.pk})
    assert (done.status_code, done["Location"]) == (302, result_url)
    result = http.get(result_url)
    assert result.status_code == 200
    assert f"Erased client {ana.pk.hex[-8:]}" in result.content.decode()
    assert "Solicitud escrita" in result.content.decode()
    assert http.get(url)["Location"] == result_url


def test_the_confirm_page_says_why_an_owner_cannot_be_erased(ana, admin, world):
    Invoice.objects.filter(client=ana).update(status="issued", paid_total=0, balance="118.00")
    url = reverse("privacy:client_erase", kwargs={"client_id": ana.pk})

    page = _as(admin).get(url).content.decode()
    refused = _as(admin).post(url, {"reason": "Solicitud"})

    assert "unpaid balance of 118.00" in page
    assert refused.status_code == 409
    assert "the owner owes 118.00" in refused.content.decode()
    assert ErasureRecord.objects.count() == 0


def test_an_empty_reason_is_shown_back(ana, admin):
    response = _as(admin).post(
        reverse("privacy:client_erase", kwargs={"client_id": ana.pk}), {"reason": ""}
    )

    assert response.status_code == 422
    assert "Say why this owner is erased." in response.content.decode()


@pytest.mark.parametrize(("person", "status"), [("receptionist_a", 403), ("outsider", 404)])
def test_others_cannot_reach_the_screens(ana, people, person, status):
    http = _as(people[person])

    erase = http.post(
        reverse("privacy:client_erase", kwargs={"client_id": ana.pk}), {"reason": "x"}
    )
    assert erase.status_code == status
    export = http.post(reverse("privacy:client_export", kwargs={"client_id": ana.pk}))
    assert export.status_code == status
    ana.refresh_from_db()
    assert ana.first_name == "Ana"


def test_the_export_button_downloads_the_zip(ana, admin):
    response = _as(admin).post(reverse("privacy:client_export", kwargs={"client_id": ana.pk}))

    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert json.loads(archive.read("data.json"))["client"]["first_name"] == "Ana"


def test_an_erasure_of_another_organization_is_404(ana, admin, outsider):
    http = _as(admin)
    http.post(reverse("privacy:client_erase", kwargs={"client_id": ana.pk}), {"reason": "x"})
    erasure = ErasureRecord.objects.get()

    response = _as(outsider).get(
        reverse("privacy:erasure_detail", kwargs={"erasure_id": erasure.pk})
    )

    assert response.status_code == 404
