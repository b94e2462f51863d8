"""Demo pets for the demo owners: one to three each, with weights, a few alerts and microchips.

Idempotent: owners who already have a pet are left alone, so loading twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from vetrisys.accounts.models import Organization
from vetrisys.clients.models import Client
from vetrisys.core.text import normalize_search
from vetrisys.patients.models import Breed, Patient, Species, WeightRecord

DOG_NAMES = ["Firulais", "Rocky", "Max", "Bobby", "Toby", "Chispa", "Canela", "Lucas", "Zeus",
             "Princesa", "Negrito", "Manchas", "Pirata", "Coco", "Kiara", "Thor"]  # fmt: skip
CAT_NAMES = ["Luna", "Pelusa", "Michi", "Mishifu", "Garfield", "Nala", "Simba", "Tom",
             "Misha", "Copito", "Salem", "Minina"]  # fmt: skip
SMALL_NAMES = ["Pelusa", "Bugs", "Tambor", "Copito", "Canelita", "Pepito", "Kiwi"]
COLORS = ["negro", "marrón", "blanco con manchas negras", "atigrado", "crema", "dorado",
          "gris", "tricolor", "canela", "blanco"]  # fmt: skip
ALLERGIES = ["Penicilina", "Pollo (alimento)", "Picadura de pulga", "Metamizol"]

# (species code, weight, typical adult kg range)
SPECIES_MIX = [("dog", 55, (4.0, 35.0)), ("cat", 30, (3.0, 6.0)), ("rabbit", 5, (1.2, 3.0)),
               ("guinea_pig", 5, (0.7, 1.3)), ("bird", 3, (0.05, 0.6)),
               ("hamster", 2, (0.03, 0.15))]  # fmt: skip


def _pick_species(rng: random.Random) -> tuple[str, tuple[float, float]]:
    codes = [(code, span) for code, _weight, span in SPECIES_MIX]
    weights = [weight for _code, weight, _span in SPECIES_MIX]
    return rng.choices(codes, weights=weights)[0]


def _name(rng: random.Random, code: str) -> str:
    names = DOG_NAMES if code == "dog" else CAT_NAMES if code == "cat" else SMALL_NAMES
    return rng.choice(names)


@transaction.atomic
def load(*, organization: Organization, clients: Iterable[Client], seed: int = 7) -> list[Patient]:
    """Give each demo owner without pets one to three, with weights over time."""
    species = {s.code: s for s in Species.objects.filter(organization__isnull=True)}
    breeds: dict[str, list[Breed]] = {}
    for breed in Breed.objects.filter(organization__isnull=True).select_related("species"):
        breeds.setdefault(breed.species.code, []).append(breed)
    owners = sorted(clients, key=lambda c: str(c.pk))
    with_pets = set(
        Patient.objects.filter(organization=organization).values_list("client_id", flat=True)
    )
    chips = set(
        Patient.objects.filter(organization=organization)
        .exclude(microchip="")
        .values_list("microchip", flat=True)
    )
    today = timezone.localdate()
    now = timezone.now()
    patients: list[Patient] = []
    weights: list[WeightRecord] = []
    for owner in owners:
        if owner.pk in with_pets or owner.organization_id != organization.pk:
            continue
        rng = random.Random(f"{seed}:{owner.pk}")
        for _index in range(rng.choice([1, 1, 1, 2, 2, 3])):
            code, (low, high) = _pick_species(rng)
            if code not in species:
                continue
            name = _name(rng, code)
            age_days = rng.randint(90, 14 * 365 if code in {"dog", "cat"} else 5 * 365)
            chip = ""
            if code in {"dog", "cat"} and rng.random() < 0.2:
                chip = f"604{rng.randint(10**11, 10**12 - 1)}"  # 604: Peru's country code
                if chip in chips:
                    chip = ""
                chips.add(chip)
            alerts: list[str] = []
            roll = rng.random()
            if roll < 0.08:
                alerts = [Patient.Alert.AGGRESSIVE, Patient.Alert.BITES]
            elif roll < 0.14:
                alerts = [Patient.Alert.FEARFUL]
            allergies = rng.choice(ALLERGIES) if rng.random() < 0.1 else ""
            if allergies:
                alerts.append(Patient.Alert.ALLERGY)
            patient = Patient(
                organization=organization,
                client=owner,
                name=name,
                search_name=normalize_search(name),
                species=species[code],
                breed=rng.choice(breeds[code]) if code in breeds and rng.random() < 0.9 else None,
                sex=rng.choice([Patient.Sex.MALE, Patient.Sex.FEMALE]),
                neutered=rng.random() < 0.5,
                birth_date=today - dt.timedelta(days=age_days),
                birth_date_is_estimated=rng.random() < 0.3,
                color=rng.choice(COLORS),
                microchip=chip,
                allergies=allergies,
                alerts=[str(a) for a in alerts],
            )
            patients.append(patient)
            adult = rng.uniform(low, high)
            for visit in range(rng.randint(1, 4)):
                kg = Decimal(str(round(adult * rng.uniform(0.93, 1.05), 3)))
                weights.append(
                    WeightRecord(
                        organization=organization,
                        patient=patient,
                        weight_kg=kg,
                        entered_value=kg,
                        entered_unit=WeightRecord.Unit.KG,
                        measured_at=now - dt.timedelta(days=30 * (visit * 3 + 1)),
                    )
                )
    Patient.objects.bulk_create(patients)
    WeightRecord.objects.bulk_create(weights)
    return patients
