from typing import Any

from django.db import migrations

from vetrisys.core.ids import uuid7
from vetrisys.vaccinations.seed import SEEDED


def seed(apps: Any, schema_editor: Any) -> None:
    Species = apps.get_model("patients", "Species")
    Protocol = apps.get_model("vaccinations", "VaccineProtocol")
    for row in SEEDED:
        fields = dict(row)
        species = Species.objects.filter(organization=None, code=fields.pop("species")).first()
        if species is None or Protocol.objects.filter(organization=None, code=row["code"]).exists():
            continue
        Protocol.objects.create(id=uuid7(), organization=None, species=species, **fields)


def unseed(apps: Any, schema_editor: Any) -> None:
    Protocol = apps.get_model("vaccinations", "VaccineProtocol")
    Protocol.objects.filter(organization=None, code__in=[r["code"] for r in SEEDED]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("vaccinations", "0001_initial"),
        ("patients", "0002_seed_species_and_breeds"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
