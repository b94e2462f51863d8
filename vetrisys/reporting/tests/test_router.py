"""The reports' replica: configured from DATABASE_REPLICA_URL, read by the report selectors,
never written to or migrated."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connections
from django.utils.connection import ConnectionDoesNotExist

from vetrisys.accounts.models import Location
from vetrisys.reporting import scope
from vetrisys.reporting.appointments import appointment_totals
from vetrisys.reporting.revenue import revenue_report, revenue_rows
from vetrisys.reporting.routers import REPLICA, ReportsReplicaRouter, replica_settings

PRIMARY = {"ENGINE": "django.db.backends.postgresql", "NAME": "vetrisys", "HOST": "db"}
REPLICA_DB = {"ENGINE": "django.db.backends.postgresql", "NAME": "vetrisys", "HOST": "replica"}


def test_without_a_replica_there_is_only_the_primary():
    assert replica_settings(PRIMARY, None) == {"default": PRIMARY}


def test_a_replica_mirrors_the_primary_in_tests():
    databases = replica_settings(PRIMARY, REPLICA_DB)
    assert databases["default"] == PRIMARY
    assert databases[REPLICA] == {**REPLICA_DB, "TEST": {"MIRROR": "default"}}


def test_the_settings_read_the_environment(monkeypatch):
    import importlib

    from vetrisys.config import settings as project_settings

    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://reader:secret@replica:5432/vetrisys")
    try:
        reloaded = importlib.reload(project_settings)
        assert reloaded.REPORTS_DB == "replica"
        assert reloaded.DATABASES["replica"]["HOST"] == "replica"
        assert reloaded.DATABASES["replica"]["TEST"] == {"MIRROR": "default"}
        assert reloaded.DATABASE_ROUTERS == ["vetrisys.reporting.routers.ReportsReplicaRouter"]
    finally:
        monkeypatch.delenv("DATABASE_REPLICA_URL")
        reloaded = importlib.reload(project_settings)
    assert reloaded.REPORTS_DB == "default"
    assert list(reloaded.DATABASES) == ["default"]


def test_the_router_keeps_the_replica_read_only_and_unmigrated():
    router = ReportsReplicaRouter()
    read_there = Location()
    read_there._state.db = REPLICA
    written_here = Location()
    written_here._state.db = "default"
    assert router.db_for_read(Location) is None
    assert router.db_for_write(Location, instance=read_there) == "default"
    assert router.db_for_write(Location, instance=written_here) is None
    assert router.db_for_write(Location) is None
    assert router.allow_relation(read_there, written_here) is True
    assert router.allow_migrate(REPLICA, "billing") is False
    assert router.allow_migrate("default", "billing") is None


@pytest.mark.parametrize("group_by", ["month", "vet"])
def test_report_selectors_read_from_the_configured_alias(settings, world, admin, group_by):
    """With REPORTS_DB naming an alias, every report query goes there: an alias that does not
    exist in this test run proves it (ORM queries and the hand-written one alike)."""
    settings.REPORTS_DB = "replica-under-test"
    period = {"date_from": dt.date(2026, 1, 1), "date_to": dt.date(2026, 1, 31)}
    with pytest.raises(ConnectionDoesNotExist, match="replica-under-test"):
        revenue_report(actor=admin, group_by=group_by, **period)
    with pytest.raises(ConnectionDoesNotExist, match="replica-under-test"):
        appointment_totals(organization_id=world.org.pk, location_ids=[world.location_a.pk],
                           **period)  # fmt: skip
    with pytest.raises(ConnectionDoesNotExist, match="replica-under-test"):
        revenue_rows(organization_id=world.org.pk, location_ids=[world.location_a.pk],
                     group_by="service", **period)  # fmt: skip


@pytest.mark.django_db
def test_without_a_replica_reports_use_the_primary(settings):
    settings.REPORTS_DB = "default"
    assert scope.reports_db() == "default"
    assert "default" in connections
