"""Trigram index for the pet-name search on PostgreSQL (LIKE '%…%' uses it); nothing on SQLite."""

from django.db import migrations

INDEXES = {
    "patient_search_name_trgm": "patients_patient USING gin (search_name gin_trgm_ops)",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("patients", "0002_seed_species_and_breeds")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
