"""No double booking on PostgreSQL: exclusion constraints over the busy time of a vet and of a
room, for active appointments that are not deliberate overbookings. Nothing on SQLite, where
the booking service checks inside an IMMEDIATE transaction."""

from django.db import migrations

ACTIVE = "status IN ('scheduled', 'checked_in', 'in_progress') AND NOT is_overbooked"

CONSTRAINTS = {
    "appointment_no_vet_overlap": (
        "EXCLUDE USING gist (vet_id WITH =, tstzrange(busy_from, busy_until, '[)') WITH &&) "
        f"WHERE ({ACTIVE})"
    ),
    "appointment_no_room_overlap": (
        "EXCLUDE USING gist (room_id WITH =, tstzrange(busy_from, busy_until, '[)') WITH &&) "
        f"WHERE ({ACTIVE} AND room_id IS NOT NULL)"
    ),
}


def add_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    for name, definition in CONSTRAINTS.items():
        schema_editor.execute(
            f"ALTER TABLE scheduling_appointment ADD CONSTRAINT {name} {definition}"
        )


def drop_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in CONSTRAINTS:
        schema_editor.execute(
            f"ALTER TABLE scheduling_appointment DROP CONSTRAINT IF EXISTS {name}"
        )


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]

    operations = [migrations.RunPython(add_constraints, drop_constraints, elidable=False)]
