"""`vetrisys messages-send`: run the outbox job once (settle stale claims, send what is due),
or send one message by id; the periodic job does the same every minute."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vetrisys.notifications.services import message_send, messages_send_due


class Command(BaseCommand):
    help = "Send the messages that are due (or one message by id) and print the outcome."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--message", help="send only this message (its id)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["message"]:
            status = message_send(message_id=options["message"])
            self.stdout.write(f"{options['message']}: {status or 'not found'}")
            return
        counts = messages_send_due()
        self.stdout.write(" ".join(f"{key}={value}" for key, value in sorted(counts.items())))
