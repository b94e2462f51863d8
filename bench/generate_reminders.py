"""What the reminder benchmark needs on top of the chain data of `generate.py`, in SQL.

    python bench/generate_reminders.py [--organization "Cadena Benchmark"] [--reset]

PostgreSQL only. On the organization `generate.py` made (300,000 pets, 20 locations, a year of
appointments from `generate_schedule.py`) this adds, deterministic from each row's id:

- consents: 70 % of the owners to WhatsApp, those with an email 60 % to email;
- birth dates for pets without one (spread over 14 years: ~800 birthdays a day);
- vaccinations: one dose of a core vaccine per pet given in the last 400 days (next due a year
  later: due dates from five weeks ago to a year ahead), a second vaccine for half of them, and
  for a third an older dose of the first one that the later dose supersedes;
- one signed visit per pet in the last 600 days, 5 % of them surgeries (follow-up and lapsed
  owners).

Rows are marked (vaccination notes, visit reason "bench-reminders") so `--reset` removes them;
consents and birth dates are left. Running it again adds nothing.
"""

from __future__ import annotations

import argparse
import sys
import time

from _setup import django_setup

MARK = "bench-reminders"


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")


def _run(cursor: object, label: str, sql: str, params: dict[str, object]) -> None:
    started = time.perf_counter()
    cursor.execute(sql, params)  # type: ignore[attr-defined]
    rows = cursor.rowcount  # type: ignore[attr-defined]
    _say(f"{label}: {rows} rows in {time.perf_counter() - started:.1f} s")


