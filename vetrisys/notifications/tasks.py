"""Jobs of notifications: thin wrappers over services."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from vetrisys.notifications.reminders import reminders_job
from vetrisys.notifications.services.outbox import message_send, messages_send_due


@db_task()  # type: ignore[untyped-decorator]
def send_message(message_id: str) -> str:
    """Send one message now (queued by the commit that made it due)."""
    return message_send(message_id=message_id)


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def send_due_messages() -> dict[str, int]:
    """Every minute: settle claims of dead workers, then send every message that is due."""
    return messages_send_due()


@db_periodic_task(crontab(minute="*/5"))  # type: ignore[untyped-decorator]
def run_reminders() -> dict[str, int]:
    """Every five minutes: cancel reminders whose reason is gone, queue the due ones, send."""
    summary = reminders_job()
    return {"queued": summary.total_queued, "cancelled": summary.total_cancelled}
