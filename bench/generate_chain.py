"""Chain-scale data for the reports and dashboards: 20 locations and 10 years of appointments,
invoices with lines, payments, stock movements and vaccinations, generated in SQL.

    python bench/generate_chain.py --seed 7 --years 10          # PostgreSQL only; minutes

Makes its own organization ("Cadena Reportes", admin `chain_admin`) in the database of
DATABASE_URL (a fresh `vetrisys_chain` is the intent): owners and pets through `generate.py`'s
steps (bulk inserts), locations, rooms, vets with shifts and appointment types through
`generate_schedule.py`'s, then every large table with `INSERT … SELECT` over
`generate_series`, so PostgreSQL makes the rows itself. Random choices are `hashint8` of the
row's numbers plus the seed: the same seed gives the same data (ids are UUIDv7-shaped, built
from the row's time and number). Per location and day (not Sundays): ~36 appointments
(three vets, back to back), ~40 invoices of one to three lines (a service first), their
payments, ~6 vaccinations; per location, product and month a receipt and four dispenses.

The billing and vaccination steps are also `GENERATORS` steps of `generate.py`, where they
run on the organization that script made.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import sys
import time
from collections.abc import Iterator
from typing import Any

from _setup import django_setup

ORGANIZATION = "Cadena Reportes"
ADMIN = "chain_admin"
INVOICES_PER_DAY = 40
VACCINATIONS_PER_DAY = 6
STOCKED_PRODUCTS = 150

SERVICES = [
    ("Consulta general", "60.00"), ("Consulta de control", "40.00"),
    ("Consulta de urgencia", "120.00"), ("Vacunación (aplicación)", "25.00"),
    ("Desparasitación", "30.00"), ("Ecografía abdominal", "150.00"), ("Radiografía", "110.00"),
    ("Hemograma", "70.00"), ("Perfil bioquímico", "140.00"), ("Cirugía menor", "350.00"),
    ("Esterilización canina", "450.00"), ("Esterilización felina", "280.00"),
    ("Profilaxis dental", "220.00"), ("Baño y corte", "55.00"), ("Hospitalización (día)", "180.00"),
    ("Curación", "45.00"), ("Certificado de salud", "50.00"), ("Microchip (implante)", "90.00"),
]  # fmt: skip
VACCINES = [
    ("Vacuna séxtuple canina", "55.00"), ("Vacuna antirrábica", "35.00"),
    ("Vacuna triple felina", "50.00"), ("Vacuna leucemia felina", "65.00"),
    ("Vacuna tos de las perreras", "48.00"),
]  # fmt: skip
GOODS_KINDS = ["medication", "medication", "food", "supply"]

# A UUIDv7 from a time and a row number unique within the run (48 bits of milliseconds, the
# version nibble, 12 + 62 bits of the number, the RFC 4122 variant).
UUID7_SQL = """
CREATE FUNCTION pg_temp.uuid7(at timestamptz, n bigint) RETURNS uuid
LANGUAGE sql IMMUTABLE AS $$
  SELECT (lpad(to_hex((extract(epoch FROM at) * 1000)::bigint), 12, '0')
          || '7' || lpad(to_hex((n >> 50) & 4095), 3, '0')
          || to_hex(8 + ((n >> 48) & 3))
          || lpad(to_hex(n & 281474976710655), 15, '0'))::uuid
