"""Helpers shared by VetriSys's own management commands."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import CommandError

from vetrisys.core.errors import DomainError, ValidationFailed


def migrate_quietly() -> None:
    """Bring the database schema up to date without asking or printing each migration."""
    call_command("migrate", interactive=False, verbosity=0)


def command_error(error: DomainError) -> CommandError:
    """A service's refusal as one line for the terminal (exit code 1)."""
    message = error.message
    if isinstance(error, ValidationFailed) and error.fields:
        details = "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in error.fields.items()
        )
        message = f"{message} ({details})"
    return CommandError(message.replace("\n", " "), returncode=1)
