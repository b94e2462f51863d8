"""Timings of the reports and dashboards on the chain data set, against the 1-second target.

    python bench/reports.py --runs 5 [--explain 2] [--only revenue]

Run `bench/generate_chain.py` first. As the chain's administrator: a year's revenue report
of the whole chain grouped by day, month, location, vet and service; a year's appointments
report by day, vet, type and status; the chain dashboard, the comparison of the locations
and one location's dashboard. Prints the median and the slowest of `--runs` runs (after one
warm-up), the queries of one run and the ratio median / 1 s. With `--explain N`, the
`EXPLAIN (ANALYZE, BUFFERS)` of the N slowest queries of every target over the target.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from _setup import django_setup

TARGET_SECONDS = 1.0


def _targets(actor: Any, location: Any, today: dt.date) -> list[tuple[str, Callable[[], Any]]]:
    from vetrisys.reporting import kpis
    from vetrisys.reporting.appointments import appointment_report
    from vetrisys.reporting.revenue import revenue_report

    year_from, year_to = today - dt.timedelta(days=365), today - dt.timedelta(days=1)
    targets: list[tuple[str, Callable[[], Any]]] = []
    for group_by in ("day", "month", "location", "vet", "service"):
        targets.append(
            (
                f"revenue year, chain, by {group_by}",
                lambda g=group_by: revenue_report(
                    actor=actor, date_from=year_from, date_to=year_to, group_by=g
                ),
            )
        )
    for group_by in ("day", "vet", "type", "status"):
        targets.append(
            (
                f"appointments year, chain, by {group_by}",
                lambda g=group_by: appointment_report(
                    actor=actor, date_from=year_from, date_to=year_to, group_by=g
                ),
            )
        )
    targets += [
        ("chain dashboard", lambda: kpis.chain_dashboard(actor=actor)),
        ("comparison of locations", lambda: kpis.comparison(actor=actor)),
        ("location dashboard", lambda: kpis.location_dashboard(actor=actor, location=location)),
    ]
    return targets


def _explain(captured: list[dict[str, Any]], count: int) -> None:
    from django.db import connection

    slowest = sorted(captured, key=lambda q: -float(q["time"]))[:count]
    for query in slowest:
        sys.stdout.write(f"\n-- {float(query['time']) * 1000:.0f} ms\n{query['sql']}\n")
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}")
            sys.stdout.write("\n".join(row[0] for row in cursor.fetchall()) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--explain", type=int, default=0, help="plans of the N slowest queries")
    parser.add_argument("--only", default="", help="targets whose name contains this text")
    parser.add_argument("--organization", default="Cadena Reportes")
    args = parser.parse_args(argv)

    django_setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from vetrisys.accounts.models import Location, Organization, User
    from vetrisys.core.timeutil import today_in

    organization = Organization.objects.filter(name=args.organization).first()
    if organization is None:
        sys.stderr.write("No chain organization: run bench/generate_chain.py first.\n")
        return 1
    actor = User.objects.filter(organization=organization, memberships__role__key="admin").first()
    location = Location.objects.filter(organization=organization).order_by("name").first()
    assert location is not None
    today = today_in(location.time_zone)
    sys.stdout.write(
        f"{organization.name}: {Location.objects.filter(organization=organization).count()} "
        f"locations, today {today}, {args.runs} runs after a warm-up\n\n"
        f"{'target':40} {'queries':>7} {'median ms':>10} {'max ms':>8} {'ratio':>6}\n"
    )
    for name, target in _targets(actor, location, today):
        if args.only and args.only not in name:
            continue
        with CaptureQueriesContext(connection) as captured:
            target()
        timings = []
        for _ in range(args.runs):
            started = time.perf_counter()
            target()
            timings.append(time.perf_counter() - started)
        median = statistics.median(timings)
        sys.stdout.write(
            f"{name:40} {len(captured.captured_queries):7d} {median * 1000:10.0f} "
            f"{max(timings) * 1000:8.0f} {median / TARGET_SECONDS:6.2f}\n"
        )
        sys.stdout.flush()
        if args.explain:
            _explain(captured.captured_queries, args.explain)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