$$;
CREATE FUNCTION pg_temp.pick(n bigint, salt bigint, m bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$ SELECT abs(hashint8(n * 1000003 + salt)::bigint) % m $$;
"""


def _execute(sql: str, params: dict[str, Any] | None = None) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


@contextlib.contextmanager
def _indexes_dropped(*tables: str) -> Iterator[None]:
    """Drop the tables' plain indexes (not those of constraints) and build them again after
    the load: one sort per index instead of millions of insertions."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT i.indexname, i.indexdef FROM pg_indexes i
               WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                                 WHERE c.conindid = (quote_ident(i.schemaname) || '.'
                                                     || quote_ident(i.indexname))::regclass)""",
            [list(tables)],
        )
        found = cursor.fetchall()
        for name, _definition in found:
            cursor.execute(f'DROP INDEX "{name}"')
    if not tables:
        yield
        return
    try:
        yield
    finally:
        at = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '256MB'")
            for _name, definition in found:
                cursor.execute(definition)
        _say(
            f"  {len(found)} indexes of {', '.join(tables)} built in "
            f"{time.perf_counter() - at:.1f} s"
        )


def _span(ctx: Any) -> tuple[dt.date, dt.date]:
    """The first and last generated day: `years` back from yesterday to yesterday."""
    last = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    first = last - dt.timedelta(days=round(365.25 * ctx.years))
    return first, last


def _prepare(ctx: Any) -> None:
    """Temporary helper functions and tables every later statement reads (one connection)."""
    from vetrisys.accounts.models import User
    from vetrisys.scheduling.models import AppointmentType

    _execute("DROP FUNCTION IF EXISTS pg_temp.uuid7(timestamptz, bigint)")
    _execute("DROP FUNCTION IF EXISTS pg_temp.pick(bigint, bigint, bigint)")
    _execute(UUID7_SQL)
    _execute("DROP TABLE IF EXISTS b_loc, b_vet, b_pet, b_service, b_goods, b_vaccine")
    from generate_schedule import LOCATIONS, _desks

    ctx.locations = LOCATIONS
    desks, _types = _desks(ctx.organization)  # locations, rooms, vets and their shifts
    _execute(
        """CREATE TEMP TABLE b_loc AS
           SELECT (row_number() OVER (ORDER BY created_at, id) - 1)::int AS idx,
                  id, time_zone, currency
           FROM accounts_location WHERE organization_id = %(org)s
           ORDER BY created_at, id LIMIT %(n)s""",
        {"org": ctx.organization.pk, "n": ctx.locations},
    )
    _execute(
        """CREATE TEMP TABLE b_vet (loc int, nth int, vet_id uuid, room_id uuid, start_hour int)"""
    )
    per_location: dict[Any, int] = {}
    rows = []
    for desk in desks:
        nth = per_location.get(desk.location_id, 0)
        per_location[desk.location_id] = nth + 1
        hour = desk.weekday_start.hour
        rows.append((desk.location_id, nth, desk.vet_id, desk.exam_room_id, hour))
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.executemany(
            """INSERT INTO b_vet SELECT l.idx, %s, %s, %s, %s FROM b_loc l WHERE l.id = %s""",
            [(nth, vet, room, hour, loc) for loc, nth, vet, room, hour in rows],
        )
    _execute(
        """CREATE TEMP TABLE b_pet AS
           SELECT (row_number() OVER (ORDER BY id) - 1)::bigint AS idx, id, client_id
           FROM patients_patient WHERE organization_id = %(org)s""",
        {"org": ctx.organization.pk},
    )
    _execute("CREATE INDEX ON b_pet (idx)")
    _products(ctx)
    for table, kinds in (
        ("b_service", "('service')"),
        ("b_vaccine", "('vaccine')"),
        ("b_goods", "('medication', 'food', 'supply')"),
    ):
        _execute(
            f"""CREATE TEMP TABLE {table} AS
                SELECT (row_number() OVER (ORDER BY name) - 1)::int AS idx, id, name,
                       sale_price, tax_rate
                FROM inventory_product
                WHERE organization_id = %(org)s AND kind IN {kinds}""",
            {"org": ctx.organization.pk},
        )
    ctx.admin_id = (
        User.objects.filter(organization=ctx.organization, memberships__role__key="admin")
        .values_list("pk", flat=True)
        .first()
    )
    ctx.type_id = AppointmentType.objects.get(
        organization=ctx.organization, name="Consulta general"
    ).pk
    _execute("ANALYZE b_loc; ANALYZE b_vet; ANALYZE b_pet")


def _products(ctx: Any) -> None:
    from decimal import Decimal

    from vetrisys.inventory.models import Product

    have = set(Product.objects.filter(organization=ctx.organization).values_list("name", flat=True))
    rows = [
        Product(organization=ctx.organization, name=name, search_name=name.lower(),
                kind="service", unit="session", sale_price=Decimal(price))
        for name, price in SERVICES
    ] + [
        Product(organization=ctx.organization, name=name, search_name=name.lower(),
                kind="vaccine", unit="dose", sale_price=Decimal(price))
        for name, price in VACCINES
    ] + [
        Product(organization=ctx.organization, name=f"Artículo {n:03d}",
                search_name=f"articulo {n:03d}", kind=GOODS_KINDS[n % len(GOODS_KINDS)],
                unit="unit", sale_price=Decimal(5 + (n * 37) % 120) + Decimal("0.90"))
        for n in range(STOCKED_PRODUCTS - len(VACCINES))
    ]  # fmt: skip
    Product.objects.bulk_create([row for row in rows if row.name not in have])


def generate_appointments(ctx: Any) -> int:
    """Three vets per location, 12 back-to-back 30-minute appointments each per weekday (6 on
    Saturdays) over the span and four weeks ahead: 80 % completed, 10 % cancelled, 10 %
    no-shows in the past; today's in every state; scheduled ahead."""
    first, last = _span(ctx)
    return _execute(
        """
        WITH slots AS (
          SELECT v.loc, l.id AS location_id, v.vet_id, v.room_id, d::date AS day, s AS slot,
                 ((d::date + make_time(CASE WHEN extract(isodow FROM d) = 6 THEN 9
                                            ELSE v.start_hour END, 0, 0) + s * interval '30 min')
                  AT TIME ZONE l.time_zone) AS starts_at,
                 (v.loc::bigint * 100000 + (d::date - %(first)s::date)) * 100 + v.nth * 20 + s AS n
          FROM b_vet v JOIN b_loc l ON l.idx = v.loc
          CROSS JOIN generate_series(%(first)s::date, %(last)s::date + 28, '1 day') AS d
          CROSS JOIN generate_series(0, 11) AS s
          WHERE extract(isodow FROM d) < 7 AND (extract(isodow FROM d) < 6 OR s < 6)
        ), picked AS (
          SELECT slots.*, p.id AS patient_id, p.client_id,
                 pg_temp.pick(n, %(seed)s + 11, 100) AS roll
          FROM slots JOIN b_pet p ON p.idx = pg_temp.pick(n, %(seed)s, %(pets)s)
        ), stated AS (
          SELECT picked.*,
                 CASE WHEN day > %(last)s::date + 1 THEN
                        CASE WHEN roll < 5 THEN 'cancelled' ELSE 'scheduled' END
                      WHEN day = %(last)s::date + 1 THEN
                        CASE WHEN slot < 4 THEN 'completed' WHEN slot = 4 THEN 'in_progress'
                             WHEN slot < 7 THEN 'checked_in' WHEN slot = 7 THEN 'no_show'
                             ELSE 'scheduled' END
                      WHEN roll < 80 THEN 'completed' WHEN roll < 90 THEN 'cancelled'
                      ELSE 'no_show' END AS status
          FROM picked
        )
        INSERT INTO scheduling_appointment (
          id, created_at, updated_at, version, organization_id, location_id, patient_id,
          client_id, vet_id, room_id, appointment_type_id, starts_at, ends_at, busy_from,
          busy_until, status, notes, is_overbooked, overbook_reason, cancel_reason,
          checked_in_at, started_at, completed_at, cancelled_at, no_show_at, ical_sequence,
          created_by_id)
        SELECT pg_temp.uuid7(starts_at - interval '3 days', n), starts_at - interval '3 days',
               starts_at, 1, %(org)s, location_id, patient_id, client_id, vet_id, room_id,
               %(type)s, starts_at, starts_at + interval '30 min', starts_at,
               starts_at + interval '30 min', status, '', false, '',
               CASE WHEN status = 'cancelled' THEN 'Cliente canceló' ELSE '' END,
               CASE WHEN status IN ('checked_in', 'in_progress', 'completed')
                    THEN starts_at - interval '10 min' END,
               CASE WHEN status IN ('in_progress', 'completed') THEN starts_at END,
               CASE WHEN status = 'completed' THEN starts_at + interval '30 min' END,
               CASE WHEN status = 'cancelled' THEN starts_at - interval '1 day' END,
               CASE WHEN status = 'no_show' THEN starts_at + interval '20 min' END,
               0, %(admin)s
        FROM stated
        """,
        {"first": first, "last": last, "seed": ctx.seed, "pets": ctx.pet_count,
         "org": ctx.organization.pk, "type": ctx.type_id, "admin": ctx.admin_id},
    )  # fmt: skip


