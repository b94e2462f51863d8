"""The report screens: exact figures in the table and totals row, the filters kept in the
export links, 404 / 403 like every screen, background exports followed to the download."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from vetrisys.billing.services import LineSpec
from vetrisys.reporting.models import ExportJob
from vetrisys.reporting.tests.conftest import lima, pay, sell
from vetrisys.reporting.views_reports import PAGE_PATHS

MARCH = {"date_from": "2026-03-01", "date_to": "2026-03-31"}


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


@pytest.fixture
def sales(world, admin, owner, consult, nail_trim):
    first = sell(admin, world.location_a, owner, [LineSpec(product=consult)],
                 issued_at=lima(dt.date(2026, 3, 2)))  # fmt: skip
    pay(admin, first, "59.00", lima(dt.date(2026, 3, 2), "10:30"))
    sell(admin, world.location_b, owner, [LineSpec(product=nail_trim, quantity=2)],
         issued_at=lima(dt.date(2026, 3, 20)))  # fmt: skip


def _cells(html: str, marker: str) -> list[list[str]]:
    """The text of each row's cells inside the element carrying `marker`."""
    table = html[html.index(marker) :]
    table = table[: table.index("</table>")]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return rows


def test_the_revenue_page_shows_rows_and_totals(sales, admin):
    page = _as(admin).get(reverse("reporting:revenue"), {**MARCH, "group_by": "location"})

    assert page.status_code == 200
    html = page.content.decode()
    assert _cells(html, 'data-report-table="revenue"') == [
        ["Location", "Invoiced", "Credited", "Collected", "Outstanding"],
        ["Arequipa Centro", "40.00", "0.00", "0.00", "40.00"],
        ["Miraflores", "59.00", "0.00", "59.00", "0.00"],
        ["Total", "99.00", "0.00", "59.00", "40.00"],
    ]
    export = reverse("reporting:export", args=["revenue"])
    assert (
        f"{export}?date_from=2026-03-01&amp;date_to=2026-03-31&amp;location=&amp;"
        f"group_by=location&amp;format=csv"
    ) in html


def test_days_link_to_the_invoices_of_the_day(sales, admin):
    html = _as(admin).get(reverse("reporting:revenue"), MARCH).content.decode()
    assert f"{reverse('billing:invoices')}?date_from=2026-03-02&amp;date_to=2026-03-02" in html


@pytest.mark.parametrize("report", list(PAGE_PATHS))
def test_every_screen_answers_the_manager(sales, manager_a, report):
    page = _as(manager_a).get(reverse(f"reporting:{report}"), MARCH)
    assert page.status_code == 200
    assert b"data-report-filters" in page.content


@pytest.mark.parametrize(
    ("name", "status"),
    [("admin", 200), ("manager_a", 200), ("vet_a", 403), ("receptionist_a", 403),
     ("vet_b", 403), ("outsider", 200)],
)  # fmt: skip
def test_permission_matrix(sales, people, name, status):
    page = _as(people[name]).get(reverse("reporting:revenue"), {**MARCH, "group_by": "location"})
    assert page.status_code == status
    if name == "manager_a":
        assert _cells(page.content.decode(), 'data-report-table="revenue"')[1][0] == "Miraflores"
    if name == "outsider":
        assert "Miraflores" not in page.content.decode()


def test_anonymous_people_are_sent_to_sign_in(world):
    page = HttpClient().get(reverse("reporting:revenue"))
    assert page.status_code == 302
    assert "login" in page["Location"]


def test_another_location_is_404(sales, manager_a, world):
    page = _as(manager_a).get(reverse("reporting:revenue"), {"location": str(world.location_b.pk)})
    assert page.status_code == 404
    export = _as(manager_a).get(
        reverse("reporting:export", args=["invoices"]), {"location": str(world.location_b.pk)}
    )
    assert export.status_code == 404


def test_bad_filters_show_the_defaults_with_a_notice(sales, admin):
    page = _as(admin).get(reverse("reporting:revenue"), {"date_from": "2026-04-01",
                                                         "date_to": "2026-03-01",
                                                         "group_by": "week"})  # fmt: skip
    assert page.status_code == 200
    html = page.content.decode()
    assert "data-filter-errors" in html
    assert "The end is before the start." in html
    bad_export = _as(admin).get(reverse("reporting:export", args=["revenue"]),
                                {"group_by": "week"})  # fmt: skip
    assert bad_export.status_code == 302


