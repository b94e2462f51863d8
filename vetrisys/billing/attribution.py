"""Who an invoice line is attributed to: the vet who did the procedure it charges, or who
prescribed what it dispensed. Billing does not know procedures or prescriptions; the apps that
create charges register, in their AppConfig.ready(), a query of the vets of their sources:

    from vetrisys.billing import attribution
    attribution.register(
        CHARGE_SOURCE, lambda: Procedure.objects.values_list("id", "visit__vet_id")
    )

The query gives (source id, vet id) pairs: filtered by id for a few lines, or used whole as a
subquery when the revenue shares of many invoices are rebuilt in SQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import QuerySet

VetsQuery = Callable[[], QuerySet[Any, tuple[Any, Any]]]

_QUERIES: dict[str, VetsQuery] = {}


def register(source: str, query: VetsQuery) -> None:
    """Find the vets of the charges whose source is `source` with `query()`, a values_list of
    (source id, vet id)."""
    _QUERIES[source] = query


def line_vets(line_ids: Iterable[Any]) -> dict[Any, Any]:
    """{invoice line id: vet id} for the lines whose charge has a vet (one query for the
    charges, one per kind of source among them)."""
    from vetrisys.billing.models import Charge

    ids = list(line_ids)
    if not ids:
        return {}
    by_source: dict[str, list[tuple[Any, Any]]] = defaultdict(list)
    for line_id, source, source_id in Charge.objects.filter(invoice_line_id__in=ids).values_list(
        "invoice_line_id", "source", "source_id"
    ):
        if source in _QUERIES:
            by_source[source].append((line_id, source_id))
    found: dict[Any, Any] = {}
    for source, pairs in by_source.items():
        vets = dict(_QUERIES[source]().filter(pk__in=[source_id for _, source_id in pairs]))
        for line_id, source_id in pairs:
            if vets.get(source_id) is not None:
                found[line_id] = vets[source_id]
    return found


def vets_sql() -> tuple[str, list[Any]]:
    """A subquery of (source, source_id, vet_id) over every registered source, and its
    parameters (for the rebuild in SQL)."""
    parts: list[str] = []
    params: list[Any] = []
    for source, query in sorted(_QUERIES.items()):
        sql, query_params = query().order_by().query.sql_with_params()
        parts.append(f"SELECT %s AS source, q.* FROM ({sql}) AS q (source_id, vet_id)")
        params += [source, *query_params]
    if not parts:
        return "SELECT NULL::varchar AS source, NULL::uuid AS source_id, NULL::uuid AS vet_id", []
    return " UNION ALL ".join(parts), params