def generate_invoices(ctx: Any) -> int:
    """~40 boletas per location per day (not Sundays) of one to three lines, a service first;
    paid at once mostly, some later, some partly or not at all (more of them recently), 1 %
    void; the payments that go with them."""
    first, last = _span(ctx)
    params = {"first": first, "last": last, "seed": ctx.seed, "pets": ctx.pet_count,
              "org": ctx.organization.pk, "admin": ctx.admin_id,
              "per_day": INVOICES_PER_DAY}  # fmt: skip
    _execute(
        """INSERT INTO billing_documentseries (id, created_at, updated_at, version,
             document_type, prefix, next_number, is_active, location_id, organization_id)
           SELECT pg_temp.uuid7(now(), 900000000 + idx), now(), now(), 1, 'boleta',
                  'B' || lpad((idx + 101)::text, 3, '0'), 1, true, id, %(org)s
           FROM b_loc l
           WHERE NOT EXISTS (SELECT 1 FROM billing_documentseries s
                             WHERE s.location_id = l.id AND s.document_type = 'boleta'
                               AND s.is_active)""",
        params,
    )
    _execute("DROP TABLE IF EXISTS b_invoice, b_line")
    # One row per invoice: where, when, for whom, which state; `n` numbers it in the run.
    _execute(
        """
        CREATE UNLOGGED TABLE b_invoice AS
        WITH days AS (
          SELECT l.idx AS loc, l.id AS location_id, l.time_zone, l.currency, d::date AS day,
                 (d::date - %(first)s::date) AS day_no
          FROM b_loc l CROSS JOIN generate_series(%(first)s::date, %(last)s::date, '1 day') d
          WHERE extract(isodow FROM d) < 7
        ), raw AS (
          SELECT days.*, k, (loc::bigint * 100000 + day_no) * 100 + k AS n
          FROM days CROSS JOIN LATERAL generate_series(
            1, %(per_day)s - 10 + pg_temp.pick(loc::bigint * 100000 + day_no, %(seed)s + 1, 21)::int
          ) AS k
        )
        SELECT timed.*, pg_temp.uuid7(issued_at - interval '5 min', n) AS id
        FROM (
          SELECT raw.*, p.id AS patient_id, p.client_id,
                 ((day + time '08:30' + k * interval '13 min'
                   + pg_temp.pick(n, %(seed)s + 2, 600) * interval '1 second')
                  AT TIME ZONE time_zone) AS issued_at,
                 pg_temp.pick(n, %(seed)s + 3, 1000)::int AS roll,
                 (%(last)s::date - day) AS age,
                 1 + pg_temp.pick(n, %(seed)s + 4, 3)::int AS lines
          FROM raw JOIN b_pet p ON p.idx = pg_temp.pick(n, %(seed)s + 5, %(pets)s)
        ) AS timed
        """,
        params,
    )
    _execute(
        """
        CREATE UNLOGGED TABLE b_line AS
        WITH picked AS (
          SELECT i.n, i.id AS invoice_id, i.issued_at, pos,
                 CASE WHEN pos = 1 OR pg_temp.pick(i.n * 4 + pos, %(seed)s + 6, 3) = 0
                      THEN s.id ELSE g.id END AS product_id,
                 CASE WHEN pos = 1 OR pg_temp.pick(i.n * 4 + pos, %(seed)s + 6, 3) = 0
                      THEN s.name ELSE g.name END AS description,
                 CASE WHEN pos = 1 OR pg_temp.pick(i.n * 4 + pos, %(seed)s + 6, 3) = 0
                      THEN 1 ELSE 1 + pg_temp.pick(i.n * 4 + pos, %(seed)s + 7, 4) END AS quantity,
                 CASE WHEN pos = 1 OR pg_temp.pick(i.n * 4 + pos, %(seed)s + 6, 3) = 0
                      THEN s.sale_price ELSE g.sale_price END AS unit_price
          FROM b_invoice i CROSS JOIN LATERAL generate_series(1, i.lines) AS pos
          JOIN b_service s ON s.idx = pg_temp.pick(i.n * 4 + pos, %(seed)s + 8,
                                                   (SELECT count(*) FROM b_service))
          JOIN b_goods g ON g.idx = pg_temp.pick(i.n * 4 + pos, %(seed)s + 9,
                                                 (SELECT count(*) FROM b_goods))
        )
        SELECT picked.*, round(quantity * unit_price, 2) AS net,
               round(round(quantity * unit_price, 2) * 0.18, 2) AS tax
        FROM picked
        """,
        params,
    )
    _execute("CREATE INDEX ON b_line (n)")
    _execute("ANALYZE b_invoice; ANALYZE b_line")
    made = _execute(
        """
        WITH sums AS (
          SELECT n, sum(net) AS net, sum(tax) AS tax FROM b_line GROUP BY n
        ), stated AS (
          SELECT i.*, sums.net, sums.tax, sums.net + sums.tax AS total,
                 CASE WHEN roll < 10 THEN 'void'
                      WHEN age < 30 AND roll < 160 THEN 'issued'
                      WHEN age < 30 AND roll < 210 THEN 'partially_paid'
                      WHEN roll < 20 THEN 'issued'
                      WHEN roll < 30 THEN 'partially_paid'
                      ELSE 'paid' END AS status
          FROM b_invoice i JOIN sums USING (n)
        ), paid AS (
          SELECT stated.*,
                 CASE status WHEN 'paid' THEN total
                             WHEN 'partially_paid' THEN round(total / 2, 2) ELSE 0 END AS paid
          FROM stated
        ), numbered AS (
          SELECT paid.*, s.id AS series_id, s.prefix,
                 row_number() OVER (PARTITION BY paid.location_id ORDER BY issued_at, n) AS number
          FROM paid JOIN billing_documentseries s
            ON s.location_id = paid.location_id AND s.document_type = 'boleta' AND s.is_active
        )
        INSERT INTO billing_invoice (
          id, created_at, updated_at, version, document_type, status, number, full_number,
          currency, discount_percent, subtotal, discount_total, tax_total, total, paid_total,
          credited_total, balance, due_on, notes, issued_at, voided_at, void_reason, client_id,
          created_by_id, issued_by_id, location_id, organization_id, patient_id, series_id,
          voided_by_id)
        SELECT id, issued_at - interval '5 min', issued_at, 1, 'boleta', status, number,
               prefix || '-' || lpad(number::text, 8, '0'), currency, 0, net, 0, tax, total,
               paid, 0, total - paid, NULL, '', issued_at,
               CASE WHEN status = 'void' THEN issued_at + interval '1 hour' END,
               CASE WHEN status = 'void' THEN 'Error de digitación' ELSE '' END, client_id,
               %(admin)s, %(admin)s, location_id, %(org)s, patient_id, series_id,
               CASE WHEN status = 'void' THEN %(admin)s::uuid END
        FROM numbered
        """,
        params,
    )
    _say(f"  invoices: {made}")
    lines = _execute(
        """
        INSERT INTO billing_invoiceline (
          id, created_at, updated_at, version, position, description, quantity, unit_price,
          discount_percent, discount_amount, tax_rate, gross_amount, net_amount, tax_amount,
          total_amount, invoice_id, product_id)
        SELECT pg_temp.uuid7(issued_at - interval '5 min', n * 4 + pos),
               issued_at - interval '5 min', issued_at, 1, pos - 1, description, quantity,
               unit_price, 0, 0, 18, net, net, tax, net + tax,
               invoice_id, product_id
        FROM b_line
        """
    )
    _say(f"  invoice lines: {lines}")
    payments = _execute(
        """
        INSERT INTO billing_payment (
          id, created_at, updated_at, version, amount, method, wallet_provider, reference,
          cash_tendered, change_given, kept_as_credit, received_at, client_id, invoice_id,
          location_id, organization_id, received_by_id)
        SELECT pg_temp.uuid7(received_at, n), received_at, received_at, 1, paid_total,
               method, CASE WHEN method = 'mobile_wallet' THEN 'yape' ELSE '' END, '',
               NULL, 0, 0, received_at, client_id, id, location_id, organization_id,
               %(admin)s
        FROM (
          SELECT inv.*, i.n,
                 CASE WHEN pg_temp.pick(i.n, %(seed)s + 10, 10) = 0
                      THEN inv.issued_at + (1 + pg_temp.pick(i.n, %(seed)s + 12, 20))
                                           * interval '1 day'
                      ELSE inv.issued_at + interval '4 min' END AS received_at,
                 (ARRAY['cash', 'card', 'mobile_wallet', 'cash', 'card'])[
                   1 + pg_temp.pick(i.n, %(seed)s + 13, 5)] AS method
          FROM billing_invoice inv
          JOIN b_invoice i ON inv.id = i.id
          WHERE inv.organization_id = %(org)s AND inv.paid_total > 0
        ) AS paying
        """,
        params,
    )
    _say(f"  payments: {payments}")
    _execute(
        """UPDATE billing_documentseries s SET next_number = 1 + coalesce(
             (SELECT max(number) FROM billing_invoice i WHERE i.series_id = s.id), 0)
           WHERE s.organization_id = %(org)s""",
        params,
    )
    _execute("DROP TABLE b_invoice, b_line")
    return made + lines + payments


