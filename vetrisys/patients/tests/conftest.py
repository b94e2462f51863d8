from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English (the default language of the project is Spanish)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media_root(tmp_path: Path, settings: Any) -> Path:
    """Uploaded files go to a temporary directory, one per test."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    return root
