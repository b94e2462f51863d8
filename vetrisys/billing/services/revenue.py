"""Revenue shares (`RevenueShare`): what each invoice, payment and credit note puts on each line
of its invoice, so revenue by vet or by service is a sum over one table.

The services that issue, void, pay and credit call `shares_*` in their own transaction. The
shares of a document are computed once, when it is written: its amount is shared among the
invoice's lines in proportion to their totals with cumulative rounding, each line getting
round(A x running / T) - round(A x previous running / T), so they add up to the document to the
cent. A line keeps the vet it had when the invoice was issued.

`revenue_shares_rebuild` writes them again from the documents (data dated by hand, repairs, the
migration that introduced them) and `revenue_shares_verify` compares them with the documents.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection, transaction

from vetrisys.billing import attribution
from vetrisys.billing.models import (
    ZERO,
    Charge,
    CreditNote,
    Invoice,
    InvoiceLine,
    Payment,
    RevenueShare,
)

CENT = Decimal("0.01")
Kind = RevenueShare.Kind
AMOUNTS = ("invoiced", "credited", "collected", "outstanding")


def split(amount: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """`amount` shared in proportion to `weights` with cumulative rounding (half up, to the
    cent): the parts add up to `amount` exactly. Nothing to share without weight."""
    total = sum(weights, ZERO)
    if not total:
        return [ZERO for _ in weights]
    parts: list[Decimal] = []
    running = ZERO
    before = ZERO
    for weight in weights:
        running += weight
        after = (amount * running / total).quantize(CENT, rounding=ROUND_HALF_UP)
        parts.append(after - before)
        before = after
    return parts


@dataclass(frozen=True)
class _Line:
    line_id: Any
    product_id: Any
    vet_id: Any
    weight: Decimal


@dataclass
class _Basis:
    """An issued invoice as its shares need it: where, when, and its lines in order."""

    invoice_id: Any
    organization_id: Any
    location_id: Any
    issued_at: Any
    lines: list[_Line] = field(default_factory=list)


def _rows(
    basis: _Basis, kind: int, document_id: Any, occurred_at: Any, **amounts: Decimal
) -> list[RevenueShare]:
    weights = [line.weight for line in basis.lines]
    parts = {name: split(amounts.get(name, ZERO), weights) for name in AMOUNTS}
    rows = []
    for index, line in enumerate(basis.lines):
        values = {name: parts[name][index] for name in AMOUNTS}
        if not any(values.values()):
            continue
        rows.append(
            RevenueShare(
                organization_id=basis.organization_id,
                location_id=basis.location_id,
                invoice_id=basis.invoice_id,
                line_id=line.line_id,
                kind=kind,
                document_id=document_id,
                vet_id=line.vet_id,
                product_id=line.product_id,
                occurred_at=occurred_at,
                invoice_issued_at=basis.issued_at,
                **values,
            )
        )
    return rows


def _issue_rows(basis: _Basis, total: Decimal) -> list[RevenueShare]:
    return _rows(
        basis, Kind.ISSUE, basis.invoice_id, basis.issued_at, invoiced=total, outstanding=total
    )


def _void_rows(issued: list[RevenueShare]) -> list[RevenueShare]:
    """The issue's rows negated, at the issue's instant: a void invoice counts in no period."""
    return [
        RevenueShare(
            organization_id=row.organization_id,
            location_id=row.location_id,
            invoice_id=row.invoice_id,
            line_id=row.line_id,
            kind=Kind.VOID,
            document_id=row.invoice_id,
            vet_id=row.vet_id,
            product_id=row.product_id,
            occurred_at=row.occurred_at,
            invoice_issued_at=row.invoice_issued_at,
            **{name: -getattr(row, name) for name in AMOUNTS},
        )
        for row in issued
    ]


def _payment_rows(basis: _Basis, payment: Any) -> list[RevenueShare]:
    """Collected: the whole amount received; owed: less what was applied to the invoice."""
    return _rows(
        basis,
        Kind.PAYMENT,
        payment.id,
        payment.received_at,
        collected=payment.amount,
        outstanding=-(payment.amount - payment.kept_as_credit),
    )


def _credit_note_rows(basis: _Basis, note: Any) -> list[RevenueShare]:
    """Credited: the note's amount; collected: less what it refunded; owed: less what it took
    off the balance."""
    return _rows(
        basis,
        Kind.CREDIT_NOTE,
        note.id,
        note.issued_at,
        credited=note.amount,
        collected=-note.refunded_amount,
        outstanding=-note.applied_to_balance,
    )


def _bases(invoices: Sequence[Invoice], *, with_vets: bool = True) -> dict[Any, _Basis]:
    """The bases of issued invoices from their lines (one query, and the vets' queries)."""
    bases = {
        invoice.pk: _Basis(
            invoice_id=invoice.pk,
            organization_id=invoice.organization_id,
            location_id=invoice.location_id,
            issued_at=invoice.issued_at,
        )
        for invoice in invoices
    }
    if not bases:
        return bases
    lines = list(
        InvoiceLine.objects.filter(invoice_id__in=list(bases))
        .order_by("invoice_id", "position", "id")
        .values_list("id", "invoice_id", "product_id", "total_amount")
    )
    vets = attribution.line_vets(line[0] for line in lines) if with_vets else {}
    for line_id, invoice_id, product_id, total in lines:
        bases[invoice_id].lines.append(_Line(line_id, product_id, vets.get(line_id), total))
    return bases


def _issued_basis(invoice: Invoice) -> tuple[_Basis, list[RevenueShare]]:
    """The basis of an invoice from its issue's rows (one query): the lines keep the vet they
    had when it was issued."""
    issued = list(
        RevenueShare.objects.filter(invoice_id=invoice.pk, kind=Kind.ISSUE).order_by(
            "line__position", "line_id"
        )
    )
    basis = _Basis(
        invoice_id=invoice.pk,
        organization_id=invoice.organization_id,
        location_id=invoice.location_id,
        issued_at=invoice.issued_at,
        lines=[_Line(r.line_id, r.product_id, r.vet_id, r.invoiced) for r in issued],
    )
    if issued:
        basis.issued_at = issued[0].invoice_issued_at
    return basis, issued


def shares_issue(invoice: Invoice) -> None:
    """The shares of an invoice being issued (in the issuing transaction)."""
    basis = _bases([invoice])[invoice.pk]
    RevenueShare.objects.bulk_create(_issue_rows(basis, invoice.total))


def shares_void(invoice: Invoice) -> None:
    """The issue's shares taken back (in the voiding transaction)."""
    _, issued = _issued_basis(invoice)
    RevenueShare.objects.bulk_create(_void_rows(issued))


def shares_payment(invoice: Invoice, payment: Payment) -> None:
    """The shares of a payment just recorded against `invoice`."""
    basis, _ = _issued_basis(invoice)
    RevenueShare.objects.bulk_create(_payment_rows(basis, payment))


def shares_credit_note(invoice: Invoice, note: CreditNote) -> None:
    """The shares of a credit note just issued against `invoice`."""
    basis, _ = _issued_basis(invoice)
    RevenueShare.objects.bulk_create(_credit_note_rows(basis, note))


def _expected(invoices: Sequence[Invoice], *, with_vets: bool = True) -> list[RevenueShare]:
    """The shares the documents of these issued invoices give (four queries and the vets')."""
    bases = _bases(invoices, with_vets=with_vets)
    ids = list(bases)
    rows: list[RevenueShare] = []
    for invoice in invoices:
        issued = _issue_rows(bases[invoice.pk], invoice.total)
        rows += issued
        if invoice.status == Invoice.Status.VOID:
            rows += _void_rows(issued)
    for payment in Payment.objects.filter(invoice_id__in=ids).only(
        "id", "invoice_id", "amount", "kept_as_credit", "received_at"
    ):
        rows += _payment_rows(bases[payment.invoice_id], payment)
    for note in CreditNote.objects.filter(invoice_id__in=ids).only(
        "id", "invoice_id", "amount", "refunded_amount", "applied_to_balance", "issued_at"
    ):
        rows += _credit_note_rows(bases[note.invoice_id], note)
    return rows


# On PostgreSQL the rebuild and the check are set-based: the same sharing in SQL over a batch
# of invoices (numeric arithmetic, exact; round() is half away from zero like ROUND_HALF_UP),
# tested equal to what the services write.
_SHARE = (
    "ROUND((d.{col} * ln.running)::numeric(60, 20) / ln.weights, 2)"
    " - ROUND((d.{col} * (ln.running - ln.weight))::numeric(60, 20) / ln.weights, 2)"
)


def _expected_sql(*, with_vets: bool) -> tuple[str, list[Any]]:
    """A SELECT of the shares the documents of some invoices give, in the columns of the table
    (without its id); its parameters are the invoice ids (an array), then the ones returned."""
    vets, params = attribution.vets_sql() if with_vets else ("", [])
    vet_join = (
        f"""LEFT JOIN {Charge._meta.db_table} ch ON ch.invoice_line_id = ln.line_id
            LEFT JOIN ({vets}) AS v ON v.source = ch.source AND v.source_id = ch.source_id"""
        if with_vets
        else ""
    )
    invoice, line = Invoice._meta.db_table, InvoiceLine._meta.db_table
    payment, note = Payment._meta.db_table, CreditNote._meta.db_table
    shares = ", ".join(f"{_SHARE.format(col=name)} AS {name}" for name in AMOUNTS)
    sql = f"""
        WITH inv AS (
            SELECT id, organization_id, location_id, issued_at, status, total FROM {invoice}
            WHERE id = ANY(%s) AND issued_at IS NOT NULL AND status <> 'draft'
        ), ln AS (
            SELECT l.id AS line_id, l.invoice_id, l.product_id, l.total_amount AS weight,
                   SUM(l.total_amount) OVER (
                       PARTITION BY l.invoice_id ORDER BY l.position, l.id
                       ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running,
                   SUM(l.total_amount) OVER (PARTITION BY l.invoice_id) AS weights
            FROM {line} l JOIN inv ON inv.id = l.invoice_id
        ), d AS (
            SELECT id AS invoice_id, {Kind.ISSUE} AS kind, id AS document_id,
                   issued_at AS occurred_at, total AS invoiced, 0 AS credited,
                   0 AS collected, total AS outstanding
            FROM inv
            UNION ALL
            SELECT id, {Kind.VOID}, id, issued_at, -total, 0, 0, -total
            FROM inv WHERE status = 'void'
            UNION ALL
            SELECT p.invoice_id, {Kind.PAYMENT}, p.id, p.received_at, 0, 0, p.amount,
                   -(p.amount - p.kept_as_credit)
            FROM {payment} p JOIN inv ON inv.id = p.invoice_id
            UNION ALL
            SELECT n.invoice_id, {Kind.CREDIT_NOTE}, n.id, n.issued_at, 0, n.amount,
                   -n.refunded_amount, -n.applied_to_balance
            FROM {note} n JOIN inv ON inv.id = n.invoice_id
        ), s AS (
            SELECT inv.organization_id, inv.location_id, d.invoice_id, ln.line_id, d.kind,
                   d.document_id, {"v.vet_id" if with_vets else "NULL::uuid"} AS vet_id,
                   ln.product_id, d.occurred_at, inv.issued_at AS invoice_issued_at, {shares}
            FROM d
            JOIN inv ON inv.id = d.invoice_id
            JOIN ln ON ln.invoice_id = d.invoice_id AND ln.weights > 0
            {vet_join}
        )
        SELECT * FROM s
        WHERE invoiced <> 0 OR credited <> 0 OR collected <> 0 OR outstanding <> 0
    """
    return sql, params


_COLUMNS = (
    "organization_id, location_id, invoice_id, line_id, kind, document_id, vet_id, "
    "product_id, occurred_at, invoice_issued_at, invoiced, credited, collected, outstanding"
)


def _rebuild_sql(invoice_ids: list[Any]) -> int:
    sql, params = _expected_sql(with_vets=True)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {RevenueShare._meta.db_table} WHERE invoice_id = ANY(%s)", [invoice_ids]
        )
        cursor.execute(
            f"INSERT INTO {RevenueShare._meta.db_table} ({_COLUMNS}) {sql}",
            [invoice_ids, *params],
        )
        return int(cursor.rowcount)


