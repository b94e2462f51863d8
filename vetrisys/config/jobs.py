"""The background-job consumer inside the web process (the embedded, single-clinic shape).

In the cloud shape `vetrisys worker` runs Huey's consumer in processes of its own. On a
front-desk PC one command is the whole clinic, so `vetrisys serve` runs the consumer in
background threads of the server's process, on the SQLite queue next to the data.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import autodiscover_modules
from huey.consumer import Consumer


class InProcessConsumer(Consumer):  # type: ignore[misc]
    """A Huey consumer that leaves the process's signals to the web server that hosts it."""

    def _set_signal_handlers(self) -> None:
        """Signals belong to the main thread (the server); it stops the consumer itself."""


@dataclass
class RunningConsumer:
    """A consumer running in a background thread."""

    consumer: Any
    thread: threading.Thread

    def stop(self, *, timeout: float = 30.0) -> None:
        """Let running jobs finish (up to `timeout` seconds), then stop."""
        self.consumer.stop(graceful=True)
        self.thread.join(timeout)


def start_in_process_consumer(*, workers: int = 2) -> RunningConsumer | None:
    """Start Huey's consumer in threads of this process; None when jobs run immediately."""
    from huey.contrib.djhuey import HUEY

    if HUEY.immediate:
        return None
    autodiscover_modules("tasks")
    consumer = InProcessConsumer(
        HUEY, workers=workers, worker_type="thread", periodic=True, shutdown_timeout=25
    )
    thread = threading.Thread(target=consumer.run, name="vetrisys-jobs", daemon=True)
    thread.start()
    return RunningConsumer(consumer=consumer, thread=thread)
