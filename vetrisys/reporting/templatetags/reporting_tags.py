"""Display helpers of the dashboards: a change against an earlier figure, as ↑ / ↓."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("reporting/partials/_kpi_delta.html")
def kpi_delta(
    change: Decimal | None, *, higher_is_better: bool = True, unit: str = "%"
) -> dict[str, Any]:
    """↑ 12.50 % in green when the figure went the good way, ↓ in red when the bad way."""
    if change is None:
        return {"show": False}
    rising = change > 0
    tone = "secondary" if change == 0 else "success" if rising == higher_is_better else "danger"
    return {
        "show": True,
        "arrow": "↑" if rising else ("↓" if change < 0 else "="),
        "amount": abs(change),
        "tone": tone,
        "unit": unit,
        "rising": rising,
    }


@register.inclusion_tag("reporting/partials/_kpi_home_card.html", takes_context=True)
def reports_card(context: dict[str, Any]) -> dict[str, Any]:
    """The home page's card: invoiced today and this month at the current location, for
    those who may see its reports."""
    from vetrisys.reporting.kpis import home_card

    request = context.get("request")
    card = home_card(
        actor=getattr(request, "user", None), location=getattr(request, "location", None)
    )
    return {"show": card is not None, "card": card}
