"""HTTP API of reporting: /api/v1/reports/… (the inventory report lives with inventory).

Each report answers JSON rows ({"items", "count"} paged by limit/offset, and the totals), or,
with format=csv or format=xlsx, the whole report as a download with the same filters."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponseBase
from ninja import Query, Router, Schema

from vetrisys.accounts.auth import api_actor
from vetrisys.core.api import ERRORS
from vetrisys.reporting import compliance, items, retention
from vetrisys.reporting.appointments import AppointmentReport, appointment_report
from vetrisys.reporting.exports import build_table, response_for
from vetrisys.reporting.forms import Filters, parse_filters
from vetrisys.reporting.jobs import export_record
from vetrisys.reporting.revenue import RevenueReport, revenue_report
from vetrisys.reporting.schemas import (
    AppointmentsOut,
    AppointmentsQuery,
    ComplianceOut,
    DayQuery,
    PageQuery,
    RetentionOut,
    RetentionQuery,
    RevenueOut,
    RevenueQuery,
    TopItemsOut,
    TopItemsQuery,
)
from vetrisys.vaccinations.selectors import due_within_days

router = Router(tags=["reports"])


def _filters(request: HttpRequest, report: str, query: Schema) -> Filters:
    data = {k: v for k, v in query.model_dump().items() if v is not None}
    return parse_filters(api_actor(request), report, data, strict=True)


def _download(request: HttpRequest, filters: Filters, file_format: str) -> HttpResponseBase:
    actor = api_actor(request)
    table = build_table(actor, filters)
    export_record(actor=actor, filters=filters, file_format=file_format, rows=table.count)
    return response_for(table, file_format)


def _page(rows: list[Any], query: PageQuery) -> list[Any]:
    return rows[query.offset : query.offset + query.limit]


@router.get("/revenue", response={200: RevenueOut, **ERRORS})
def revenue(request: HttpRequest, query: Query[RevenueQuery]) -> Any:
    """Invoiced, credited, collected and outstanding per day, month, location, vet or service
    (definitions in docs/reports.md)."""
    filters = _filters(request, "revenue", query)
    if query.format != "json":
        return _download(request, filters, query.format)
    rows = revenue_report(
        actor=api_actor(request), date_from=filters.date_from, date_to=filters.date_to,
        location=filters.location, group_by=filters.group_by,
    )  # fmt: skip
    totals = RevenueReport(filters.date_from, filters.date_to, filters.group_by, rows).totals
    return {
        "date_from": filters.date_from, "date_to": filters.date_to,
        "group_by": filters.group_by, "count": len(rows), "items": _page(rows, query),
        "totals": totals,
    }  # fmt: skip


@router.get("/appointments", response={200: AppointmentsOut, **ERRORS})
def appointments(request: HttpRequest, query: Query[AppointmentsQuery]) -> Any:
    """Appointments per status by day, vet, type or status, with the no-show and cancellation
    rates (in percent)."""
    filters = _filters(request, "appointments", query)
    if query.format != "json":
        return _download(request, filters, query.format)
    rows = appointment_report(
        actor=api_actor(request), date_from=filters.date_from, date_to=filters.date_to,
        location=filters.location, group_by=filters.group_by,
    )  # fmt: skip
    totals = AppointmentReport(filters.date_from, filters.date_to, filters.group_by, rows).totals
    return {
        "date_from": filters.date_from, "date_to": filters.date_to,
        "group_by": filters.group_by, "count": len(rows), "items": _page(rows, query),
        "totals": totals,
    }  # fmt: skip


@router.get("/vaccination-compliance", response={200: ComplianceOut, **ERRORS})
def vaccination_compliance(request: HttpRequest, query: Query[DayQuery]) -> Any:
    """Per location and species: patients followed, with a vaccine due soon, overdue."""
    filters = _filters(request, "compliance", query)
    if query.format != "json":
        return _download(request, filters, query.format)
    rows = compliance.compliance_report(
        actor=api_actor(request), on=filters.on, location=filters.location
    )
    return {
        "on": filters.on, "due_within_days": due_within_days(), "count": len(rows),
        "items": _page(rows, query),
    }  # fmt: skip


@router.get("/top-items", response={200: TopItemsOut, **ERRORS})
def top_items(request: HttpRequest, query: Query[TopItemsQuery]) -> Any:
    """The best-selling services and products of the period (limit = how many)."""
    filters = _filters(request, "items", query)
    if query.format != "json":
        return _download(request, filters, query.format)
    rows = items.top_items(
        actor=api_actor(request), date_from=filters.date_from, date_to=filters.date_to,
        location=filters.location, kind=filters.kind, order=filters.order,
        limit=query.offset + query.limit,
    )  # fmt: skip
    return {
        "date_from": filters.date_from, "date_to": filters.date_to, "kind": filters.kind,
        "order": filters.order, "count": len(rows), "items": rows[query.offset :],
    }  # fmt: skip


@router.get("/retention", response={200: RetentionOut, **ERRORS})
def client_retention(request: HttpRequest, query: Query[RetentionQuery]) -> Any:
    """Owners active, lapsed and new in the last `months` months, per location and overall."""
    filters = _filters(request, "retention", query)
    if query.format != "json":
        return _download(request, filters, query.format)
    report = retention.retention_report(
        actor=api_actor(request), on=filters.on, months=filters.months, location=filters.location
    )
    return {
        "on": report.on, "months": report.months, "count": len(report.rows),
        "items": _page(report.rows, query), "total": report.total,
    }  # fmt: skip
