"""The canonical export of every table of the project: rows ordered by primary key, each
value serialized, to compare a database before a backup and after its restore."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.apps import apps

# The backup history describes the installation and is deliberately not restored.
NOT_RESTORED = {"backups.backuprun"}


def _canon(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, memoryview | bytes):
        return bytes(value).hex()
    if isinstance(value, dict | list):
        return repr(value)
    return value


def canonical_export() -> dict[str, list[tuple[Any, ...]]]:
    """{app.model: [row, ...]} of every model of the vetrisys apps (through tables included)."""
    export = {}
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if not model.__module__.startswith("vetrisys.") or label in NOT_RESTORED:
            continue
        fields = [field.attname for field in model._meta.concrete_fields]
        rows = model._base_manager.order_by("pk").values_list(*fields)
        export[label] = [tuple(_canon(value) for value in row) for row in rows]
    return dict(sorted(export.items()))
