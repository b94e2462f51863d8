"""In-app messages: nothing leaves the server; the row is the message (history, portal)."""

from __future__ import annotations

from vetrisys.notifications.channels.base import Reconcile
from vetrisys.notifications.models import Message


class InAppSender:
    """Marks the message sent; the client's history (and a future portal) shows it."""

    reconcile = Reconcile.RESEND

    def is_configured(self) -> bool:
        return True

    def send(self, message: Message) -> str:
        return ""

    def lookup(self, message: Message) -> str | None:
        return None
