"""The erasure journal: one JSON line per erasure, appended to a file outside the database
(PRIVACY_JOURNAL). It holds ids and times only, never a name or a reason."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from vetrisys.core.errors import DomainError


class JournalUnavailable(DomainError):
    """The journal file cannot be written: the erasure is not done (503)."""

    status = 503
    code = "journal_unavailable"


def journal_path() -> Path:
    """Where the journal is."""
    return Path(settings.PRIVACY_JOURNAL)


def journal_append(entry: dict[str, Any]) -> None:
    """Append one entry and wait until it is on disk."""
    path = journal_path()
    line = json.dumps(entry, sort_keys=True, separators=(",", ":")) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(descriptor, line.encode())
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    except OSError as error:
        raise JournalUnavailable(
            _("The erasure journal cannot be written (%(error)s); nothing was erased.")
            % {"error": error.strerror or error}
        ) from None


def journal_entries() -> list[dict[str, Any]]:
    """Every entry, oldest first (an unreadable last line, cut by a crash, is skipped)."""
    path = journal_path()
    if not path.is_file():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(entry, dict) and entry.get("id") and entry.get("client"):
            entries.append(entry)
    return entries
