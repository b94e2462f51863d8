"""`vetrisys restore --from PATH`: check a backup completely, then restore it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vetrisys.backups.services import backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup into the configured database and attachment storage. Stop the web "
        "server and the worker first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="source", required=True, metavar="PATH")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup_restore(Path(options["source"]))
        except Exception as error:
            message = getattr(error, "message", None) or str(error) or type(error).__name__
            raise CommandError(f"restore failed: {message}") from error
        self.stdout.write(
            f"restored the backup of {result.created_at} ({result.engine})\n"
            f"  attachments: {result.files} files\n"
            f"  schema brought up to date: {'yes' if result.migrated else 'no (already current)'}\n"
            f"  erasures applied again from the journal: {result.erasures_reapplied}"
        )
