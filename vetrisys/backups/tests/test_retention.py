"""Retention: only older good backups beyond the policy go; the newest good one never."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from vetrisys.backups.models import BackupRun
from vetrisys.backups.services import backup_prune

pytestmark = pytest.mark.django_db

NOON = dt.time(12, 0, tzinfo=dt.UTC)


def _run(folder: Path, day: dt.date, *, status="good", kind="scheduled", hour=2) -> BackupRun:
    started = dt.datetime.combine(day, dt.time(hour, 30), tzinfo=dt.UTC)
    path = folder / f"vetrisys-{started:%Y%m%dT%H%M%SZ}.vsbackup"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    (folder / (path.name + ".sha256")).write_text("0" * 64)
    return BackupRun.objects.create(
        kind=kind,
        status=status,
        started_at=started,
        finished_at=started + dt.timedelta(minutes=2),
        sha256="0" * 64 if status == "good" else "",
        path=str(path),
    )


def test_the_newest_of_each_recent_day_and_week_stay_and_the_rest_goes(backup_folders):
    folder = backup_folders / "backups"
    # Sundays to Saturdays of November 2026: the 22nd is a Sunday, the 16th a Monday
    days = [dt.date(2026, 11, 22) - dt.timedelta(days=n) for n in range(21)]
    runs = {day: _run(folder, day) for day in days}
    extra_same_day = _run(folder, days[0], hour=1)  # an earlier backup of the newest day
    failed = _run(folder, days[20], status="failed", hour=4)
    by_hand = _run(folder, days[20], kind="command", hour=3)

    pruned = backup_prune(keep_daily=3, keep_weekly=2)

    kept_days = [day for day, run in runs.items() if Path(run.path).exists()]
    # the newest 3 days, and the newest run of the 2 newest ISO weeks (Sunday 22nd and
    # Sunday 15th: weeks 47 and 46)
    assert kept_days == [dt.date(2026, 11, 22), dt.date(2026, 11, 21), dt.date(2026, 11, 20),
                         dt.date(2026, 11, 15)]  # fmt: skip
    assert len(pruned) == 21 - 4 + 1
    assert not Path(extra_same_day.path).exists()
    assert not Path(extra_same_day.path + ".sha256").exists()
    assert BackupRun.objects.filter(status="pruned").count() == 18
    for untouched in (failed, by_hand):
        untouched.refresh_from_db()
        assert Path(untouched.path).exists()
        assert untouched.status in ("failed", "good")


def test_the_newest_good_backup_stays_whatever_the_policy(backup_folders):
    folder = backup_folders / "backups"
    old = _run(folder, dt.date(2026, 1, 5))
    newer_failed = _run(folder, dt.date(2026, 11, 20), status="failed")

    assert backup_prune(keep_daily=1, keep_weekly=0) == []

    old.refresh_from_db()
    assert (old.status, Path(old.path).exists()) == ("good", True)
    assert newer_failed.status == "failed"
