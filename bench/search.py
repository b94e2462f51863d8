"""Owner search on the generated chain: the selector against the bare SQL of the same lookup.

    python bench/search.py --runs 50

For each kind of query a receptionist types, runs the `client_search` selector (first page of
20, as the list shows it) and the minimal hand-written SQL for that one lookup, and prints the
median and p95 of both and the ratio selector / bare. Run `bench/generate.py` first.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from _setup import django_setup

PAGE = 20
_ORDER = "ORDER BY c.last_name, c.first_name, c.id LIMIT 20"
_CLIENTS = "SELECT c.id, c.first_name, c.last_name FROM clients_client c"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def _samples(org_id: Any, runs: int, seed: int) -> dict[str, list[tuple[str, str, list[Any]]]]:
    """Per kind: (typed query, bare SQL, its parameters), drawn from the generated rows."""
    from django.db import connection

    from vetrisys.clients.models import Client, ClientPhone, ClientPhoneSuffix
    from vetrisys.core.fields import blind_index
    from vetrisys.core.text import normalize_search

    rng = random.Random(seed)
    org_param = Client._meta.get_field("organization").get_db_prep_value(org_id, connection)
    clients = list(
        Client.objects.filter(organization_id=org_id)
        .order_by("?")[: runs * 3]
        .values("last_name", "email", "document_number", "id")
    )
    phones = list(
        ClientPhone.objects.filter(organization_id=org_id, is_primary=True)
        .order_by("?")[:runs]
        .values_list("national_digits", "e164")
    )
    accented = [c for c in clients if normalize_search(c["last_name"]) != c["last_name"].lower()]
    active = "c.organization_id = %s AND c.is_active"
    # Phones, emails and documents are encrypted: the bare lookups use their keyed hashes.
    by_phone = (
        f"{_CLIENTS} WHERE {active} AND c.id IN (SELECT p.client_id FROM "
        "clients_clientphonesuffix s JOIN clients_clientphone p ON p.id = s.phone_id "
        f"WHERE s.organization_id = %s AND s.hash = %s) {_ORDER}"
    )

    def ending(digits: str) -> str:
        return ClientPhoneSuffix.hash_of(digits, org_id)

    def email_local(email: str) -> str:
        local = email.split("@")[0]
        return blind_index(Client, "email_local_hash", local, org_id, derived=True)

    by_name = f"{_CLIENTS} WHERE {active} AND c.search_name LIKE %s {_ORDER}"
    kinds: dict[str, list[tuple[str, str, list[Any]]]] = {
        "name fragment": [
            (name[:5], by_name, [org_param, f"%{normalize_search(name[:5])}%"])
            for name in (rng.choice(clients)["last_name"].split()[0] for _ in range(runs))
        ],
        "accented name": [
            (c["last_name"], by_name, [org_param, f"%{normalize_search(c['last_name'])}%"])
            for c in (rng.choice(accented) for _ in range(runs))
        ],
        "phone last 4": [
            (national[-4:], by_phone, [org_param, org_param, ending(national[-4:])])
            for national, _e164 in phones
        ],
        "phone +51": [
            (
                f"+51 {national[:3]}-{national[3:6]}-{national[6:]}",
                by_phone,
                [org_param, org_param, ending(e164[1:])],
            )
            for national, e164 in phones
        ],
        "email": [
            (
                c["email"].split("@")[0],
                f"{_CLIENTS} WHERE {active} AND c.email_local_hash = %s {_ORDER}",
                [org_param, email_local(c["email"])],
            )
            for c in [c for c in clients if c["email"]][:runs]
        ],
        "DNI": [
            (
                c["document_number"],
                f"{_CLIENTS} WHERE {active} AND c.document_hash = %s {_ORDER}",
                [org_param, blind_index(Client, "document_hash", c["document_number"], org_id)],
            )
            for c in clients[:runs]
        ],
    }
    if "patients_patient" in connection.introspection.table_names():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, microchip FROM patients_patient WHERE organization_id = %s "
                "AND microchip <> '' ORDER BY id LIMIT %s",
                [org_param, runs * 5],
            )
            pets = cursor.fetchall()
        pets = rng.sample(pets, min(runs, len(pets)))
        by_pet = (
            f"{_CLIENTS} WHERE {active} AND c.id IN (SELECT client_id FROM patients_patient "
            f"WHERE organization_id = %s AND search_name LIKE %s) {_ORDER}"
        )
        by_chip = (
            f"{_CLIENTS} WHERE {active} AND c.id IN (SELECT client_id FROM patients_patient "
            f"WHERE organization_id = %s AND microchip = %s) {_ORDER}"
        )
        kinds["pet name"] = [
            (name, by_pet, [org_param, org_param, f"%{normalize_search(name)}%"])
            for name, _ in pets
        ]
        kinds["microchip"] = [(chip, by_chip, [org_param, org_param, chip]) for _, chip in pets]
    return kinds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="queries per kind")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--organization", default="Cadena Benchmark")
    args = parser.parse_args(argv)

    django_setup()
    from django.db import connection

    from vetrisys.accounts.models import Organization, User
    from vetrisys.clients.models import Client
    from vetrisys.clients.selectors import client_search

    organization = Organization.objects.filter(name=args.organization).first()
    if organization is None:
        sys.stderr.write("No benchmark organization: run bench/generate.py first.\n")
        return 1
    actor = User.objects.filter(organization=organization, memberships__role__key="admin").first()
    owners = Client.objects.filter(organization=organization).count()
    sys.stdout.write(
        f"{connection.vendor}, {owners} owners, {args.runs} queries per kind "
        f"(first page of {PAGE}), times in ms\n\n"
    )
    header = f"{'kind':<15}{'median':>9}{'p95':>9}{'bare med':>10}{'bare p95':>10}{'ratio':>8}"
    sys.stdout.write(header + "\n")
    for kind, samples in _samples(organization.pk, args.runs, args.seed).items():
        if not samples:
            continue
        selector_ms, bare_ms = [], []
        for query, sql, params in samples:

            def run_selector(query: str = query) -> None:
                list(client_search(actor=actor, q=query)[:PAGE])

            def run_bare(sql: str = sql, params: list[Any] = params) -> None:
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    cursor.fetchall()

            run_selector()  # warm the caches the same way for both
            run_bare()
            selector_ms.append(_timed(run_selector))
            bare_ms.append(_timed(run_bare))
        median, bare_median = statistics.median(selector_ms), statistics.median(bare_ms)
        sys.stdout.write(
            f"{kind:<15}{median:>9.2f}{_percentile(selector_ms, 0.95):>9.2f}"
            f"{bare_median:>10.2f}{_percentile(bare_ms, 0.95):>10.2f}"
            f"{median / bare_median:>8.2f}\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
