"""Day calendar and booking throughput on the generated chain schedule.

    python bench/schedule.py --runs 30 --bookings 200 --threads 4

1. `day_calendar` (by vet and by room) of the busiest recent day at one location, against the
   bare SQL that reads the same day's appointments with the joins the page shows (patient,
   species, owner, vet, room, type, location): median, p95 and the ratio selector / bare.
   `--explain` prints PostgreSQL's plan of the selector's appointment query and of the bare one.
2. Booking over HTTP: an authenticated Django test client POSTs /api/v1/appointments for the
   free slots (`free_slots`, 15-minute grid) of a working day beyond the generated range, in
   grid order, so a booked 30-minute slot makes the next start of that vet a 409. Sequential,
   then `--threads` clients at once (in-process, so the GIL is shared); bookings/s, p50/p95
   latency and the 409s. The bookings made are deleted afterwards (their audit rows stay).
Run `bench/generate.py` (or `bench/generate_schedule.py`) first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import statistics
import sys
import threading
import time
import warnings
from collections.abc import Callable
from typing import Any

from _setup import django_setup

BOOKED_TYPE = "Consulta general"
# The longest appointment (MAX_DURATION_MINUTES): anything that meets the day starts after this.
LONGEST = dt.timedelta(hours=24)
_BARE_DAY = """
SELECT a.*, p.*, s.*, c.*, u.*, r.*, t.*, l.*
FROM scheduling_appointment a
JOIN patients_patient p ON p.id = a.patient_id
JOIN patients_species s ON s.id = p.species_id
JOIN clients_client c ON c.id = a.client_id
JOIN accounts_user u ON u.id = a.vet_id
LEFT JOIN accounts_room r ON r.id = a.room_id
JOIN scheduling_appointmenttype t ON t.id = a.appointment_type_id
JOIN accounts_location l ON l.id = a.location_id
WHERE a.location_id = %s AND a.starts_at >= %s AND a.starts_at < %s AND a.ends_at > %s
ORDER BY a.starts_at, a.id
"""


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def _busiest_recent_day(location: Any) -> dt.date:
    """The local day of the last eight weeks with the most appointments at the location."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (starts_at AT TIME ZONE %s)::date AS day, count(*) FROM scheduling_appointment"
            " WHERE location_id = %s AND starts_at >= now() - interval '56 days'"
            " AND starts_at < now() GROUP BY day ORDER BY count(*) DESC, day DESC LIMIT 1",
            [location.time_zone, location.pk],
        )
        found = cursor.fetchone()
    return found[0] if found else dt.date.today()  # noqa: DTZ011 (only without any data)


def _bench_calendar(actor: Any, location: Any, day: dt.date, runs: int, explain: bool) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from vetrisys.core import timeutil
    from vetrisys.scheduling.selectors import day_calendar

    start, end = timeutil.local_day_bounds(day, location.time_zone)
    bare_params = [location.pk, start - LONGEST, end, start]

    def run_bare() -> int:
        with connection.cursor() as cursor:
            cursor.execute(_BARE_DAY, bare_params)
            return len(cursor.fetchall())

    rows = run_bare()
    bare_ms = [_timed(run_bare) for _ in range(runs)]
    bare_median = statistics.median(bare_ms)
    sys.stdout.write(
        f"day calendar of {location.name} on {day} ({rows} appointments), {runs} runs, ms\n\n"
        f"{'group by':<10}{'queries':>8}{'median':>9}{'p95':>9}{'bare med':>10}{'bare p95':>10}"
        f"{'ratio':>8}\n"
    )
    slowest_sql = ""
    for group_by in ("vet", "room"):

        def run_selector(group_by: str = group_by) -> None:
            day_calendar(actor=actor, location=location, day=day, group_by=group_by)  # type: ignore[arg-type]

        with CaptureQueriesContext(connection) as captured:
            run_selector()
        slowest = max(captured.captured_queries, key=lambda q: float(q["time"]))
        slowest_sql = slowest["sql"]
        selector_ms = [_timed(run_selector) for _ in range(runs)]
        median = statistics.median(selector_ms)
        sys.stdout.write(
            f"{group_by:<10}{len(captured.captured_queries):>8}{median:>9.1f}"
            f"{_percentile(selector_ms, 0.95):>9.1f}{bare_median:>10.1f}"
            f"{_percentile(bare_ms, 0.95):>10.1f}{median / bare_median:>8.2f}\n"
        )
    if explain and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for title, sql, params in (
                ("selector's slowest query", slowest_sql, None),
                ("bare", _BARE_DAY, bare_params),
            ):
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                plan = "\n".join(f"  {line}" for (line,) in cursor.fetchall())
                sys.stdout.write(f"\n{title}:\n  {sql.strip()[:400]}\n{plan}\n")


