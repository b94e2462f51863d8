"""The dashboard's "today" card: the current location's appointments by status."""

from __future__ import annotations

from typing import Any

from django import template

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.permissions import has_capability
from vetrisys.core import timeutil
from vetrisys.scheduling import selectors

register = template.Library()


@register.inclusion_tag("scheduling/partials/_dashboard_card.html", takes_context=True)
def today_card(context: dict[str, Any]) -> dict[str, Any]:
    """Today's appointments at the current location, counted by status (one query)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    location = getattr(request, "location", None)
    if location is None or not has_capability(user, Capability.APPOINTMENTS_VIEW, location):
        return {"show": False}
    counts = selectors.day_status_counts(
        actor=user, location=location, day=timeutil.today_in(location.time_zone)
    )
    active = counts["scheduled"] + counts["checked_in"] + counts["in_progress"]
    return {
        "show": True,
        "counts": counts,
        "total": active + counts["completed"] + counts["no_show"],
        "waiting": counts["checked_in"],
        "in_progress": counts["in_progress"],
        "to_come": counts["scheduled"],
    }
