"""Who an invoice line is attributed to: the vet who did the procedure it charges, or who
prescribed what it dispensed. Billing does not know procedures or prescriptions; the apps that
create charges register, in their AppConfig.ready(), how to find the vet of their sources:

    from vetrisys.billing import attribution
    attribution.register(CHARGE_SOURCE, procedure_vets)

A resolver takes the source ids of some charges and answers {source id: vet id} in one query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

Resolver = Callable[[list[Any]], dict[Any, Any]]

_RESOLVERS: dict[str, Resolver] = {}


def register(source: str, resolver: Resolver) -> None:
    """Find the vets of the charges whose source is `source` with `resolver`."""
    _RESOLVERS[source] = resolver


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
        if source in _RESOLVERS:
            by_source[source].append((line_id, source_id))
    found: dict[Any, Any] = {}
    for source, pairs in by_source.items():
        vets = _RESOLVERS[source]([source_id for _, source_id in pairs])
        for line_id, source_id in pairs:
            if vets.get(source_id) is not None:
                found[line_id] = vets[source_id]
    return found
