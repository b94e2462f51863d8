"""`vetrisys audit-verify`: walk the audit hash chains; exit 1 at the first broken link."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vetrisys.audit.models import AuditChainHead, AuditEvent
from vetrisys.audit.services import verify


class Command(BaseCommand):
    help = "Verify the audit log's hash chains; exit code 1 and the first broken link if not."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chain", help="verify one chain only (an organization id)")

    def handle(self, *args: Any, **options: Any) -> None:
        chain: str | None = options["chain"]
        broken = verify(chain=chain)
        if broken is not None:
            raise CommandError(f"audit chain broken: {broken}", returncode=1)
        heads = AuditChainHead.objects.all()
        events = AuditEvent.objects.all()
        if chain is not None:
            heads = heads.filter(chain=chain)
            events = events.filter(chain=chain)
        self.stdout.write(f"audit chain intact: {events.count()} events in {heads.count()} chains")