def _free_day(location: Any) -> dt.date:
    """The first Monday after the generated appointments of the location end."""
    from vetrisys.scheduling.models import Appointment

    last = Appointment.objects.filter(location=location).order_by("-starts_at").first()
    day = (last.starts_at.date() if last else dt.date.today()) + dt.timedelta(days=7)  # noqa: DTZ011
    return day + dt.timedelta(days=-day.weekday() % 7)


def _book_all(
    slots: list[Any],
    *,
    admin: Any,
    location: Any,
    appointment_type: Any,
    patients: list[Any],
    threads: int,
) -> tuple[list[float], list[int], list[str], float]:
    """POST every slot (shared queue, `threads` clients); latencies, statuses, ids, seconds."""
    from django.db import connection
    from django.test import Client

    queue = list(enumerate(slots))
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: list[int] = []
    created: list[str] = []

    def worker() -> None:
        client = Client(HTTP_HOST="localhost")
        client.force_login(admin)
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    index, slot = queue.pop(0)
                body = {
                    "location": str(location.pk),
                    "patient": str(patients[index % len(patients)]),
                    "vet": str(slot.vet.pk),
                    "appointment_type": str(appointment_type.pk),
                    "starts_at": slot.starts_at.isoformat(),
                }
                started = time.perf_counter()
                response = client.post(
                    "/api/v1/appointments", json.dumps(body), content_type="application/json"
                )
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    latencies.append(elapsed)
                    statuses.append(response.status_code)
                    if response.status_code == 201:
                        created.append(response.json()["id"])
        finally:
            connection.close()

    started = time.perf_counter()
    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return latencies, statuses, created, time.perf_counter() - started


def _bench_booking(admin: Any, location: Any, bookings: int, threads: int) -> None:
    from vetrisys.patients.models import Patient
    from vetrisys.scheduling.availability import free_slots
    from vetrisys.scheduling.models import Appointment, AppointmentType

    appointment_type = AppointmentType.objects.get(
        organization_id=location.organization_id, name=BOOKED_TYPE
    )
    day = _free_day(location)
    slots = free_slots(location=location, appointment_type=appointment_type, day=day)[:bookings]
    patients = list(
        Patient.objects.filter(organization_id=location.organization_id, deceased_on__isnull=True)
        .order_by("id")
        .values_list("id", flat=True)[: len(slots)]
    )
    sys.stdout.write(
        f"\nbooking {BOOKED_TYPE} at {location.name} on {day}: {len(slots)} free 15-minute "
        f"starts posted in grid order, ms\n\n"
        f"{'clients':<9}{'requests':>9}{'201':>6}{'409':>6}{'other':>7}{'req/s':>8}"
        f"{'booked/s':>10}{'p50':>8}{'p95':>8}\n"
    )
    for clients in sorted({1, threads}):
        latencies, statuses, created, seconds = _book_all(
            slots,
            admin=admin,
            location=location,
            appointment_type=appointment_type,
            patients=patients,
            threads=clients,
        )
        Appointment.objects.filter(pk__in=created).delete()
        booked, taken = statuses.count(201), statuses.count(409)
        sys.stdout.write(
            f"{clients:<9}{len(statuses):>9}{booked:>6}{taken:>6}"
            f"{len(statuses) - booked - taken:>7}{len(statuses) / seconds:>8.1f}"
            f"{booked / seconds:>10.1f}{statistics.median(latencies):>8.1f}"
            f"{_percentile(latencies, 0.95):>8.1f}\n"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="day calendars per grouping")
    parser.add_argument("--bookings", type=int, default=200, help="slots to post (0: none)")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--location", help="location name (default: the first one)")
    parser.add_argument("--day", type=dt.date.fromisoformat, help="default: busiest recent day")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--organization", default="Cadena Benchmark")
    args = parser.parse_args(argv)

    django_setup()
    from django.db import connection

    from vetrisys.accounts.models import Location, Organization, User

    # Each 409 is logged as a warning, and the static root need not exist here.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message="No directory at")
    from vetrisys.scheduling.models import Appointment

    organization = Organization.objects.filter(name=args.organization).first()
    if organization is None or not Appointment.objects.filter(organization=organization).exists():
        sys.stderr.write("No benchmark schedule: run bench/generate_schedule.py first.\n")
        return 1
    admin = User.objects.filter(
        organization=organization, memberships__role__key="admin", is_active=True
    ).first()
    locations = Location.objects.filter(organization=organization).order_by("created_at", "id")
    location = locations.filter(name=args.location).first() if args.location else locations[0]
    if location is None:
        sys.stderr.write(f"No location {args.location!r}.\n")
        return 1
    total = Appointment.objects.filter(organization=organization).count()
    sys.stdout.write(f"{connection.vendor}, {total} appointments\n")
    day = args.day or _busiest_recent_day(location)
    _bench_calendar(admin, location, day, args.runs, args.explain)
    if args.bookings:
        _bench_booking(admin, location, args.bookings, args.threads)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
