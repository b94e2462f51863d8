"""Make `bench/*.py` runnable as plain scripts from the repository root."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def django_setup() -> None:
    """Put the repository on the path and configure Django from the environment."""
    root = Path(__file__).resolve().parent.parent
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vetrisys.config.settings")
    import django

    django.setup()
