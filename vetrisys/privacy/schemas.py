"""Schemas of the privacy API."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from ninja import Schema


class ErasureIn(Schema):
    """Why the owner is erased (their request, a legal duty); do not write their name."""

    reason: str


class ErasureOut(Schema):
    """A done erasure."""

    id: UUID
    client: UUID
    erased_at: dt.datetime
    erased_by: UUID | None
    reapplied_at: dt.datetime | None

    @staticmethod
    def resolve_client(obj: object) -> UUID:
        return obj.client_id  # type: ignore[attr-defined,no-any-return]

    @staticmethod
    def resolve_erased_by(obj: object) -> UUID | None:
        return obj.erased_by_id  # type: ignore[attr-defined,no-any-return]
