"""`vetrisys worker`: Huey's consumer for background jobs and schedules (settings.HUEY)."""

from __future__ import annotations

from huey.contrib.djhuey.management.commands.run_huey import Command as RunHueyCommand


class Command(RunHueyCommand):  # type: ignore[misc]
    help = (
        "Run background jobs and schedules. In the cloud shape run one or more of these next "
        "to the web processes; `vetrisys serve` runs jobs itself when REDIS_URL is not set."
    )
