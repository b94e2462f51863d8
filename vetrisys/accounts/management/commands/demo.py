"""`vetrisys demo`: migrate and load the demo clinic (idempotent), then print its logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from vetrisys.config.demo import DEMO_ORGANIZATION, DEMO_URL, DemoLogin, demo_load
from vetrisys.core.errors import DomainError
from vetrisys.core.management.commands._common import command_error, migrate_quietly


def login_table(logins: list[DemoLogin]) -> list[str]:
    """The demo logins as aligned text columns."""
    rows = [("username", "password", "role", "location")]
    rows += [(login.username, login.password, login.role, login.location) for login in logins]
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


class Command(BaseCommand):
    help = (
        f"Migrate the database and load the demo clinic {DEMO_ORGANIZATION!r} "
        "(running it again creates nothing twice); print the demo logins."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        migrate_quietly()
        try:
            logins = demo_load()
        except DomainError as error:
            raise command_error(error) from None
        self.stdout.write(f"Demo organization {DEMO_ORGANIZATION!r} is ready. Logins:")
        self.stdout.write("")
        for line in login_table(logins):
            self.stdout.write(f"  {line}")
        self.stdout.write("")
        self.stdout.write(f"Run `vetrisys serve` and open {DEMO_URL}")
