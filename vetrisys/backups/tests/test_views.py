"""The backups screen and GET /api/v1/backups: admins only."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from vetrisys.audit.models import AuditEvent
from vetrisys.backups.models import BackupRun

pytestmark = pytest.mark.django_db


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def test_an_admin_sees_the_history_with_the_latest_good_backup(admin, backup_folders):
    good = BackupRun.objects.create(
        kind="scheduled", status="good", sha256="ab" * 32, size=2048, path="/b/one.vsbackup"
    )
    BackupRun.objects.create(kind="manual", status="failed", error="disk full", requested_by=admin)
    BackupRun.objects.filter(pk=good.pk).update(finished_at="2026-11-20T02:31:00Z")

    response = _as(admin).get(reverse("backups:list"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Latest good backup: 2026-11-20 02:31 UTC." in page
    assert "disk full" in page
    assert "/b/one.vsbackup" in page
    assert 'href="/backups/"' in _as(admin).get("/").content.decode()


def test_the_list_takes_a_fixed_number_of_queries(admin, django_assert_num_queries):
    for _ in range(30):
        BackupRun.objects.create(kind="manual", status="failed", requested_by=admin)
    http = _as(admin)
    http.get(reverse("backups:list"))

    # session, user, memberships, locations, MFA, the installation check, count and page
    with django_assert_num_queries(16):
        assert http.get(reverse("backups:list")).status_code == 200


def test_back_up_now_runs_the_backup_as_a_job(
    admin, backup_folders, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _as(admin).post(reverse("backups:run"))

    assert (response.status_code, response["Location"]) == (302, reverse("backups:list"))
    run = BackupRun.objects.get()
    assert (run.kind, run.status, run.requested_by) == ("manual", "good", admin)
    assert run.path.startswith(str(backup_folders / "backups"))
    assert AuditEvent.objects.filter(action="backup.request", target_id=str(run.pk)).exists()


def test_a_second_backup_is_refused_while_one_is_under_way(admin):
    BackupRun.objects.create(kind="scheduled", status="running")

    response = _as(admin).post(reverse("backups:run"), follow=True)

    assert "A backup is already under way." in response.content.decode()
    assert BackupRun.objects.count() == 1


@pytest.mark.parametrize("person", ["manager_a", "vet_a", "receptionist_a"])
def test_other_staff_cannot_see_or_start_backups(people, person):
    http = _as(people[person])

    assert http.get(reverse("backups:list")).status_code == 403
    assert http.post(reverse("backups:run")).status_code == 403
    assert BackupRun.objects.count() == 0
    assert 'href="/backups/"' not in http.get("/").content.decode()


def test_the_api_lists_backups_for_admins_only(admin, people, django_assert_num_queries):
    for _ in range(3):
        BackupRun.objects.create(kind="manual", status="failed", requested_by=admin)
    run = BackupRun.objects.create(
        kind="command", status="good", sha256="cd" * 32, size=10, path="/srv/b/x.vsbackup"
    )
    http = _as(admin)

    with django_assert_num_queries(13):
        response = http.get("/api/v1/backups")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    assert body["items"][0] | {"created_at": None} == {
        "id": str(run.pk),
        "kind": "command",
        "status": "good",
        "created_at": None,
        "started_at": None,
        "finished_at": None,
        "size": 10,
        "sha256": "cd" * 32,
        "file": "x.vsbackup",
        "error": "",
        "requested_by": None,
    }
    for person in ("manager_a", "vet_a", "outsider"):
        assert _as(people[person]).get("/api/v1/backups").status_code == 403
    assert HttpClient().get("/api/v1/backups").status_code == 401
