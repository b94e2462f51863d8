"""HTTP API of backups."""

from ninja import Router

router = Router(tags=["backups"])