def _differing_sql(invoice_ids: list[Any]) -> list[Any]:
    """The invoices among these whose stored shares are not exactly the expected ones (as
    multisets of rows, the vet aside)."""
    sql, params = _expected_sql(with_vets=False)
    compared = _COLUMNS.replace("vet_id, ", "")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH expected AS (SELECT {compared} FROM ({sql}) e),
            stored AS (
                SELECT {compared} FROM {RevenueShare._meta.db_table}
                WHERE invoice_id = ANY(%s)
            )
            SELECT invoice_id FROM (
                (SELECT * FROM expected EXCEPT ALL SELECT * FROM stored)
                UNION ALL
                (SELECT * FROM stored EXCEPT ALL SELECT * FROM expected)
            ) AS difference
            GROUP BY invoice_id ORDER BY invoice_id
            """,
            [invoice_ids, *params, invoice_ids],
        )
        return [row[0] for row in cursor.fetchall()]


def _in_sql() -> bool:
    return bool(connection.vendor == "postgresql")


def _issued_batches(
    *, invoice_ids: Sequence[Any] | None, organization_id: Any, batch_size: int
) -> Iterator[list[Invoice]]:
    invoices = (
        Invoice.objects.filter(issued_at__isnull=False)
        .exclude(status=Invoice.Status.DRAFT)
        .only("id", "organization_id", "location_id", "issued_at", "status", "total")
        .order_by("pk")
    )
    if invoice_ids is not None:
        invoices = invoices.filter(pk__in=list(invoice_ids))
    if organization_id is not None:
        invoices = invoices.filter(organization_id=organization_id)
    after = None
    while True:
        page = invoices if after is None else invoices.filter(pk__gt=after)
        batch = list(page[:batch_size])
        if not batch:
            return
        yield batch
        after = batch[-1].pk


def revenue_shares_rebuild(
    *,
    invoice_ids: Sequence[Any] | None = None,
    organization_id: Any = None,
    batch_size: int | None = None,
) -> int:
    """Write the shares of these invoices (or all) again from their documents, a batch per
    transaction; the lines get today's vets. Returns the number of rows written."""
    written = 0
    for batch in _issued_batches(
        invoice_ids=invoice_ids,
        organization_id=organization_id,
        batch_size=batch_size or (20_000 if _in_sql() else 500),
    ):
        with transaction.atomic():
            if _in_sql():
                written += _rebuild_sql([i.pk for i in batch])
                continue
            RevenueShare.objects.filter(invoice_id__in=[i.pk for i in batch]).delete()
            rows = _expected(batch)
            RevenueShare.objects.bulk_create(rows, batch_size=2000)
            written += len(rows)
    return written


