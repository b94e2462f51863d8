"""One backup file: a tar stream (database, attachments, manifest.json last) inside the
encrypted stream of `stream.py`, written under a temporary name and renamed only once it has
been read back and verified. Next to it, `<name>.sha256` holds the checksum of the file."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from django.conf import settings
from django.core.files.storage import storages

from vetrisys import __version__
from vetrisys.backups import database
from vetrisys.backups.keys import backup_keys
from vetrisys.backups.stream import (
    BackupFormatError,
    DecryptingReader,
    EncryptingWriter,
    HashingReader,
    HashingWriter,
)
from vetrisys.core.timeutil import now

FORMAT = "vetrisys-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
COPY_BYTES = 1024 * 1024


@dataclass(frozen=True)
class WrittenBackup:
    """A complete, verified backup file."""

    path: Path
    size: int
    sha256: str
    manifest: dict[str, Any]


def checksum_path(path: Path) -> Path:
    """Where the checksum of a backup file is kept."""
    return path.with_name(path.name + ".sha256")


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(COPY_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _key_files() -> set[Path]:
    """Key files that must never end up in a backup, even if placed in the media folder."""
    paths = [settings.BACKUP_KEY_PATH, getattr(settings, "ENCRYPTION_KEY_FILE", "")]
    return {Path(path).resolve() for path in paths if path}


def storage_files(prefix: str = "") -> Iterator[str]:
    """Every file name of the attachment storage, sorted, folders first walked."""
    storage = storages["default"]
    try:
        folders, files = storage.listdir(prefix)
    except FileNotFoundError:
        return
    keys = _key_files()
    for name in sorted(files):
        try:
            if Path(storage.path(f"{prefix}{name}")).resolve() in keys:
                continue
        except NotImplementedError:  # an object store: no local paths
            pass
        yield f"{prefix}{name}"
    for folder in sorted(folders):
        yield from storage_files(f"{prefix}{folder}/")


def _add_stream(tar: tarfile.TarFile, name: str, size: int, source: Any) -> str:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(now().timestamp())
    reader = HashingReader(source)
    tar.addfile(info, reader)  # type: ignore[arg-type,unused-ignore]
    return reader.sha256.hexdigest()


def _write_tar(target: BinaryIO, work: Path, run_id: str) -> dict[str, Any]:
    database_file = work / database.dump_name()
    database.dump(database_file)
    files: dict[str, dict[str, Any]] = {}
    with tarfile.open(fileobj=target, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        size = database_file.stat().st_size
        with database_file.open("rb") as handle:
            sha = _add_stream(tar, database_file.name, size, handle)
        files[database_file.name] = {"sha256": sha, "size": size}
        database_file.unlink()
        storage = storages["default"]
        for name in storage_files():
            size = storage.size(name)
            with storage.open(name, "rb") as handle:
                sha = _add_stream(tar, MEDIA_PREFIX + name, size, handle)
            files[MEDIA_PREFIX + name] = {"sha256": sha, "size": size}
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "vetrisys_version": __version__,
            "created_at": now().isoformat(),
            "engine": database.engine(),
            "database": database_file.name,
            "migrations": database.applied_migrations(),
            "files": files,
            "run_id": run_id,
        }
        body = json.dumps(manifest, indent=2, sort_keys=True).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(body)
        info.mode = 0o600
        info.mtime = int(now().timestamp())
        tar.addfile(info, _BytesSource(body))  # type: ignore[arg-type,unused-ignore]
    return manifest


class _BytesSource:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            size = len(self._data)
        data, self._data = self._data[:size], self._data[size:]
        return data


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def write_backup(destination: Path, *, run_id: str = "") -> WrittenBackup:
    """Write a backup to `destination`: nothing appears there unless it is complete and reads
    back intact; a failure leaves no file behind (and raises)."""
    keys = backup_keys(create=True)
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f".{destination.name}.partial-{secrets.token_hex(4)}")
    try:
        with (
            tempfile.TemporaryDirectory(dir=destination.parent, prefix=".vetrisys-backup-") as work,
            partial.open("xb") as handle,
        ):
            partial.chmod(0o600)
            hashing = HashingWriter(handle)
            encrypted = EncryptingWriter(hashing, keys[0], secrets.token_bytes(16))  # type: ignore[arg-type]
            manifest = _write_tar(encrypted, Path(work), run_id)  # type: ignore[arg-type]
            encrypted.close()
            handle.flush()
            os.fsync(handle.fileno())
        sha256 = hashing.sha256.hexdigest()
        if file_sha256(partial) != sha256:
            raise BackupFormatError("The backup file changed on disk while it was written.")
        verified = read_backup(partial, keys=keys)
        if verified != manifest:
            raise BackupFormatError("The backup does not read back as it was written.")
        os.replace(partial, destination)
        sidecar = checksum_path(destination)
        temporary_sidecar = sidecar.with_name(f".{sidecar.name}.partial")
        temporary_sidecar.write_text(f"{sha256}  {destination.name}\n", encoding="utf-8")
        os.replace(temporary_sidecar, sidecar)
        _fsync_dir(destination.parent)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return WrittenBackup(destination, hashing.size, sha256, manifest)


def _safe_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or not path.parts or any(part in ("", ".", "..") for part in path.parts):
        raise BackupFormatError(f"The backup holds an unsafe file name: {name!r}.")
    return path


def read_backup(
    path: Path, *, keys: list[bytes] | None = None, extract_to: Path | None = None
) -> dict[str, Any]:
    """Authenticate and check a whole backup (every chunk, every file's SHA-256 against the
    manifest); with `extract_to`, also write its files there. Returns the manifest."""
    keys = keys if keys is not None else backup_keys()
    sidecar = checksum_path(path)
    if sidecar.is_file():
        expected = sidecar.read_text(encoding="utf-8").split()[0]
        if file_sha256(path) != expected:
            raise BackupFormatError("The backup's checksum does not match its .sha256 file.")
    seen: dict[str, dict[str, Any]] = {}
    manifest_body = b""
    with path.open("rb") as handle:
        reader = DecryptingReader(handle, keys)
        try:
            with tarfile.open(fileobj=reader, mode="r|") as tar:  # type: ignore[call-overload]
                for member in tar:
                    name = _safe_name(member.name)
                    if not member.isfile():
                        raise BackupFormatError(
                            f"The backup holds something else than a file: {name}"
                        )
                    source = tar.extractfile(member)
                    assert source is not None
                    if str(name) == MANIFEST:
                        manifest_body = source.read()
                        continue
                    digest = hashlib.sha256()
                    target = None
                    if extract_to is not None:
                        target_path = extract_to.joinpath(*name.parts)
                        target_path.parent.mkdir(parents=True, exist_ok=True)
                        target = target_path.open("xb")
                    try:
                        while chunk := source.read(COPY_BYTES):
                            digest.update(chunk)
                            if target is not None:
                                target.write(chunk)
                    finally:
                        if target is not None:
                            target.close()
                    seen[str(name)] = {"sha256": digest.hexdigest(), "size": member.size}
        except tarfile.TarError as error:
            raise BackupFormatError(f"The backup is damaged: {error}") from None
        reader.read_to_end()
    if not manifest_body:
        raise BackupFormatError("The backup has no manifest.")
    manifest: dict[str, Any] = json.loads(manifest_body)
    if manifest.get("format") != FORMAT:
        raise BackupFormatError("This file is not a VetriSys backup.")
    if int(manifest.get("format_version", 0)) > FORMAT_VERSION:
        raise BackupFormatError("This backup was made by a newer VetriSys; update first.")
    if seen != manifest.get("files"):
        raise BackupFormatError("The files in the backup do not match its manifest.")
    return manifest


def restore_media(media_dir: Path) -> int:
    """Put every attachment of the backup back in the storage under its own name."""
    storage = storages["default"]
    restored = 0
    if not media_dir.is_dir():
        return 0
    for file_path in sorted(p for p in media_dir.rglob("*") if p.is_file()):
        name = file_path.relative_to(media_dir).as_posix()
        if storage.exists(name):
            storage.delete(name)
        with file_path.open("rb") as handle:
            saved = storage.save(name, handle)
        if saved != name:
            raise BackupFormatError(f"The storage renamed {name} to {saved}.")
        restored += 1
    return restored


def remove_backup(path: Path) -> None:
    """Delete a backup file and its checksum."""
    path.unlink(missing_ok=True)
    checksum_path(path).unlink(missing_ok=True)
