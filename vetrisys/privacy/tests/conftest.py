"""Privacy tests keep the erasure journal and the attachments in the test's own folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def privacy_folders(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVACY_JOURNAL = tmp_path / "var" / "erasures.jsonl"
    return tmp_path