def _fill(organization: object, patients: int) -> None:
    """Pets over the owners, locations, vets and appointments, when they are missing."""
    from django.db import connection, transaction

    from vetrisys.accounts.models import Location, User
    from vetrisys.patients.models import Species
    from vetrisys.scheduling.models import AppointmentType

    first = Location.objects.filter(organization=organization).order_by("created_at").first()
    assert first is not None, "the organization has no location"
    for number in range(Location.objects.filter(organization=organization).count(), 20):
        Location.objects.create(
            organization=organization, name=f"Sede {number + 1:02d}", time_zone=first.time_zone,
            currency=first.currency, tax_rate=first.tax_rate,
        )  # fmt: skip
    locations = list(
        Location.objects.filter(organization=organization).order_by("created_at", "id")
    )
    vets = [
        User.objects.get_or_create(
            username=f"bench_vet_{number:02d}", defaults={"organization": organization}
        )[0].pk
        for number in range(len(locations))
    ]
    kind, _created = AppointmentType.objects.get_or_create(
        organization=organization, name="Consulta (bench)", defaults={"duration_minutes": 15}
    )
    dog = Species.objects.get(code="dog", organization__isnull=True).pk
    cat = Species.objects.get(code="cat", organization__isnull=True).pk
    params = {
        "org": organization.pk,  # type: ignore[attr-defined]
        "target": patients,
        "dog": dog,
        "cat": cat,
        "locations": [location.pk for location in locations],
        "vets": vets,
        "kind": kind.pk,
        "zone": first.time_zone,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM patients_patient WHERE organization_id = %(org)s", params
        )
        if cursor.fetchone()[0] == 0:
            _run(cursor, "pets", """
                WITH c AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS i
                           FROM clients_client WHERE organization_id = %(org)s),
                     total AS (SELECT count(*) AS n FROM c)
                INSERT INTO patients_patient (id, created_at, updated_at, version, name,
                    search_name, sex, neutered, birth_date_is_estimated, color, microchip,
                    allergies, chronic_conditions, alerts, alert_note, is_active, client_id,
                    organization_id, species_id)
                SELECT gen_random_uuid(), now(), now(), 1, 'Firulais ' || g, 'firulais ' || g,
                    'male', false, false, '', '', '', '', '[]'::jsonb, '', true, c.id, %(org)s,
                    CASE WHEN g %% 3 = 0 THEN %(cat)s::uuid ELSE %(dog)s::uuid END
                FROM generate_series(0, %(target)s - 1) g
                JOIN c ON c.i = g %% (SELECT n FROM total)""", params)  # fmt: skip
        cursor.execute(
            "SELECT count(*) FROM scheduling_appointment WHERE organization_id = %(org)s", params
        )
        if cursor.fetchone()[0] == 0:
            # 30 slots of 15 minutes a day from 08:00 local, one vet per location, a week back
            # and two months ahead; booked ten days before.
            _run(cursor, "appointments", """
                WITH p AS (SELECT id, client_id, row_number() OVER (ORDER BY id) - 1 AS i
                           FROM patients_patient WHERE organization_id = %(org)s),
                     total AS (SELECT count(*) AS n FROM p),
                     slot AS (
                        SELECT li, d, s,
                            ((current_date + d)::timestamp + interval '8 hours'
                             + s * interval '15 minutes') AT TIME ZONE %(zone)s AS starts_at
                        FROM generate_series(1, cardinality(%(locations)s::uuid[])) li,
                             generate_series(-7, 60) d, generate_series(0, 29) s)
                INSERT INTO scheduling_appointment (id, created_at, updated_at, version,
                    starts_at, ends_at, busy_from, busy_until, status, notes, is_overbooked,
                    overbook_reason, cancel_reason, ical_sequence, client_id, location_id,
                    organization_id, patient_id, vet_id, appointment_type_id)
                SELECT gen_random_uuid(), slot.starts_at - interval '10 days', now(), 1,
                    slot.starts_at, slot.starts_at + interval '15 minutes', slot.starts_at,
                    slot.starts_at + interval '15 minutes',
                    CASE WHEN slot.d < 0 THEN 'completed' ELSE 'scheduled' END, '', false, '',
                    '', 0, p.client_id, (%(locations)s::uuid[])[slot.li], %(org)s, p.id,
                    (%(vets)s::uuid[])[slot.li], %(kind)s
                FROM slot JOIN p ON p.i = abs(hashtext(slot.li || ':' || slot.d || ':' || slot.s))
                                      %% (SELECT n FROM total)""", params)  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organization", default="Cadena Benchmark")
    parser.add_argument("--reset", action="store_true", help="remove what this script added")
    parser.add_argument(
        "--fill",
        action="store_true",
        help="also make the pets (over the existing owners), 20 locations with a vet each and "
        "two months of appointments, in SQL (when generate.py made the owners only)",
    )
    parser.add_argument("--patients", type=int, default=300_000)
    args = parser.parse_args()
    django_setup()

    from django.db import connection, transaction

    from vetrisys.accounts.models import Organization, User
    from vetrisys.inventory.models import Product

    if connection.vendor != "postgresql":
        sys.stderr.write("PostgreSQL only (DATABASE_URL=postgres://...)\n")
        return 2
    organization = Organization.objects.filter(name=args.organization).first()
    if organization is None:
        sys.stderr.write(f"no organization {args.organization!r}: run bench/generate.py\n")
        return 2
    params: dict[str, object] = {"org": organization.pk, "mark": MARK}
    if args.fill:
        _fill(organization, args.patients)
    with transaction.atomic(), connection.cursor() as cursor:
        if args.reset:
            cursor.execute(
                "DELETE FROM notifications_message WHERE organization_id = %(org)s "
                "AND rule_id IS NOT NULL",
                params,
            )
            _run(cursor, "vaccinations removed", "DELETE FROM vaccinations_vaccination "
                 "WHERE organization_id = %(org)s AND notes = %(mark)s", params)  # fmt: skip
            _run(cursor, "visits removed", "DELETE FROM records_visit "
                 "WHERE organization_id = %(org)s AND reason = %(mark)s", params)  # fmt: skip
            return 0
        vaccines = [
            Product.objects.get_or_create(
                organization=organization,
                name=name,
                defaults={"kind": Product.Kind.VACCINE},
            )[0].pk
            for name in ("Nobivac DHPPi (bench)", "Rabisin (bench)")
        ]
        vets = list(
            User.objects.filter(organization=organization)
            .order_by("id")
            .values_list("id", flat=True)
        )
        params.update(first=vaccines[0], second=vaccines[1], vets=vets)
        _run(cursor, "WhatsApp consents", """
            UPDATE clients_client SET whatsapp_consent_at = now() - interval '400 days'
            WHERE organization_id = %(org)s AND whatsapp_consent_at IS NULL
              AND abs(hashtext(id::text || 'wa')) %% 100 < 70""", params)  # fmt: skip
        _run(cursor, "email consents", """
            UPDATE clients_client SET email_consent_at = now() - interval '400 days'
            WHERE organization_id = %(org)s AND email_consent_at IS NULL AND email <> ''
              AND abs(hashtext(id::text || 'em')) %% 100 < 60""", params)  # fmt: skip
        _run(cursor, "birth dates", """
            UPDATE patients_patient
            SET birth_date = date '2012-01-01' + abs(hashtext(id::text || 'bd')) %% 5110
            WHERE organization_id = %(org)s AND birth_date IS NULL""", params)  # fmt: skip
        cursor.execute(
            "SELECT count(*) FROM vaccinations_vaccination "
            "WHERE organization_id = %(org)s AND notes = %(mark)s",
            params,
        )
        if cursor.fetchone()[0]:
            _say("vaccinations and visits already there")
            return 0
        locations = """(SELECT array_agg(id ORDER BY id) FROM accounts_location
                        WHERE organization_id = %(org)s)"""
        pick_location = f"({locations})[1 + abs(hashtext(p.id::text || 'loc')) %% 20]"
        vets_array = "%(vets)s::uuid[]"
        pick_vet = (
            f"({vets_array})[1 + abs(hashtext(p.id::text || 'vet')) %% cardinality({vets_array})]"
        )
        dose = f"""
            INSERT INTO vaccinations_vaccination (id, created_at, updated_at, version,
                organization_id, location_id, patient_id, vet_id, product_id, lot_number,
                administered_on, route, site, dose_number, next_due_on, next_due_is_overridden,
                notes)
            SELECT gen_random_uuid(), now(), now(), 1, %(org)s, {pick_location}, p.id,
                {pick_vet}, {{product}}, '', {{given}}, '', '', 1, {{given}} + 365, false,
                %(mark)s
            FROM patients_patient p
            WHERE p.organization_id = %(org)s AND {{which}}"""
        latest = "current_date - abs(hashtext(p.id::text || 'v1')) %% 400"
        _run(cursor, "older doses (superseded)", dose.format(
            product="%(first)s", given=f"({latest}) - 365",
            which="abs(hashtext(p.id::text || 'old')) %% 3 = 0"), params)  # fmt: skip
        _run(cursor, "latest doses", dose.format(
            product="%(first)s", given=latest, which="true"), params)  # fmt: skip
        _run(cursor, "second vaccine", dose.format(
            product="%(second)s", given="current_date - abs(hashtext(p.id::text || 'v2')) %% 400",
            which="abs(hashtext(p.id::text || 'two')) %% 2 = 0"), params)  # fmt: skip
        _run(cursor, "signed visits", f"""
            INSERT INTO records_visit (id, created_at, updated_at, version, organization_id,
                location_id, patient_id, client_id, vet_id, visit_type, reason, status,
                opened_at, opened_by_id, signed_at, signed_by_id)
            SELECT gen_random_uuid(), now(), now(), 1, %(org)s, {pick_location}, p.id,
                p.client_id, {pick_vet},
                CASE WHEN abs(hashtext(p.id::text || 'sx')) %% 20 = 0 THEN 'surgery'
                     ELSE 'consultation' END,
                %(mark)s, 'signed', v.opened_at, {pick_vet}, v.opened_at + interval '1 hour',
                {pick_vet}
            FROM patients_patient p
            CROSS JOIN LATERAL (SELECT now() - (abs(hashtext(p.id::text || 'vi')) %% 864000)
                                * interval '1 minute' AS opened_at) v
            WHERE p.organization_id = %(org)s""", params)  # fmt: skip
    with connection.cursor() as cursor:
        for table in ("clients_client", "patients_patient", "vaccinations_vaccination",
                      "records_visit", "notifications_message"):  # fmt: skip
            cursor.execute(f"ANALYZE {table}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