def generate_revenue_shares(ctx: Any) -> int:
    """The revenue shares of the invoices, payments and credit notes just inserted, by the
    billing service's own rebuild (what the migration does to an existing database)."""
    from vetrisys.billing.services import revenue_shares_rebuild

    return revenue_shares_rebuild(organization_id=ctx.organization.pk)


def generate_stock(ctx: Any) -> int:
    """Per location and stocked product: one lot a year; a receipt on the first of every month
    and four dispenses that month (80 % of it), so balances grow slowly; balances rebuilt from
    the ledger; reorder rules that leave ~5 % of products low."""
    first, last = _span(ctx)
    params = {"first": first, "last": last, "seed": ctx.seed, "org": ctx.organization.pk,
              "admin": ctx.admin_id}  # fmt: skip
    _execute(
        """
        INSERT INTO inventory_lot (id, created_at, updated_at, version, lot_number, expires_on,
                                   organization_id, product_id)
        SELECT pg_temp.uuid7(make_date(y, 1, 1)::timestamptz, 800000000 + g.idx * 100 + y - 2000),
               make_date(y, 1, 1), make_date(y, 1, 1), 1, 'L' || y || '-' || g.idx,
               make_date(y + 1, 1 + pg_temp.pick(g.idx * 100 + y, %(seed)s + 20, 12)::int, 28),
               %(org)s, g.id
        FROM (SELECT idx, id FROM b_goods UNION ALL SELECT 1000 + idx, id FROM b_vaccine) g
        CROSS JOIN generate_series(extract(year FROM %(first)s::date)::int,
                                   extract(year FROM %(last)s::date)::int) AS y
        ON CONFLICT DO NOTHING
        """,
        params,
    )
    moved = _execute(
        """
        WITH stocked AS (
          SELECT idx, id FROM b_goods UNION ALL SELECT 1000 + idx, id FROM b_vaccine
        ), months AS (
          SELECT l.idx AS loc, l.id AS location_id, l.time_zone, m::date AS month,
                 p.idx AS pidx, p.id AS product_id, lot.id AS lot_id,
                 ((l.idx::bigint * 2000 + p.idx) * 1000
                  + (extract(year FROM m)::int - 2000) * 12 + extract(month FROM m)::int) AS n,
                 (20 + pg_temp.pick(l.idx * 2000 + p.idx, %(seed)s + 21, 80)) * 5 AS received
          FROM b_loc l CROSS JOIN stocked p
          CROSS JOIN generate_series(date_trunc('month', %(first)s::date),
                                     %(last)s::date, '1 month') AS m
          JOIN inventory_lot lot ON lot.product_id = p.id
           AND lot.lot_number = 'L' || extract(year FROM m)::int || '-' || p.idx
        ), moves AS (
          SELECT months.*, step,
                 CASE WHEN step = 0 THEN 'receive' ELSE 'dispense' END AS kind,
                 CASE WHEN step = 0 THEN received ELSE -(received / 5) END AS quantity,
                 ((month + (step * 6 + 1) * interval '1 day' + time '10:00')
                  AT TIME ZONE time_zone) AS occurred_at
          FROM months CROSS JOIN generate_series(0, 4) AS step
        )
        INSERT INTO inventory_stockmovement (
          id, kind, quantity, unit_cost, reason, reference, transfer_group, occurred_at,
          created_at, actor_id, location_id, lot_id, organization_id, product_id,
          purchase_order_line_id)
        SELECT pg_temp.uuid7(occurred_at, n * 8 + step), kind, quantity,
               CASE WHEN step = 0 THEN 2.5 + (pidx %% 40) END, '', '', NULL, occurred_at,
               occurred_at, %(admin)s, location_id, lot_id, %(org)s, product_id, NULL
        FROM moves WHERE occurred_at < %(last)s::date + 1
        """,
        params,
    )
    _execute(
        """
        INSERT INTO inventory_stockbalance (id, on_hand, updated_at, location_id, lot_id,
                                            organization_id, product_id)
        SELECT pg_temp.uuid7(now(), 700000000 + row_number() OVER ()), sum(quantity), now(),
               location_id, lot_id, %(org)s, product_id
        FROM inventory_stockmovement WHERE organization_id = %(org)s
        GROUP BY location_id, lot_id, product_id
        ON CONFLICT (location_id, product_id, lot_id)
        DO UPDATE SET on_hand = EXCLUDED.on_hand
        """,
        params,
    )
    _execute(
        """
        INSERT INTO inventory_reorderrule (id, created_at, updated_at, version, reorder_level,
                                           reorder_quantity, location_id, organization_id,
                                           product_id)
        SELECT pg_temp.uuid7(now(), 600000000 + l.idx * 2000 + p.idx), now(), now(), 1,
               CASE WHEN pg_temp.pick(l.idx * 2000 + p.idx, %(seed)s + 22, 20) = 0
                    THEN 100000 ELSE 10 END, 500, l.id, %(org)s, p.id
        FROM b_loc l CROSS JOIN (SELECT idx, id FROM b_goods UNION ALL
                                 SELECT 1000 + idx, id FROM b_vaccine) p
        ON CONFLICT DO NOTHING
        """,
        params,
    )
    return moved


