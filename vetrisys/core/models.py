"""The base every VetriSys table builds on. No domain models live here."""

from __future__ import annotations

from django.db import models

from vetrisys.core.ids import uuid7


class BaseModel(models.Model):
    """A row with a UUIDv7 key and the timestamps and version that later sync relies on."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    def bump_version(self) -> None:
        """Count one more change to this row (called by services before saving an update)."""
        self.version += 1
