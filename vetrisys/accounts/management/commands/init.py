"""`vetrisys init`: migrate, then create an organization, its first location and its admin."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vetrisys.accounts.services import organization_create
from vetrisys.core.errors import DomainError
from vetrisys.core.management.commands._common import command_error, migrate_quietly


def _percent(value: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation:
        raise CommandError(f"--tax-rate {value!r} is not a number.", returncode=1) from None


class Command(BaseCommand):
    help = (
        "Migrate the database and create an organization with its first location and "
        "administrator. Run it again with another name to add another organization."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="name of the organization")
        parser.add_argument("--location", required=True, help="name of its first location")
        parser.add_argument("--admin-username", required=True)
        parser.add_argument("--admin-password", required=True)
        parser.add_argument("--time-zone", default="America/Lima", help="IANA time zone")
        parser.add_argument("--currency", default="PEN", help="ISO 4217 code")
        parser.add_argument("--tax-rate", default="18.00", help="default tax rate in percent")

    def handle(self, *args: Any, **options: Any) -> None:
        tax_rate = _percent(options["tax_rate"])
        migrate_quietly()
        try:
            created = organization_create(
                name=options["org"],
                location_name=options["location"],
                admin_username=options["admin_username"],
                admin_password=options["admin_password"],
                time_zone=options["time_zone"],
                currency=options["currency"],
                tax_rate=tax_rate,
            )
        except DomainError as error:
            raise command_error(error) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Created organization {created.organization.name!r} with location "
                f"{created.location.name!r} ({created.location.time_zone}, "
                f"{created.location.currency}) and administrator "
                f"{created.admin.username!r}."
            )
        )
