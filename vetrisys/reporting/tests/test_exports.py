"""Exports: what a spreadsheet reads back from the CSV and XLSX files, cell by cell, with
formula payloads neutralized and numbers kept as numbers; large exports in the background."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from vetrisys.billing.services import LineSpec
from vetrisys.core.errors import NotFound
from vetrisys.reporting.exports import (
    ExportTable,
    csv_lines,
    csv_response,
    neutralize,
    write_xlsx,
    xlsx_response,
)
from vetrisys.reporting.forms import parse_filters
from vetrisys.reporting.jobs import export_job_get, export_job_start
from vetrisys.reporting.models import ExportJob
from vetrisys.reporting.tests.conftest import lima, sell

PAYLOADS = ["=1+2", "+SUM(A1:A9)", "-2+3", "@cmd", "\tTAB", "\rCR", '=HYPERLINK("x")']
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        *[(p, "'" + p) for p in PAYLOADS],
        ("Rosa", "Rosa"), ("", ""), ("a=b", "a=b"), (Decimal("-7.12"), Decimal("-7.12")),
        (-3, -3), (None, None), (dt.date(2026, 3, 1), dt.date(2026, 3, 1)),
    ],
)  # fmt: skip
def test_neutralize(value, expected):
    assert neutralize(value) == expected


def _table() -> ExportTable:
    rows = [[p, Decimal("-7.12"), 3, dt.date(2026, 3, 1), None] for p in PAYLOADS]
    rows.append(["Ñandú", Decimal("1234.50"), -1, "plain", ""])
    return ExportTable("Prueba", "prueba", ["=Name", "Amount", "Count", "Day", "Empty"], rows, 8)


def read_csv(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def test_csv_cells_read_back(world):
    found = read_csv("".join(csv_lines(_table())))

    assert found[0] == ["'=Name", "Amount", "Count", "Day", "Empty"]
    assert found[1:-1] == [["'" + p, "-7.12", "3", "2026-03-01", ""] for p in PAYLOADS]
    assert found[-1] == ["Ñandú", "1234.50", "-1", "plain", ""]


def _unescape(text: str) -> str:
    """OOXML writes control characters as _xHHHH_ (as a spreadsheet reads them back)."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


