"""HTTP API of the audit log (admins)."""

from ninja import Router

router = Router(tags=["audit"])
