"""Channels behind one interface: email, SMS, WhatsApp, in-app.

A channel sends one rendered `Message` and answers the provider's reference, or raises
`ChannelError` saying whether the message surely did not leave (`retry`), surely will never
leave (neither flag: permanent), or may have left (`unknown`). After a crash, `reconcile` tells
the outbox how to settle a claim nobody finished: ask the provider, send again, or leave it
to a person.
"""

from __future__ import annotations

from vetrisys.notifications.channels.base import ChannelError, Reconcile, Sender
from vetrisys.notifications.channels.email import EmailSender
from vetrisys.notifications.channels.in_app import InAppSender
from vetrisys.notifications.channels.twilio import SmsSender, WhatsAppSender
from vetrisys.notifications.models import MessageChannel

__all__ = ["ChannelError", "Reconcile", "Sender", "configured", "sender_for"]

_SENDERS: dict[str, Sender] = {
    MessageChannel.EMAIL: EmailSender(),
    MessageChannel.SMS: SmsSender(),
    MessageChannel.WHATSAPP: WhatsAppSender(),
    MessageChannel.IN_APP: InAppSender(),
}


def sender_for(channel: str) -> Sender:
    """The sender of a channel."""
    return _SENDERS[channel]


def configured(channel: str) -> bool:
    """Whether the channel can send with this installation's settings."""
    sender = _SENDERS.get(channel)
    return sender is not None and sender.is_configured()
