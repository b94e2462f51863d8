"""What every channel implements."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from vetrisys.notifications.models import Message


class Reconcile(StrEnum):
    """How a claim left unfinished by a dead worker is settled."""

    # Ask the provider whether it has the message (SMS, WhatsApp).
    LOOKUP = "lookup"
    # Nothing left the building before the row is marked: send again (in-app).
    RESEND = "resend"
    # No way to know: mark failed for a person to check (email: at most once).
    REVIEW = "review"


class ChannelError(Exception):
    """Sending failed. `retry`: surely not sent, may be tried again later; `unknown`: the
    provider may have it (a timeout after the request left); neither: refused for good."""

    def __init__(self, message: str, *, retry: bool = False, unknown: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.retry = retry
        self.unknown = unknown


class Sender(Protocol):
    """One channel."""

    reconcile: Reconcile

    def is_configured(self) -> bool:
        """Whether the settings allow sending on this channel."""
        ...

    def send(self, message: Message) -> str:
        """Hand the message to the provider; answer its reference ("" when it has none)."""
        ...

    def lookup(self, message: Message) -> str | None:
        """The provider's reference of this message if the provider has it, else None."""
        ...
