"""Writes of notifications: the outbox (queue, cancel, retry, send) and message templates."""

from vetrisys.notifications.services.outbox import (
    channel_choose,
    message_cancel,
    message_queue,
    message_retry,
    message_send,
    messages_cancel_for_cause,
    messages_reap_stale,
    messages_send_due,
)

__all__ = [
    "channel_choose",
    "message_cancel",
    "message_queue",
    "message_retry",
    "message_send",
    "messages_cancel_for_cause",
    "messages_reap_stale",
    "messages_send_due",
]