def _signature(row: RevenueShare) -> tuple[Any, ...]:
    return (
        str(row.invoice_id),
        str(row.line_id),
        int(row.kind),
        str(row.document_id),
        str(row.location_id),
        str(row.product_id),
        row.occurred_at,
        row.invoice_issued_at,
        *(Decimal(getattr(row, name)).quantize(CENT) for name in AMOUNTS),
    )


def revenue_shares_verify(
    *, organization_id: Any = None, batch_size: int | None = None
) -> list[Any]:
    """The ids of the issued invoices whose shares differ from what their documents give
    (amounts, dates, place, service; the vet is the one of the issue and is not compared)."""
    differing: list[Any] = []
    for batch in _issued_batches(
        invoice_ids=None,
        organization_id=organization_id,
        batch_size=batch_size or (20_000 if _in_sql() else 1000),
    ):
        if _in_sql():
            differing += _differing_sql([i.pk for i in batch])
            continue
        expected: dict[str, Counter[tuple[Any, ...]]] = {str(i.pk): Counter() for i in batch}
        for row in _expected(batch, with_vets=False):
            expected[str(row.invoice_id)][_signature(row)] += 1
        stored: dict[str, Counter[tuple[Any, ...]]] = {str(i.pk): Counter() for i in batch}
        for row in RevenueShare.objects.filter(invoice_id__in=[i.pk for i in batch]):
            stored[str(row.invoice_id)][_signature(row)] += 1
        differing += [i.pk for i in batch if expected[str(i.pk)] != stored[str(i.pk)]]
    return differing
