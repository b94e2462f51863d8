"""Exports of the reports to CSV and XLSX, safe against formula injection.

A text cell that begins with = + - @, a tab or a carriage return is written with a leading
apostrophe, so a spreadsheet shows it as text instead of running it; numbers stay numbers.
CSV streams row by row (StreamingHttpResponse over a generator); XLSX is written by XlsxWriter
in constant-memory mode into a temporary file that is streamed back (FileResponse). Detail
exports (the invoices of a period, the vaccines due) read their rows with .iterator(), so
memory stays flat however many rows there are.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import xlsxwriter
from django.db.models import Q
from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from vetrisys.accounts.models import Location
from vetrisys.billing.models import Invoice
from vetrisys.inventory.reports import inventory_report
from vetrisys.reporting import compliance, forms, items, retention
from vetrisys.reporting.appointments import AppointmentReport, appointment_report
from vetrisys.reporting.forms import GROUP_LABELS, Filters
from vetrisys.reporting.revenue import RevenueReport, revenue_report
from vetrisys.reporting.scope import report_location_ids, reports_db, zone_groups

DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_ROWS = 2000


def neutralize(value: Any) -> Any:
    """A cell value a spreadsheet will not run: text starting like a formula gets an
    apostrophe first; numbers, dates and empty cells are left as they are."""
    if isinstance(value, str) and value.startswith(DANGEROUS_STARTS):
        return "'" + value
    return value


@dataclass
class ExportTable:
    """Headers and rows of one export, and how many rows to expect (for progress)."""

    title: str
    file_stem: str
    headers: list[str]
    rows: Iterable[Sequence[Any]]
    count: int


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def csv_lines(table: ExportTable, on_row: Callable[[int], None] | None = None) -> Iterator[str]:
    """The CSV text, line by line: a BOM (so spreadsheets read UTF-8), headers, rows."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow([neutralize(h) for h in table.headers])
    for done, row in enumerate(table.rows, start=1):
        yield writer.writerow([_text(neutralize(v)) for v in row])
        if on_row is not None:
            on_row(done)


def csv_response(table: ExportTable) -> StreamingHttpResponse:
    """A streamed CSV download."""
    response = StreamingHttpResponse(csv_lines(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{table.file_stem}.csv"'
    return response


def write_xlsx(table: ExportTable, path: str, on_row: Callable[[int], None] | None = None) -> int:
    """Write the table to an XLSX file in constant memory; return the rows written."""
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "tmpdir": tempfile.gettempdir()})
    sheet = workbook.add_worksheet(table.title[:31].replace("/", "-") or "Report")
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": "#,##0.00"})
    for column, header in enumerate(table.headers):
        sheet.write_string(0, column, neutralize(header), bold)
    done = 0
    for done, row in enumerate(table.rows, start=1):
        for column, value in enumerate(row):
            _write_cell(sheet, done, column, value, money)
        if on_row is not None:
            on_row(done)
    workbook.close()
    return done


def _write_cell(sheet: Any, row: int, column: int, value: Any, money: Any) -> None:
    # write_string, never write(): write() turns "=..." into a formula.
    if value is None:
        sheet.write_blank(row, column, None)
    elif isinstance(value, bool):
        sheet.write_string(row, column, _("yes") if value else _("no"))
    elif isinstance(value, Decimal):
        sheet.write_number(row, column, value, money)
    elif isinstance(value, int):
        sheet.write_number(row, column, value)
    else:
        sheet.write_string(row, column, neutralize(_text(value)))


