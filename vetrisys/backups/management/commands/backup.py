"""`vetrisys backup --to PATH`: an encrypted, verified backup of the database and attachments."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vetrisys.backups.archive import checksum_path
from vetrisys.backups.services import backup_to_path
from vetrisys.core.errors import DomainError


class Command(BaseCommand):
    help = "Write an encrypted backup of the database and the attachments to PATH."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--to", required=True, metavar="PATH", help="a new file, or a folder to write it in"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            written = backup_to_path(Path(options["to"]))
        except (DomainError, OSError, Exception) as error:
            message = getattr(error, "message", None) or str(error) or type(error).__name__
            raise CommandError(f"backup failed, nothing was kept: {message}") from error
        files = len(written.manifest["files"]) - 1
        self.stdout.write(
            f"backup written: {written.path}\n"
            f"  size: {written.size} bytes, SHA-256 {written.sha256} "
            f"(also in {checksum_path(written.path).name})\n"
            f"  database: {written.manifest['engine']}, "
            f"{len(written.manifest['migrations'])} migrations applied\n"
            f"  attachments: {files} files\n"
            "  encrypted with the backup key, which is not in the file: keep a copy of the key."
        )
