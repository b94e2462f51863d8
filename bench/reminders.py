"""The reminder job at chain scale: one run over the whole organization, cold and warm.

    python bench/reminders.py [--organization "Cadena Benchmark"] [--now ISO] [--explain]

Needs the chain data (`generate.py`) and what `generate_reminders.py` adds (consents, birth
dates, vaccinations, visits). Adds the recommended rules if the organization has none, removes
the reminders earlier runs queued, then times `reminders_run` twice at the same moment: the
first (cold) queues everything due, the second (warm) must queue nothing new. Prints per rule
the rows its due query finds and the time of that query alone, the figures of both runs, and
the ratio to the target. `--explain` prints PostgreSQL's EXPLAIN (ANALYZE, BUFFERS) of every
rule's query. Sending is not timed: it waits on the providers, one message at a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time

from _setup import django_setup

# One run of the whole chain must finish well inside the five minutes between two runs.
TARGET_SECONDS = 60.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organization", default="Cadena Benchmark")
    parser.add_argument("--now", help="ISO datetime with offset (default: the clock)")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--keep", action="store_true", help="leave the queued reminders")
    args = parser.parse_args()
    django_setup()

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from vetrisys.accounts.models import Organization
    from vetrisys.notifications.models import Message, ReminderRule
    from vetrisys.notifications.reminders import _RunContext, candidates, reminders_run
    from vetrisys.notifications.rules import offset_text, rules_create_recommended

    organization = Organization.objects.filter(name=args.organization).first()
    if organization is None:
        sys.stderr.write(f"no organization {args.organization!r}: run bench/generate.py\n")
        return 2
    now = dt.datetime.fromisoformat(args.now) if args.now else timezone.now()
    if not ReminderRule.objects.filter(organization=organization).exists():
        rules_create_recommended(organization=organization)
    reminders = Message.objects.filter(organization=organization, rule__isnull=False)
    removed, _detail = reminders.delete()
    rules = list(ReminderRule.objects.filter(organization=organization, is_active=True))
    out = sys.stdout.write
    out(f"{organization.name} at {now.isoformat()}: {len(rules)} rules ({removed} rows removed)\n")
    with connection.cursor() as cursor:
        for table in ("patients_patient", "vaccinations_vaccination", "scheduling_appointment",
                      "records_visit", "clients_client"):  # fmt: skip
            cursor.execute(f"SELECT count(*) FROM {table}")
            out(f"  {table}: {cursor.fetchone()[0]:,}\n")

    run = _RunContext()
    run.load([organization.pk])
    out("\nper rule: rows due, time of the due query alone (COUNT)\n")
    for rule in sorted(rules, key=lambda r: (r.trigger, r.offset_minutes)):
        query = candidates(rule, now, run)
        started = time.perf_counter()
        count = query.count()
        elapsed = time.perf_counter() - started
        when = offset_text(rule.offset_minutes)
        out(f"  {rule.trigger:14} {when:22} {count:8,} rows  {elapsed * 1000:8.1f} ms\n")
        if args.explain and connection.vendor == "postgresql":
            out(query.explain(analyze=True, buffers=True) + "\n\n")

    figures = []
    for label in ("cold", "warm"):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            summary = reminders_run(now=now, organization=organization)
            elapsed = time.perf_counter() - started
        figures.append(elapsed)
        out(
            f"\n{label}: {elapsed:.2f} s, {len(queries)} queries, queued {summary.total_queued:,}"
            f" {dict(sorted(summary.queued.items()))}, cancelled {summary.total_cancelled}\n"
        )
    out(
        f"\ntarget {TARGET_SECONDS:.0f} s for one run of the chain: cold {figures[0]:.2f} s "
        f"(ratio {figures[0] / TARGET_SECONDS:.3f}), warm {figures[1]:.2f} s "
        f"(ratio {figures[1] / TARGET_SECONDS:.3f})\n"
    )
    if not args.keep:
        reminders.delete()
    return 0


if __name__ == "__main__":
    sys.exit(main())
