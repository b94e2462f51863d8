"""`vetrisys serve`: the production server (waitress), static files by WhiteNoise.

Without REDIS_URL (a single clinic) the background-job consumer runs in the same process,
so this one command is the whole clinic.
"""

from __future__ import annotations

import hashlib
import os
import signal
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from vetrisys.config.jobs import RunningConsumer, start_in_process_consumer

STAMP_NAME = ".vetrisys-collected"


def static_fingerprint() -> str:
    """A digest of every static source file (name, size, mtime) and the storage in use."""
    from django.contrib.staticfiles import finders

    entries = []
    for finder in finders.get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            stat = os.stat(storage.path(path))
            entries.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    digest = hashlib.sha256(settings.STORAGES["staticfiles"]["BACKEND"].encode())
    for entry in sorted(entries):
        digest.update(entry.encode())
        digest.update(b"\n")
    return digest.hexdigest()


def collect_static_if_stale(*, stdout: Any = None) -> bool:
    """Run `collectstatic` when STATIC_ROOT is missing or older than the sources."""
    stamp = Path(settings.STATIC_ROOT) / STAMP_NAME
    fingerprint = static_fingerprint()
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == fingerprint:
        return False
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(fingerprint, encoding="utf-8")
    if stdout is not None:
        stdout.write(f"Collected static files into {settings.STATIC_ROOT}")
    return True


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = (
        "Serve VetriSys with waitress (static files included). Without REDIS_URL the "
        "background jobs run in this process too."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on")
        parser.add_argument("--threads", type=int, default=8, help="request threads")
        parser.add_argument(
            "--no-jobs",
            action="store_true",
            help="do not run background jobs in this process (run `vetrisys worker`)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import create_server

        collect_static_if_stale(stdout=self.stdout)
        # Imported after collectstatic: WhiteNoise indexes STATIC_ROOT when the app loads.
        from vetrisys.config.wsgi import application

        proxy: dict[str, Any] = {}
        if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
            # BEHIND_PROXY: the load balancer's X-Forwarded-* give the client's address.
            proxy = {
                "trusted_proxy": "*",
                "trusted_proxy_count": 1,
                "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
                "clear_untrusted_proxy_headers": True,
            }
        server = create_server(
            application,
            host=options["host"],
            port=options["port"],
            threads=options["threads"],
            ident="VetriSys",
            **proxy,
        )
        jobs: RunningConsumer | None = None
        if not settings.REDIS_URL and not options["no_jobs"]:
            jobs = start_in_process_consumer()
        host = options["host"]
        shown_host = f"[{host}]" if ":" in host else host
        self.stdout.write(
            f"VetriSys is running at http://{shown_host}:{server.effective_port}/ "
            f"({'with' if jobs else 'without'} background jobs in this process). "
            "Stop it with Ctrl+C."
        )
        self.stdout.flush()
        signal.signal(signal.SIGTERM, _stop_on_sigterm)
        try:
            server.run()  # returns on Ctrl+C or SIGTERM
        except KeyboardInterrupt:
            pass
        finally:
            self.stdout.write("Stopping VetriSys.")
            server.close()
            if jobs is not None:
                jobs.stop()
