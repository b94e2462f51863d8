"""Writing backups: encrypted, checksummed, recorded; a failure halfway keeps nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import stat
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from vetrisys.backups import archive, database
from vetrisys.backups.archive import read_backup
from vetrisys.backups.keys import BackupKeyMissing, backup_keys
from vetrisys.backups.models import BackupRun
from vetrisys.backups.services import (
    RestoreRefused,
    backup_restore,
    backup_to_path,
)
from vetrisys.backups.stream import BackupFormatError
from vetrisys.backups.tasks import scheduled_backup
from vetrisys.clients.tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def _media_file(root: Path, name: str, content: bytes) -> Path:
    path = root / "media" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def _leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def test_a_backup_is_one_encrypted_checksummed_file_recorded_as_good(backup_folders):
    _media_file(backup_folders, "patients/rx/torax.txt", b"Radiografia de Firulais")
    target = backup_folders / "out"
    target.mkdir()

    written = backup_to_path(target)

    assert written.path.parent == target
    assert written.path.name.startswith("vetrisys-")
    assert written.path.suffix == ".vsbackup"
    assert _leftovers(target) == sorted([written.path.name, written.path.name + ".sha256"])
    content = written.path.read_bytes()
    assert content.startswith(b"VSBKUP01")
    assert b"Radiografia de Firulais" not in content
    assert written.sha256 == hashlib.sha256(content).hexdigest()
    assert written.size == len(content)
    sidecar = (target / (written.path.name + ".sha256")).read_text()
    assert sidecar == f"{written.sha256}  {written.path.name}\n"
    manifest = read_backup(written.path)
    assert manifest["engine"] == connection.vendor.replace("postgresql", "postgresql")
    assert manifest["database"] == database.dump_name()
    assert ["backups", "0001_backup_run"] in manifest["migrations"]
    assert manifest["files"]["media/patients/rx/torax.txt"] == {
        "sha256": hashlib.sha256(b"Radiografia de Firulais").hexdigest(),
        "size": 23,
    }
    assert sorted(manifest["files"]) == [database.dump_name(), "media/patients/rx/torax.txt"]
    run = BackupRun.objects.get()
    assert (run.kind, run.status, run.size, run.sha256, run.path, run.error) == (
        "command",
        "good",
        written.size,
        written.sha256,
        str(written.path),
        "",
    )
    assert run.started_at <= run.finished_at
    assert manifest["run_id"] == str(run.pk)


def test_key_files_placed_among_the_attachments_are_left_out(backup_folders, settings):
    key_file = _media_file(backup_folders, "keys/encryption_keys.json", b'{"keys": []}')
    settings.ENCRYPTION_KEY_FILE = str(key_file)
    _media_file(backup_folders, "patients/a.txt", b"a")

    written = backup_to_path(backup_folders / "b.vsbackup")

    assert "media/keys/encryption_keys.json" not in written.manifest["files"]
    assert "media/patients/a.txt" in written.manifest["files"]


def test_an_attachment_that_cannot_be_read_fails_the_backup_and_keeps_nothing(
    backup_folders, monkeypatch
):
    _media_file(backup_folders, "patients/a.txt", b"a")
    real_files = archive.storage_files

    def files_with_a_vanished_one(prefix: str = ""):
        yield from real_files(prefix)
        yield "patients/vanished.png"

    monkeypatch.setattr(archive, "storage_files", files_with_a_vanished_one)
    target = backup_folders / "out"
    target.mkdir()

    with pytest.raises(CommandError, match="backup failed, nothing was kept"):
        call_command("backup", to=str(target / "tonight.vsbackup"))

    assert _leftovers(target) == []
    run = BackupRun.objects.get()
    assert run.status == "failed"
    assert "vanished.png" in run.error
    assert (run.sha256, run.size) == ("", None)
    assert not BackupRun.objects.filter(status="good").exists()


def test_a_database_dump_that_dies_halfway_fails_the_backup_and_keeps_nothing(
    backup_folders, monkeypatch
):
    def dump_then_die(target: Path) -> None:
        target.write_bytes(b"half a database")
        raise database.DatabaseCopyError("pg_dump failed: killed by signal 9")

    monkeypatch.setattr(database, "dump", dump_then_die)

    assert scheduled_backup() == "failed"

    assert _leftovers(backup_folders / "backups") == []
    run = BackupRun.objects.get()
    assert (run.kind, run.status, run.error) == (
        "scheduled",
        "failed",
        "pg_dump failed: killed by signal 9",
    )


@pytest.mark.postgres_only
@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_a_killed_pg_dump_process_fails_the_backup_and_keeps_nothing(backup_folders, monkeypatch):
    fake = backup_folders / "bin" / "pg_dump"
    fake.parent.mkdir()
    fake.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "--version" ]; then echo "pg_dump (PostgreSQL) 15.20"; exit 0; fi\n'
        'for arg; do case "$arg" in --file=*) echo partial > "${arg#--file=}";; esac; done\n'
        "kill -9 $$\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    target = backup_folders / "out"
    target.mkdir()

    with pytest.raises(database.DatabaseCopyError, match="pg_dump failed"):
        backup_to_path(target / "b.vsbackup")

    assert _leftovers(target) == []
    assert BackupRun.objects.get().status == "failed"


def test_a_backup_never_overwrites_an_existing_file(backup_folders):
    existing = backup_folders / "keep.vsbackup"
    existing.write_bytes(b"an older backup")

    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", to=str(existing))

    assert existing.read_bytes() == b"an older backup"
    assert BackupRun.objects.count() == 0


def test_the_backup_command_prints_a_summary(backup_folders, capsys):
    call_command("backup", to=str(backup_folders / "b.vsbackup"))

    lines = capsys.readouterr().out.splitlines()
    run = BackupRun.objects.get()
    assert lines[0] == f"backup written: {backup_folders / 'b.vsbackup'}"
    assert lines[1] == (
        f"  size: {run.size} bytes, SHA-256 {run.sha256} (also in b.vsbackup.sha256)"
    )
    assert lines[3] == "  attachments: 0 files"


# ---------------------------------------------------------------- restore refusals


def test_a_damaged_backup_is_refused_before_anything_is_touched(backup_folders, world):
    written = backup_to_path(backup_folders / "b.vsbackup")
    ana = ClientFactory(organization=world.org, first_name="Ana")
    data = bytearray(written.path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    written.path.write_bytes(bytes(data))

    with pytest.raises(BackupFormatError, match="checksum does not match"):
        backup_restore(written.path)
    (backup_folders / "b.vsbackup.sha256").unlink()
    with pytest.raises(BackupFormatError, match="damaged or was altered"):
        backup_restore(written.path)

    assert ana.__class__.objects.filter(pk=ana.pk).exists()


def test_a_backup_of_a_newer_schema_is_refused(backup_folders, world, monkeypatch):
    real = database.applied_migrations
    monkeypatch.setattr(
        database, "applied_migrations", lambda: [*real(), ["clients", "9999_from_the_future"]]
    )
    written = backup_to_path(backup_folders / "b.vsbackup")
    ana = ClientFactory(organization=world.org, first_name="Ana")

    with pytest.raises(RestoreRefused, match=r"newer version of VetriSys.*9999_from_the_future"):
        backup_restore(written.path)

    assert ana.__class__.objects.filter(pk=ana.pk).exists()


def test_a_backup_of_the_other_engine_is_refused(backup_folders, monkeypatch):
    written = backup_to_path(backup_folders / "b.vsbackup")
    other = "sqlite" if database.engine() == "postgresql" else "postgresql"
    monkeypatch.setattr(database, "engine", lambda: other)

    with pytest.raises(RestoreRefused, match="installation uses"):
        backup_restore(written.path)


def test_the_restore_command_names_what_went_wrong(backup_folders):
    with pytest.raises(CommandError, match=r"restore failed: .*nothing.vsbackup does not exist"):
        call_command("restore", source=str(backup_folders / "nothing.vsbackup"))


# ---------------------------------------------------------------- the key


def test_one_clinic_gets_a_generated_key_with_a_clear_log_line(backup_folders, settings, caplog):
    settings.BACKUP_KEY = None
    settings.EMBEDDED = True
    caplog.set_level(logging.WARNING, logger="vetrisys.backups")

    keys = backup_keys(create=True)

    key_file = backup_folders / "var" / "backup.key"
    assert len(keys) == 1
    assert len(keys[0]) == 32
    assert key_file.read_text().strip() == keys[0].hex()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert "Generated a new backup key in" in caplog.text
    assert "without it no backup can be restored" in caplog.text
    assert backup_keys(create=True) == keys


def test_a_server_without_a_backup_key_refuses_to_back_up(backup_folders, settings):
    settings.BACKUP_KEY = None
    settings.EMBEDDED = False

    with pytest.raises(BackupKeyMissing, match="set BACKUP_KEY or BACKUP_KEY_FILE"):
        backup_to_path(backup_folders / "b.vsbackup")

    assert _leftovers(backup_folders) == ["media", "var"] or "b.vsbackup" not in _leftovers(
        backup_folders
    )


def test_a_malformed_key_is_refused_with_how_to_make_one(settings):
    settings.BACKUP_KEY = "too-short"

    with pytest.raises(BackupKeyMissing, match="32 random bytes"):
        backup_keys()


def test_base64_keys_and_several_keys_are_accepted(settings):
    settings.BACKUP_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=," + "ab" * 32

    assert backup_keys() == [bytes(range(32)), bytes([0xAB]) * 32]


def test_the_scheduled_backup_writes_into_the_backup_folder(backup_folders):
    assert scheduled_backup() == "good"

    run = BackupRun.objects.get()
    assert (run.kind, run.status) == ("scheduled", "good")
    assert Path(run.path).parent == backup_folders / "backups"
    assert Path(run.path).is_file()
    assert run.finished_at - run.started_at < dt.timedelta(minutes=5)