def test_the_revenue_page_takes_the_same_queries_for_1_and_6_invoices(
    world, admin, owner, consult, django_assert_num_queries
):
    http = _as(admin)

    def grow(n: int) -> None:
        for day in range(n):
            sell(admin, world.location_a, owner, [LineSpec(product=consult)],
                 issued_at=lima(dt.date(2026, 3, 3 + day)))  # fmt: skip

    grow(1)
    http.get(reverse("reporting:revenue"), MARCH)
    with django_assert_num_queries(17):
        http.get(reverse("reporting:revenue"), MARCH)
    grow(5)
    with django_assert_num_queries(17):
        page = http.get(reverse("reporting:revenue"), MARCH)
    assert _cells(page.content.decode(), 'data-report-table="revenue"')[-1][1] == "354.00"


def test_the_reports_index_and_the_navigation(sales, manager_a, vet_a):
    page = _as(manager_a).get(reverse("reporting:reports"))
    assert page.status_code == 200
    html = page.content.decode()
    for report in PAGE_PATHS:
        assert f'href="{reverse(f"reporting:{report}")}"' in html
    assert f'href="{reverse("reporting:reports")}"' in html  # the navigation's entry
    assert _as(vet_a).get(reverse("reporting:reports")).status_code == 403
    home = _as(vet_a).get(reverse("patients:list")).content.decode()
    assert f'href="{reverse("reporting:reports")}"' not in home


def test_a_large_export_is_prepared_in_the_background(
    sales, admin, manager_a, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.REPORTS_DIRECT_EXPORT_ROWS = 1
    http = _as(admin)

    offer = http.get(reverse("reporting:export", args=["invoices"]), {**MARCH, "format": "csv"})
    assert offer.status_code == 200
    assert b"This export has 2 rows" in offer.content
    assert not ExportJob.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        started = http.post(reverse("reporting:export_start", args=["invoices"]),
                            {**MARCH, "location": "", "format": "csv"})  # fmt: skip
    job = ExportJob.objects.get()
    assert started.status_code == 302
    assert started["Location"] == reverse("reporting:export_job", args=[job.pk])
    assert (job.status, job.rows_total, job.rows_done, job.params) == (
        "done", 2, 2, {**MARCH, "location": ""},
    )  # fmt: skip

    progress = http.get(started["Location"], headers={"HX-Request": "true"})
    html = progress.content.decode()
    assert 'data-export-status="done"' in html
    assert 'value="100"' in html
    assert "hx-trigger" not in html
    download = http.get(reverse("reporting:export_download", args=[job.pk]))
    text = b"".join(download.streaming_content).decode("utf-8")
    assert (
        text.splitlines()[0]
        == "\ufeffNumber,Issued on,Location,Owner,Status,Total,Paid,Credited,Balance"
    )
    assert len(text.splitlines()) == 3
    other = _as(manager_a)
    assert other.get(started["Location"]).status_code == 404
    assert other.get(reverse("reporting:export_download", args=[job.pk])).status_code == 404


def test_a_running_export_keeps_polling(admin, world):
    job = ExportJob.objects.create(
        organization=world.org, requested_by=admin, report="invoices", file_format="csv",
        status="running", rows_total=2000, rows_done=500,
    )  # fmt: skip
    html = _as(admin).get(reverse("reporting:export_job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert 'value="25"' in html
    assert "500 of 2000 rows" in html


@pytest.mark.parametrize(
    ("report", "params"),
    [
        ("appointments", MARCH),
        ("items", MARCH),
        ("retention", {"on": "2026-03-31"}),
        ("compliance", {"on": "2026-03-31"}),
        ("inventory", MARCH),
    ],
)
def test_other_pages_take_the_same_queries_for_2_and_6_days(
    world, admin, owner, pet, consult, vet_a, report, params
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from vetrisys.reporting.tests.test_reports_api import _grow_everything
    from vetrisys.scheduling.tests.factories import AppointmentTypeFactory

    http = _as(admin)
    kind = AppointmentTypeFactory(organization=world.org, name="Consulta")
    _grow_everything(world, admin, owner, pet, consult, vet_a, 2, kind)
    http.get(reverse(f"reporting:{report}"), params)
    with CaptureQueriesContext(connection) as few:
        assert http.get(reverse(f"reporting:{report}"), params).status_code == 200
    _grow_everything(world, admin, owner, pet, consult, vet_a, 4, kind)
    with CaptureQueriesContext(connection) as more:
        assert http.get(reverse(f"reporting:{report}"), params).status_code == 200
    assert len(more.captured_queries) == len(few.captured_queries) == PAGE_QUERIES[report]


# Session, user, capabilities and navigation, the zones, the report, its names, the session.
PAGE_QUERIES = {"appointments": 15, "items": 16, "retention": 16, "compliance": 16, "inventory": 15}