def generate_vaccinations(ctx: Any) -> int:
    """~6 vaccinations per location and day (not Sundays), next dose due a year later."""
    first, last = _span(ctx)
    return _execute(
        """
        WITH rows AS (
          SELECT l.idx AS loc, l.id AS location_id, d::date AS day, k,
                 (l.idx::bigint * 100000 + (d::date - %(first)s::date)) * 20 + k AS n
          FROM b_loc l CROSS JOIN generate_series(%(first)s::date, %(last)s::date, '1 day') d
          CROSS JOIN generate_series(1, %(per_day)s) AS k
          WHERE extract(isodow FROM d) < 7
        )
        INSERT INTO vaccinations_vaccination (
          id, created_at, updated_at, version, lot_number, lot_expires_on, administered_on,
          route, site, dose_number, next_due_on, next_due_is_overridden, notes, location_id,
          lot_id, organization_id, patient_id, product_id, vet_id, visit_id, protocol_id)
        SELECT pg_temp.uuid7(day::timestamptz + interval '12 hours', n),
               day + time '12:00', day + time '12:00', 1, '', NULL, day, 'sc', '', 1,
               day + 365, false, '', location_id, NULL, %(org)s, p.id, vx.id, v.vet_id, NULL,
               NULL
        FROM rows
        JOIN b_pet p ON p.idx = pg_temp.pick(n, %(seed)s + 30, %(pets)s)
        JOIN b_vaccine vx ON vx.idx = pg_temp.pick(n, %(seed)s + 31,
                                                   (SELECT count(*) FROM b_vaccine))
        JOIN b_vet v ON v.loc = rows.loc AND v.nth = k %% 3
        """,
        {"first": first, "last": last, "seed": ctx.seed, "pets": ctx.pet_count,
         "org": ctx.organization.pk, "per_day": VACCINATIONS_PER_DAY},
    )  # fmt: skip


