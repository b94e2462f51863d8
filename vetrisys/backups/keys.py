"""The backup key: from BACKUP_KEY / BACKUP_KEY_FILE, or generated under var/ for one clinic.

The key is never written into a backup. Whoever loses it loses every backup made with it, so
it must be copied somewhere safe, away from the backups (docs/operations.md).
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import secrets
from pathlib import Path

from django.conf import settings

from vetrisys.core.errors import DomainError

logger = logging.getLogger("vetrisys.backups")


class BackupKeyMissing(DomainError):
    """No backup key is configured (and none may be generated here)."""

    status = 503
    code = "backup_key_missing"


def parse_key(text: str) -> bytes:
    """A 32-byte key written as 64 hex digits or as base64."""
    value = text.strip()
    try:
        raw = bytes.fromhex(value) if len(value) == 64 else base64.b64decode(value, validate=False)
    except (ValueError, binascii.Error):
        raw = b""
    if len(raw) != 32:
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        except (ValueError, binascii.Error):
            raw = b""
    if len(raw) != 32:
        raise BackupKeyMissing(
            "BACKUP_KEY must be 32 random bytes, written as 64 hex digits or in base64 "
            "(python -c 'import secrets; print(secrets.token_hex(32))')."
        )
    return raw


def new_key_text() -> str:
    """A fresh key, as written to a key file."""
    return secrets.token_hex(32)


def backup_keys(*, create: bool = False) -> list[bytes]:
    """The configured keys, the one new backups use first (several, comma-separated, let old
    backups be restored after the key was changed)."""
    configured: str | None = settings.BACKUP_KEY
    if configured:
        return [parse_key(part) for part in configured.split(",") if part.strip()]
    path = Path(settings.BACKUP_KEY_PATH)
    if path.is_file():
        return [parse_key(part) for part in path.read_text("utf-8").split(",") if part.strip()]
    if create and settings.EMBEDDED:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(new_key_text() + "\n")
        logger.warning(
            "Generated a new backup key in %s. Copy it somewhere safe, away from the backups: "
            "without it no backup can be restored.",
            path,
        )
        return backup_keys()
    raise BackupKeyMissing(
        "No backup key: set BACKUP_KEY or BACKUP_KEY_FILE (see docs/operations.md)."
    )
