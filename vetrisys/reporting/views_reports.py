"""The report screens: one page per report with its filters, a table with a totals row, links
to the detail, and CSV / XLSX exports carrying the same filters; large exports are prepared in
the background with a progress bar."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.models import Location
from vetrisys.accounts.permissions import locations_with, require
from vetrisys.core.errors import ValidationFailed
from vetrisys.core.views import staff_view
from vetrisys.inventory.reports import inventory_report
from vetrisys.reporting import compliance, items, retention
from vetrisys.reporting.appointments import AppointmentReport, appointment_report
from vetrisys.reporting.exports import build_table, response_for
from vetrisys.reporting.forms import GROUP_LABELS, REPORTS, Filters, parse_filters
from vetrisys.reporting.jobs import (
    direct_export_rows,
    export_job_get,
    export_job_start,
    export_record,
)
from vetrisys.reporting.models import ExportJob
from vetrisys.reporting.revenue import RevenueReport, revenue_report
from vetrisys.vaccinations.selectors import due_within_days

# Each screen's URL (its name is the report's slug: reporting:revenue, reporting:items, …).
PAGE_PATHS = {
    "revenue": "revenue/",
    "appointments": "appointments/",
    "inventory": "inventory/",
    "compliance": "vaccination-compliance/",
    "items": "top-items/",
    "retention": "retention/",
}
SCREENS = tuple(PAGE_PATHS)


def _locations(actor: Any) -> list[Location]:
    ids = locations_with(actor, Capability.REPORTS_VIEW)
    return list(Location.objects.filter(organization_id=actor.organization_id, pk__in=ids))


@require_GET
@staff_view
def reports_index(request: HttpRequest) -> HttpResponse:
    """The list of reports (for people who may see reports somewhere)."""
    require(request.user, Capability.REPORTS_VIEW)
    return render(
        request,
        "reporting/report_index.html",
        {"reports": [REPORTS[slug] for slug in SCREENS]},
    )


@require_GET
@staff_view
def report_page(request: HttpRequest, report: str) -> HttpResponse:
    """One report with the filters of the query string."""
    if report not in SCREENS:
        raise Http404
    actor = request.user
    require(actor, Capability.REPORTS_VIEW)
    filters = parse_filters(actor, report, request.GET, strict=False)
    context: dict[str, Any] = {
        "spec": REPORTS[report],
        "filters": filters,
        "locations": _locations(actor),
        "group_choices": [(g, GROUP_LABELS[g]) for g in REPORTS[report].group_by],
        "export_query": urlencode(filters.query()),
        "kinds": [
            ("all", _("Services and products")),
            ("services", _("Services")),
            ("products", _("Products")),
        ],
        "orders": [("revenue", _("By revenue")), ("quantity", _("By quantity"))],
        "page_url": reverse(f"reporting:{report}"),
    }
    context.update(_DATA[report](actor, filters))
    return render(request, f"reporting/report_{report}.html", context)


def _revenue(actor: Any, filters: Filters) -> dict[str, Any]:
    rows = revenue_report(
        actor=actor, date_from=filters.date_from, date_to=filters.date_to,
        location=filters.location, group_by=filters.group_by,
    )  # fmt: skip
    report = RevenueReport(filters.date_from, filters.date_to, filters.group_by, rows)
    invoices_query = urlencode(filters.query())
    return {"rows": rows, "totals": report.totals, "invoices_query": invoices_query}


def _appointments(actor: Any, filters: Filters) -> dict[str, Any]:
    rows = appointment_report(
        actor=actor, date_from=filters.date_from, date_to=filters.date_to,
        location=filters.location, group_by=filters.group_by,
    )  # fmt: skip
    report = AppointmentReport(filters.date_from, filters.date_to, filters.group_by, rows)
    return {"rows": rows, "totals": report.totals}


def _inventory(actor: Any, filters: Filters) -> dict[str, Any]:
    report = inventory_report(
        actor=actor, date_from=filters.date_from, date_to=filters.date_to, location=filters.location
    )
    return {"report": report}


def _compliance(actor: Any, filters: Filters) -> dict[str, Any]:
    rows = compliance.compliance_report(actor=actor, on=filters.on, location=filters.location)
    return {
        "rows": rows,
        "window": due_within_days(),
        "due_query": urlencode(
            {"on": filters.on.isoformat(), "location": filters.query()["location"]}
        ),
    }


def _items(actor: Any, filters: Filters) -> dict[str, Any]:
    rows = items.top_items(
        actor=actor, date_from=filters.date_from, date_to=filters.date_to,
        location=filters.location, kind=filters.kind, order=filters.order, limit=filters.limit,
    )  # fmt: skip
    return {"rows": rows}


def _retention(actor: Any, filters: Filters) -> dict[str, Any]:
    report = retention.retention_report(
        actor=actor, on=filters.on, months=filters.months, location=filters.location
    )
    return {"report": report}


_DATA = {
    "revenue": _revenue,
    "appointments": _appointments,
    "inventory": _inventory,
    "compliance": _compliance,
    "items": _items,
    "retention": _retention,
}


@require_GET
@staff_view
def export(request: HttpRequest, report: str) -> HttpResponseBase:
    """The report as CSV or XLSX with the screen's filters: at once when small, otherwise a
    page that offers to prepare it in the background."""
    if report not in REPORTS:
        raise Http404
    actor = request.user
    file_format = request.GET.get("format", "csv")
    if file_format not in ExportJob.Format.values:
        file_format = "csv"
    try:
        filters = parse_filters(actor, report, request.GET, strict=True)
    except ValidationFailed:
        if report in SCREENS:
            page = reverse(f"reporting:{report}")
            return redirect(f"{page}?{request.GET.urlencode()}")
        raise Http404 from None
    table = build_table(actor, filters)
    if table.count > direct_export_rows():
        return render(
            request,
            "reporting/report_export_confirm.html",
            {"spec": REPORTS[report], "filters": filters, "rows": table.count,
             "format": file_format, "query": urlencode(filters.query())},
        )  # fmt: skip
    export_record(actor=actor, filters=filters, file_format=file_format, rows=table.count)
    return response_for(table, file_format)


@require_POST
@staff_view
def export_start(request: HttpRequest, report: str) -> HttpResponseBase:
    """Queue a background export of the report with the posted filters."""
    if report not in REPORTS:
        raise Http404
    filters = parse_filters(request.user, report, request.POST, strict=True)
    job = export_job_start(
        actor=request.user, filters=filters, file_format=request.POST.get("format", "csv")
    )
    return redirect("reporting:export_job", job_id=job.pk)


@require_GET
@staff_view
def export_job(request: HttpRequest, job_id: Any) -> HttpResponse:
    """The progress of one's own export, then its download link."""
    job = export_job_get(actor=request.user, job_id=job_id)
    template = (
        "reporting/partials/_export_progress.html"
        if request.headers.get("HX-Request")
        else "reporting/report_export_job.html"
    )
    return render(request, template, {"job": job, "spec": REPORTS.get(job.report)})


@require_GET
@staff_view
def export_download(request: HttpRequest, job_id: Any) -> HttpResponseBase:
    """The finished file of one's own export."""
    job = export_job_get(actor=request.user, job_id=job_id)
    if job.status != ExportJob.Status.DONE or not job.file_path:
        raise Http404
    return FileResponse(
        default_storage.open(job.file_path, "rb"), as_attachment=True, filename=job.file_name
    )


def page_urls() -> list[URLPattern]:
    """One URL per report screen."""
    return [
        path(route, report_page, {"report": slug}, name=slug) for slug, route in PAGE_PATHS.items()
    ]


class ReportSlug:
    """A URL part naming a report (so report URLs never shadow other screens' URLs)."""

    regex = "|".join(REPORTS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