def spread_clients(ctx: Any) -> int:
    """Owners registered over the span (so "new clients this month" has a history)."""
    first, last = _span(ctx)
    return _execute(
        """UPDATE clients_client SET created_at = %(first)s::date
             + (abs(hashtext(id::text)) %% (%(last)s::date - %(first)s::date + 1))
               * interval '1 day'
             + interval '15 hours'
           WHERE organization_id = %(org)s""",
        {"first": first, "last": last, "org": ctx.organization.pk},
    )


def _ensure_prepared(ctx: Any) -> None:
    if not getattr(ctx, "prepared", False):
        from vetrisys.patients.models import Patient

        ctx.pet_count = Patient.objects.filter(organization=ctx.organization).count()
        if not ctx.pet_count:
            raise SystemExit("No patients: generate owners and pets first.")
        _prepare(ctx)
        ctx.prepared = True


def generate_billing(ctx: Any) -> int:
    """`generate.py` step: invoices, lines and payments (PostgreSQL only)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0
    _ensure_prepared(ctx)
    return generate_invoices(ctx) + generate_revenue_shares(ctx)


def generate_vaccination_history(ctx: Any) -> int:
    """`generate.py` step: vaccinations (PostgreSQL only)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0
    _ensure_prepared(ctx)
    return generate_vaccinations(ctx)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--years", type=float, default=10)
    parser.add_argument("--owners", type=int, default=100_000)
    parser.add_argument("--patients", type=int, default=150_000)
    parser.add_argument("--organization", default=ORGANIZATION)
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated steps to (re)run on the existing organization: "
        "appointments, invoices, revenue-shares, stock, vaccinations",
    )
    args = parser.parse_args(argv)

    django_setup()
    from django.core.management import call_command
    from django.db import connection

    from vetrisys.accounts.models import Organization
    from vetrisys.accounts.services import organization_create

    if connection.vendor != "postgresql":
        sys.stderr.write("generate_chain.py writes SQL for PostgreSQL: set DATABASE_URL.\n")
        return 1
    call_command("migrate", interactive=False, verbosity=0)
    from generate import Context, generate_clients, generate_patients

    existing = Organization.objects.filter(name=args.organization).first()
    only = [name for name in args.only.split(",") if name]
    if existing is not None and not only:
        sys.stderr.write(f"{args.organization!r} already exists: use a fresh database.\n")
        return 1
    if existing is None:
        existing = organization_create(
            name=args.organization,
            location_name="Sede Miraflores",
            admin_username=ADMIN,
            admin_password="bench-password-not-for-production",
        ).organization
    ctx: Any = Context(existing, args.seed, args.owners, args.patients)
    ctx.years = args.years
    started = time.perf_counter()
    bulk = {
        "appointments": generate_appointments,
        "invoices": generate_invoices,
        "revenue-shares": generate_revenue_shares,
        "stock": generate_stock,
        "vaccinations": generate_vaccinations,
    }
    steps: list[tuple[str, Any]] = [
        ("owners", generate_clients),
        ("patients", generate_patients),
        ("owners' registration dates", spread_clients),
        ("locations, vets, products", lambda c: _ensure_prepared(c) or 0),
        *bulk.items(),
    ]
    if only:
        steps = [("locations, vets, products", steps[3][1])] + [(n, bulk[n]) for n in only]
    _execute("SET synchronous_commit = off")
    tables = {
        "appointments": ("scheduling_appointment",),
        "invoices": ("billing_invoice", "billing_invoiceline", "billing_payment"),
        "stock": ("inventory_stockmovement",),
        "vaccinations": ("vaccinations_vaccination",),
    }
    for name, step in steps:
        at = time.perf_counter()
        with _indexes_dropped(*tables.get(name, ())):
            count = step(ctx)
        _say(f"{name}: {count} rows in {time.perf_counter() - at:.1f} s")
    at = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    _say(f"ANALYZE in {time.perf_counter() - at:.1f} s")
    _say(f"done in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
