"""Backups write real files: every test gets its own folders, key and erasure journal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

TEST_BACKUP_KEY = "6b" * 32


@pytest.fixture(autouse=True)
def backup_folders(settings: Any, tmp_path: Path) -> Path:
    """BACKUP_DIR, MEDIA_ROOT, the key file, the journal and var/ under the test's folder."""
    settings.BACKUP_KEY = TEST_BACKUP_KEY
    settings.BACKUP_KEY_PATH = tmp_path / "var" / "backup.key"
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"
    settings.PRIVACY_JOURNAL = tmp_path / "var" / "erasures.jsonl"
    (tmp_path / "var").mkdir()
    return tmp_path
