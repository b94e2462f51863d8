"""The plan PostgreSQL chooses for the owner search box, for one typed text.

    python bench/explain.py "quisp" [--count] [--page 20]

Prints the selector's SQL (first page, as the list shows it) and its EXPLAIN (ANALYZE,
BUFFERS); with --count, the plan of the paginator's COUNT too. Run `bench/generate.py` first.
"""

from __future__ import annotations

import argparse
import sys

from _setup import django_setup


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("query")
    parser.add_argument("--page", type=int, default=20, help="rows of the first page")
    parser.add_argument("--count", action="store_true", help="also the COUNT of all matches")
    parser.add_argument("--organization", default="Cadena Benchmark")
    args = parser.parse_args(argv)

    django_setup()
    from django.db import connection

    from vetrisys.accounts.models import Organization, User
    from vetrisys.clients.selectors import client_search

    organization = Organization.objects.filter(name=args.organization).first()
    if organization is None:
        sys.stderr.write("No benchmark organization: run bench/generate.py first.\n")
        return 1
    actor = User.objects.filter(organization=organization, memberships__role__key="admin").first()
    found = client_search(actor=actor, q=args.query)
    queries = [("page", found[: args.page].query)]
    if args.count:
        queries.append(("count", found.values("pk").order_by().query))
    for label, query in queries:
        sql, params = query.sql_with_params()
        if label == "count":
            sql = f"SELECT COUNT(*) FROM ({sql}) AS matches"
        sys.stdout.write(f"-- {label}\n{sql}\n\n")
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            sys.stdout.write("\n".join(row[0] for row in cursor.fetchall()) + "\n\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
