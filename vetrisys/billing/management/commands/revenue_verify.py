"""`vetrisys revenue-verify [--repair]`: compare the revenue shares with the invoices, payments
and credit notes they come from; exit 1 when any differ, unless `--repair` rebuilt them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vetrisys.billing.services import revenue_shares_rebuild, revenue_shares_verify


class Command(BaseCommand):
    help = (
        "Check that the revenue shares (revenue by vet and by service) match the invoices, "
        "payments and credit notes; --repair rebuilds those that differ."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organization", help="one organization's id only")
        parser.add_argument(
            "--repair", action="store_true", help="rebuild the shares of the invoices that differ"
        )
        parser.add_argument(
            "--rebuild", action="store_true", help="rebuild the shares of every invoice"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organization = options["organization"]
        if options["rebuild"]:
            written = revenue_shares_rebuild(organization_id=organization)
            self.stdout.write(f"revenue shares rebuilt: {written} rows")
            return
        differing = revenue_shares_verify(organization_id=organization)
        if differing and options["repair"]:
            written = revenue_shares_rebuild(invoice_ids=differing)
            self.stdout.write(
                f"revenue shares repaired: {len(differing)} invoice(s), {written} rows"
            )
            return
        if differing:
            raise CommandError(
                f"{len(differing)} invoice(s) have revenue shares that differ from their "
                f"documents; first: {differing[0]}. Run `vetrisys revenue-verify --repair`.",
                returncode=1,
            )
        self.stdout.write("revenue shares match the invoices, payments and credit notes")
