"""The dashboards: the current location's (reports.view), the chain's and the comparison of
its locations side by side (reports.chain). Figures from `reporting.kpis`; charts drawn by
static/reporting/dashboard.js from json_script data (no inline script)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import formats
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.permissions import has_capability
from vetrisys.core.views import staff_view
from vetrisys.reporting import kpis
from vetrisys.reporting.appointments import STATUSES
from vetrisys.scheduling.models import Appointment

# Bootstrap's palette, one colour per appointment status (the chart and its legend).
STATUS_COLOURS = {
    "scheduled": "#0d6efd",
    "checked_in": "#ffc107",
    "in_progress": "#6f42c1",
    "completed": "#198754",
    "cancelled": "#6c757d",
    "no_show": "#dc3545",
}
# Screens a figure links to, when the app that owns them is installed (url name → key).
DETAIL_LINKS = {
    "calendar": "scheduling:day",
    "waiting_room": "scheduling:waiting_room",
    "invoices": "billing:invoices",
    "receivables": "billing:receivables",
    "stock": "inventory:stock",
    "stock_alerts": "inventory:alerts",
    "compliance": "reporting:compliance",
    "revenue_report": "reporting:revenue",
    "appointments_report": "reporting:appointments",
    "inventory_report": "reporting:inventory",
    "retention_report": "reporting:retention",
    "items_report": "reporting:items",
    "all_reports": "reporting:reports",
}


def _links() -> dict[str, str]:
    found = {}
    for key, name in DETAIL_LINKS.items():
        try:
            found[key] = reverse(name)
        except NoReverseMatch:
            continue
    return found


def _number(value: Decimal | None) -> str | None:
    """A figure for the chart's JSON: exact text (the script parses it for drawing only)."""
    return None if value is None else str(value)


def _month_name(day: Any) -> str:
    return formats.date_format(day, "YEAR_MONTH_FORMAT")


def _revenue_chart(board: kpis.Dashboard) -> dict[str, Any]:
    periods = board.periods
    return {
        "labels": [point.day for point in board.days],
        "series": [
            {
                "label": _month_name(periods.month_start),
                "data": [_number(point.this_month) for point in board.days],
            },
            {
                "label": _month_name(periods.last_month_start),
                "data": [_number(point.last_month) for point in board.days],
            },
        ],
        "currency": board.currency,
    }


def _status_chart(totals: kpis.Kpis) -> dict[str, Any]:
    labels = dict(Appointment.Status.choices)
    return {
        "labels": [str(labels[status]) for status in STATUSES],
        "data": [totals.appointments_today[status] for status in STATUSES],
        "colours": [STATUS_COLOURS[status] for status in STATUSES],
    }


def _status_rows(totals: kpis.Kpis) -> list[dict[str, Any]]:
    labels = dict(Appointment.Status.choices)
    return [
        {
            "status": status,
            "label": labels[status],
            "count": totals.appointments_today[status],
            "colour": STATUS_COLOURS[status],
        }
        for status in STATUSES
    ]


def _render_dashboard(request: HttpRequest, board: kpis.Dashboard) -> HttpResponse:
    context = {
        "board": board,
        "totals": board.totals,
        "periods": board.periods,
        "status_rows": _status_rows(board.totals),
        "revenue_chart": _revenue_chart(board),
        "status_chart": _status_chart(board.totals),
        "links": _links(),
        "can_see_chain": has_capability(request.user, Capability.REPORTS_CHAIN),
        "active_tab": "chain" if board.is_chain else "location",
    }
    return render(request, "reporting/dashboard.html", context)


@staff_view
def dashboard(request: HttpRequest) -> HttpResponse:
    """The reports' front page: the current location's dashboard (reports.view there); an
    administrator with no current location lands on the chain's."""
    location = getattr(request, "location", None)
    if location is None and has_capability(request.user, Capability.REPORTS_CHAIN):
        return HttpResponseRedirect(reverse("reporting:chain"))
    board = kpis.location_dashboard(actor=request.user, location=location)
    return _render_dashboard(request, board)


@staff_view
def chain_dashboard(request: HttpRequest) -> HttpResponse:
    """The whole organization's dashboard (reports.chain)."""
    return _render_dashboard(request, kpis.chain_dashboard(actor=request.user))


@staff_view
def comparison(request: HttpRequest) -> HttpResponse:
    """Every location's figures side by side (reports.chain)."""
    board = kpis.comparison(actor=request.user)
    chart = {
        "labels": [site.location.name for site in board.sites if site.location],
        "series": [
            {
                "label": _("%(month)s so far") % {"month": _month_name(board.periods.month_start)},
                "data": [_number(site.invoiced_month) for site in board.sites],
            },
            {
                "label": _("%(month)s, same days")
                % {"month": _month_name(board.periods.last_month_start)},
                "data": [_number(site.invoiced_last_month_to_date) for site in board.sites],
            },
        ],
        "currency": board.currency,
    }
    context = {
        "board": board,
        "totals": board.totals,
        "periods": board.periods,
        "sites_chart": chart,
        "links": _links(),
        "can_see_chain": True,
        "active_tab": "comparison",
    }
    return render(request, "reporting/comparison.html", context)