def xlsx_response(table: ExportTable) -> FileResponse:
    """An XLSX download, written to a temporary file and streamed from it."""
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        write_xlsx(table, path)
        stream = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    finally:
        # The open handle keeps the data readable; the name goes away now.
        os.unlink(path)
    return FileResponse(
        stream,
        as_attachment=True,
        filename=f"{table.file_stem}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def response_for(table: ExportTable, file_format: str) -> StreamingHttpResponse | FileResponse:
    """The download in the asked format."""
    return xlsx_response(table) if file_format == "xlsx" else csv_response(table)


# ---------------------------------------------------------------- the reports as tables


def _stem(filters: Filters) -> str:
    spec = forms.REPORTS[filters.report]
    if spec.uses_period:
        return f"{filters.report}-{filters.date_from.isoformat()}-{filters.date_to.isoformat()}"
    return f"{filters.report}-{filters.on.isoformat()}"


def revenue_table(actor: Any, filters: Filters) -> ExportTable:
    """The revenue report as rows, with the totals last."""
    rows = revenue_report(
        actor=actor,
        date_from=filters.date_from,
        date_to=filters.date_to,
        location=filters.location,
        group_by=filters.group_by,
    )
    totals = RevenueReport(filters.date_from, filters.date_to, filters.group_by, rows).totals
    body: list[Sequence[Any]] = [
        (r.label, r.invoiced, r.credited, r.collected, r.outstanding) for r in rows
    ]
    body.append(
        (_("Total"), totals.invoiced, totals.credited, totals.collected, totals.outstanding)
    )
    headers = [str(GROUP_LABELS[filters.group_by]), _("Invoiced"), _("Credited"),
               _("Collected"), _("Outstanding")]  # fmt: skip
    return ExportTable(_("Revenue"), _stem(filters), headers, body, len(body))


def appointments_table(actor: Any, filters: Filters) -> ExportTable:
    """The appointments report as rows, with the totals last."""
    rows = appointment_report(
        actor=actor,
        date_from=filters.date_from,
        date_to=filters.date_to,
        location=filters.location,
        group_by=filters.group_by,
    )
    totals = AppointmentReport(filters.date_from, filters.date_to, filters.group_by, rows).totals
    body: list[Sequence[Any]] = []
    for r in [*rows, totals]:
        label = r.label or _("Total")
        body.append((label, r.total, r.scheduled, r.checked_in, r.in_progress, r.completed,
                     r.cancelled, r.no_show, r.no_show_rate, r.cancellation_rate))  # fmt: skip
    headers = [str(GROUP_LABELS[filters.group_by]), _("Appointments"), _("Scheduled"),
               _("Checked in"), _("In consultation"), _("Completed"), _("Cancelled"),
               _("No-show"), _("No-show rate (%)"), _("Cancellation rate (%)")]  # fmt: skip
    return ExportTable(_("Appointments"), _stem(filters), headers, body, len(body))


def inventory_table(actor: Any, filters: Filters) -> ExportTable:
    """Usage and value per product (the inventory report of the inventory app)."""
    report = inventory_report(
        actor=actor, date_from=filters.date_from, date_to=filters.date_to, location=filters.location
    )
    body: list[Sequence[Any]] = [
        (p.name, p.unit, p.dispensed, p.dispensed_cost, p.wasted, p.wasted_value, p.on_hand,
         p.stock_value)
        for p in report.products
    ]  # fmt: skip
    body.append((_("Total"), "", None, None, None, report.wasted_value, None, report.stock_value))
    headers = [_("Product"), _("Unit"), _("Dispensed"), _("Cost dispensed"), _("Wasted"),
               _("Value wasted"), _("On hand"), _("Stock value")]  # fmt: skip
    return ExportTable(_("Inventory"), _stem(filters), headers, body, len(body))


def compliance_table(actor: Any, filters: Filters) -> ExportTable:
    """Vaccination compliance per location and species."""
    rows = compliance.compliance_report(actor=actor, on=filters.on, location=filters.location)
    body: list[Sequence[Any]] = [
        (r.location, r.species, r.patients, r.patients_due, r.patients_overdue, r.vaccines_due,
         r.vaccines_overdue, r.compliance_rate)
        for r in rows
    ]  # fmt: skip
    headers = [_("Location"), _("Species"), _("Patients followed"), _("Patients due"),
               _("Patients overdue"), _("Vaccines due"), _("Vaccines overdue"),
               _("Compliance (%)")]  # fmt: skip
    return ExportTable(_("Vaccination compliance"), _stem(filters), headers, body, len(body))


def items_table(actor: Any, filters: Filters) -> ExportTable:
    """The top services and products."""
    rows = items.top_items(
        actor=actor, date_from=filters.date_from, date_to=filters.date_to,
        location=filters.location, kind=filters.kind, order=filters.order, limit=filters.limit,
    )  # fmt: skip
    body: list[Sequence[Any]] = [
        (r.name, r.kind, r.quantity, r.invoices, r.net, r.revenue) for r in rows
    ]
    headers = [_("Price item"), _("Kind"), _("Quantity"), _("Invoices"),
               _("Net (without tax)"), _("Revenue (with tax)")]  # fmt: skip
    return ExportTable(_("Top services and products"), _stem(filters), headers, body, len(body))


def retention_table(actor: Any, filters: Filters) -> ExportTable:
    """Active, lapsed and new owners per location, and overall."""
    report = retention.retention_report(
        actor=actor, on=filters.on, months=filters.months, location=filters.location
    )
    body: list[Sequence[Any]] = [
        (r.location, r.active, r.lapsed, r.new, r.returning, r.retention_rate)
        for r in [*report.rows, report.total]
    ]
    headers = [_("Location"), _("Active"), _("Lapsed"), _("New"), _("Returning"),
               _("Retention (%)")]  # fmt: skip
    return ExportTable(_("Client retention"), _stem(filters), headers, body, len(body))


def invoices_table(actor: Any, filters: Filters) -> ExportTable:
    """Every counted invoice of the period (a detail export: read with .iterator())."""
    location_ids = report_location_ids(actor, filters.location)
    groups = zone_groups(
        organization_id=actor.organization_id, location_ids=location_ids,
        date_from=filters.date_from, date_to=filters.date_to,
    )  # fmt: skip
    zones = {pk: ZoneInfo(g.zone) for g in groups for pk in g.location_ids}
    period = Q(pk__in=[])
    for g in groups:
        period |= Q(location_id__in=list(g.location_ids), issued_at__gte=g.starts_at,
                    issued_at__lt=g.ends_at)  # fmt: skip
    rows = (
        Invoice.objects.using(reports_db())
        .filter(period, organization_id=actor.organization_id)
        .exclude(status__in=[Invoice.Status.DRAFT, Invoice.Status.VOID])
        .order_by("issued_at", "id")
    )
    names = dict(
        Location.objects.using(reports_db()).filter(pk__in=location_ids).values_list("id", "name")
    )
    statuses = dict(Invoice.Status.choices)
    fields = ("full_number", "issued_at", "location_id", "client__first_name",
              "client__last_name", "status", "total", "paid_total", "credited_total",
              "balance")  # fmt: skip

    def body() -> Iterator[Sequence[Any]]:
        for number, issued_at, location_id, first, last, status, *amounts in rows.values_list(
            *fields
        ).iterator(chunk_size=CHUNK_ROWS):
            zone = zones.get(str(location_id), ZoneInfo("UTC"))
            owner = f"{first} {last}".strip()
            yield (number, issued_at.astimezone(zone).date(), names.get(location_id, ""),
                   owner, str(statuses.get(status, status)), *amounts)  # fmt: skip

    headers = [_("Number"), _("Issued on"), _("Location"), _("Owner"), _("Status"), _("Total"),
               _("Paid"), _("Credited"), _("Balance")]  # fmt: skip
    return ExportTable(_("Invoices"), _stem(filters), headers, body(), rows.count())


def vaccines_due_table(actor: Any, filters: Filters) -> ExportTable:
    """Each vaccine due soon or overdue on the day (a detail export)."""
    location_ids = report_location_ids(actor, filters.location)
    rows = compliance.patients_behind(
        organization_id=actor.organization_id, location_ids=location_ids, on=filters.on
    )

    def body() -> Iterator[Sequence[Any]]:
        for v in rows.iterator(chunk_size=CHUNK_ROWS):
            state = _("Overdue") if v.next_due_on and v.next_due_on < filters.on else _("Due")
            yield (v.patient.name, v.patient.species.name, str(v.patient.client),
                   v.protocol.name if v.protocol else v.product.name, v.administered_on,
                   v.next_due_on, state, v.location.name)  # fmt: skip

    headers = [_("Patient"), _("Species"), _("Owner"), _("Vaccine"), _("Last given"),
               _("Due on"), _("Status"), _("Location")]  # fmt: skip
    return ExportTable(_("Vaccines due"), _stem(filters), headers, body(), rows.count())


BUILDERS: dict[str, Callable[[Any, Filters], ExportTable]] = {
    "revenue": revenue_table,
    "appointments": appointments_table,
    "inventory": inventory_table,
    "compliance": compliance_table,
    "items": items_table,
    "retention": retention_table,
    "invoices": invoices_table,
    "vaccines-due": vaccines_due_table,
}


def build_table(actor: Any, filters: Filters) -> ExportTable:
    """The export of a report with its filters (permissions checked by the selectors)."""
    return BUILDERS[filters.report](actor, filters)
