"""The reference data the migrations seed (species and breeds, diagnosis terms and SOAP
templates, vaccine protocols), put back after a transactional test emptied the tables."""

from __future__ import annotations

import importlib

SEED_MIGRATIONS = (
    "vetrisys.patients.migrations.0002_seed_species_and_breeds",
    "vetrisys.records.migrations.0002_seed_terms_and_templates",
    "vetrisys.vaccinations.migrations.0002_seed_protocols",
)


def seed_reference_data() -> None:
    """Run each seed again; a seed adds only what is missing."""
    from django.apps import apps

    for module in SEED_MIGRATIONS:
        importlib.import_module(module).seed(apps, None)
