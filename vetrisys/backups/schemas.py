"""Schemas of the backups API."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from ninja import Schema


class BackupRunOut(Schema):
    """One backup attempt."""

    id: UUID
    kind: str
    status: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    size: int | None
    sha256: str
    file: str
    error: str
    requested_by: UUID | None

    @staticmethod
    def resolve_file(obj: object) -> str:
        path: str = obj.path  # type: ignore[attr-defined]
        return path.rsplit("/", 1)[-1]

    @staticmethod
    def resolve_requested_by(obj: object) -> UUID | None:
        return obj.requested_by_id  # type: ignore[attr-defined,no-any-return]
