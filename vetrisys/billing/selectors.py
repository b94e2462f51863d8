"""Reads of billing. Every query starts from what the actor may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.permissions import locations_with
from vetrisys.billing.models import Charge


def _visible_locations(actor: Any) -> list[str]:
    return locations_with(actor, Capability.BILLING_VIEW)


def pending_charges(*, actor: Any, client: Any, location: Any = None) -> QuerySet[Charge]:
    """The client's charges not yet invoiced (oldest first), at locations the actor sees."""
    rows = Charge.objects.filter(
        organization_id=actor.organization_id,
        client=client,
        status=Charge.Status.PENDING,
        location_id__in=_visible_locations(actor),
    )
    if location is not None:
        rows = rows.filter(location=location)
    return rows.select_related("product", "patient", "location").order_by("created_at", "id")
