"""`vetrisys reminders [--now ISO-DATETIME]`: one run of the reminder job, as the worker does on
its schedule: cancel the queued reminders whose reason is gone, queue what is due at `--now`
(default: the clock), send what is due by the clock. Running it twice sends nothing twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vetrisys.notifications.reminders import reminders_job, require_aware


def _moment(value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--now {value!r} is not an ISO 8601 datetime") from None
    try:
        return require_aware(moment)
    except ValueError:
        raise CommandError(
            f"--now {value!r} has no time zone: write it with an offset, e.g. "
            "2030-01-05T10:00:00-05:00"
        ) from None


class Command(BaseCommand):
    help = (
        "Run the reminder job once: cancel reminders whose reason is gone, queue the due "
        "ones, send what is due, and print what it did per kind."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now",
            help="the moment to compute due reminders at (ISO 8601 with an offset); "
            "messages are still sent only when their time has come",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = _moment(options["now"]) if options["now"] else None
        summary = reminders_job(now=now)
        self.stdout.write(f"reminders at {summary.now.isoformat()}: {summary.rules} active rules")
        for label, counts in (
            ("queued", summary.queued),
            ("cancelled", summary.cancelled),
            ("sent", summary.sent),
            ("failed", summary.failed),
        ):
            detail = ", ".join(f"{key} {value}" for key, value in sorted(counts.items()))
            total = sum(counts.values())
            self.stdout.write(f"{label}: {total}" + (f" ({detail})" if detail else ""))
