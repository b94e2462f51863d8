"""HTTP API of accounts: tokens, me, locations, rooms, staff."""

from ninja import Router

auth_router = Router(tags=["auth"])
router = Router(tags=["accounts"])