def read_xlsx(data: bytes) -> dict[str, tuple[str, str]]:
    """Cell reference → (kind, text) from the sheet's XML: "s" text, "n" number."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        names = book.namelist()
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            strings = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t"))
                      for si in strings.findall("m:si", NS)]  # fmt: skip
    assert not list(sheet.iter(f"{{{NS['m']}}}f")), "no cell may hold a formula"
    cells: dict[str, tuple[str, str]] = {}
    for cell in sheet.iter(f"{{{NS['m']}}}c"):
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            text = "".join(t.text or "" for t in cell.iter(f"{{{NS['m']}}}t"))
            cells[cell.get("r", "")] = ("s", _unescape(text))
        elif kind == "s":
            cells[cell.get("r", "")] = ("s", _unescape(shared[int(cell.findtext("m:v", "", NS))]))
        else:
            value = cell.findtext("m:v", None, NS)
            if value is not None:
                cells[cell.get("r", "")] = ("n", value)
    return cells


def test_xlsx_cells_read_back(tmp_path):
    path = tmp_path / "prueba.xlsx"
    assert write_xlsx(_table(), str(path)) == 8

    cells = read_xlsx(path.read_bytes())

    assert cells["A1"] == ("s", "'=Name")
    for row, payload in enumerate(PAYLOADS, start=2):
        assert (cells[f"A{row}"], cells[f"B{row}"], cells[f"C{row}"], cells[f"D{row}"]) == (
            ("s", "'" + payload), ("n", "-7.12"), ("n", "3"), ("s", "2026-03-01"),
        )  # fmt: skip
        assert f"E{row}" not in cells
    assert (cells["A9"], cells["B9"], cells["C9"], cells["D9"]) == (
        ("s", "Ñandú"), ("n", "1234.50"), ("n", "-1"), ("s", "plain"),
    )  # fmt: skip


def test_responses_stream(world):
    streamed = csv_response(_table())
    assert streamed.streaming
    assert streamed["Content-Disposition"] == 'attachment; filename="prueba.csv"'
    as_file = xlsx_response(_table())
    assert as_file.streaming
    assert as_file["Content-Disposition"] == 'attachment; filename="prueba.xlsx"'
    assert read_xlsx(b"".join(as_file.streaming_content))["A2"] == ("s", "'=1+2")


@pytest.fixture
def hostile_sales(world, admin, consult):
    from vetrisys.patients.tests.factories import OwnerFactory

    hostile = OwnerFactory(organization=world.org, first_name="=cmd|' /C calc'!A0",
                           last_name="@SUM(1)")  # fmt: skip
    return [
        sell(admin, world.location_a, hostile, [LineSpec(product=consult)],
             issued_at=lima(dt.date(2026, 3, day)))
        for day in (3, 4, 5)
    ]  # fmt: skip


def _export(http: Any, fmt: str) -> Any:
    return http.get(reverse("reporting:export", args=["invoices"]), {
        "date_from": "2026-03-01", "date_to": "2026-03-31", "format": fmt,
    })  # fmt: skip


def test_the_invoices_export_neutralizes_an_owners_name(hostile_sales, admin, client):
    client.force_login(admin)

    text = b"".join(_export(client, "csv").streaming_content).decode("utf-8")
    rows = read_csv(text)
    assert rows[1] == [hostile_sales[0].full_number, "2026-03-03", "Miraflores",
                       "'=cmd|' /C calc'!A0 @SUM(1)", "Issued", "59.00", "0.00", "0.00",
                       "59.00"]  # fmt: skip
    assert len(rows) == 4
    cells = read_xlsx(b"".join(_export(client, "xlsx").streaming_content))
    assert cells["D2"] == ("s", "'=cmd|' /C calc'!A0 @SUM(1)")
    assert cells["F2"] == ("n", "59.00")


def test_a_large_export_runs_in_the_background(
    hostile_sales, admin, manager_a, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path)
    filters = parse_filters(admin, "invoices", {"date_from": "2026-03-01",
                                                "date_to": "2026-03-31"}, strict=True)  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        job = export_job_start(actor=admin, filters=filters, file_format="xlsx")

    job.refresh_from_db()
    assert (job.status, job.rows_total, job.rows_done, job.percent) == ("done", 3, 3, 100)
    assert job.file_name == "invoices-2026-03-01-2026-03-31.xlsx"
    with default_storage.open(job.file_path, "rb") as stored:
        cells = read_xlsx(stored.read())
    assert [cells[f"A{row}"][1] for row in (2, 3, 4)] == [i.full_number for i in hostile_sales]
    assert export_job_get(actor=admin, job_id=job.pk) == job
    with pytest.raises(NotFound):
        export_job_get(actor=manager_a, job_id=job.pk)


def test_a_job_whose_requester_lost_the_right_fails_without_a_file(
    world, manager_a, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path)
    filters = parse_filters(manager_a, "revenue", {}, strict=True)
    from vetrisys.accounts.models import StaffMembership

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = export_job_start(actor=manager_a, filters=filters, file_format="csv")
    StaffMembership.objects.filter(user=manager_a).delete()
    for callback in callbacks:
        callback()

    job.refresh_from_db()
    assert (job.status, job.file_path, job.rows_done) == ("failed", "", 0)
    assert job.error == "You do not have permission to do this."
    assert not any(tmp_path.rglob("*.csv"))
    assert ExportJob.objects.count() == 1


def test_old_export_files_are_deleted(admin, world, settings, tmp_path):
    import datetime as _dt

    from django.core.files.base import ContentFile

    from vetrisys.core.timeutil import now
    from vetrisys.reporting.jobs import export_files_prune

    settings.MEDIA_ROOT = str(tmp_path)

    def finished(days: int) -> ExportJob:
        return ExportJob.objects.create(
            organization=world.org, requested_by=admin, report="revenue", file_format="csv",
            status="done", file_name="r.csv", finished_at=now() - _dt.timedelta(days=days),
            file_path=default_storage.save(f"exports/{days}/r.csv", ContentFile(b"x")),
        )  # fmt: skip

    kept, old = finished(6), finished(8)

    assert export_files_prune() == 1

    kept.refresh_from_db()
    old.refresh_from_db()
    assert default_storage.exists(kept.file_path)
    assert (old.file_path, old.error) == ("", "The file was deleted after 7 days.")
    assert not (tmp_path / "exports" / "8" / "r.csv").exists()
