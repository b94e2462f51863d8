"""`vetrisys stock-verify`: prove on hand = sum of movements; exit 1 on the first mismatch."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vetrisys.inventory.ledger import verify
from vetrisys.inventory.models import StockBalance


class Command(BaseCommand):
    help = "Check that every stock balance equals the sum of its movements (exit 1 if not)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organization", help="one organization's id only")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = options["organization"]
        found = verify(organization_id=organization)
        if found:
            first = found[0]
            raise CommandError(
                f"{len(found)} balance(s) differ from the ledger; first: location "
                f"{first.location_id}, product {first.product_id}, lot {first.lot_id}: "
                f"on hand {first.on_hand}, movements {first.ledger_sum}",
                returncode=1,
            )
        balances = StockBalance.objects.all()
        if organization:
            balances = balances.filter(organization_id=organization)
        self.stdout.write(f"stock conserved: {balances.count()} balances match the ledger")
