"""Chain-scale synthetic data: one organization with many owners, phones and pets.

    python bench/generate.py --seed 7 --owners 200000 --patients 300000

Deterministic from the seed (same names, numbers and documents every run; ids are fresh
UUIDv7s). Rows are bulk-inserted in batches without audit events: this is synthetic data.
Later tables extend `GENERATORS`.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from _setup import django_setup
from generate_chain import generate_billing, generate_vaccination_history
from generate_schedule import generate_schedule
from stock_data import generate_inventory

BENCH_ORGANIZATION = "Cadena Benchmark"
BENCH_ADMIN = "bench_admin"
BATCH = 5000

FIRST_NAMES = [
    "María", "José", "Rosa", "Juan", "Carmen", "Luis", "Ana", "Carlos", "Lucía", "Jorge",
    "Milagros", "Víctor", "Elena", "César", "Gladys", "Raúl", "Patricia", "Óscar", "Julia",
    "Miguel", "Sofía", "Fernando", "Yolanda", "Andrés", "Mónica", "Héctor", "Valeria", "Iván",
    "Teresa", "Pedro", "Liliana", "Ángel", "Norma", "Walter", "Nélida", "Edwin", "Roxana",
]  # fmt: skip
LAST_NAMES = [
    "Quispe", "Mamani", "Huamán", "Flores", "Rojas", "Chávez", "Vargas", "Ramos", "Gutiérrez",
    "Sánchez", "Torres", "Mendoza", "Castillo", "Ccori", "Condori", "Apaza", "Cárdenas", "Núñez",
    "Paredes", "Zúñiga", "Salazar", "Ticona", "Villanueva", "Muñoz", "Espinoza", "Llerena",
    "García", "Rodríguez", "López", "Pérez", "Díaz", "Romero", "Herrera", "Medina", "Aguilar",
    "Ccama", "Choque", "Yupanqui", "Huanca", "Cusi", "Palomino", "Benavides", "Cáceres", "Zegarra",
]  # fmt: skip
PET_NAMES = [
    "Firulais", "Luna", "Max", "Rocky", "Toby", "Lola", "Coco", "Bobby", "Canela", "Chispa",
    "Princesa", "Rex", "Simba", "Nala", "Pelusa", "Manchas", "Negrita", "Tommy", "Bruno", "Kira",
    "Mishi", "Peluchín", "Osito", "Frida", "Zeus", "Thor", "Maya", "Pancho", "Chocolate", "Güero",
]  # fmt: skip
PLACES = [
    ("Miraflores", "Lima"), ("San Isidro", "Lima"), ("Surco", "Lima"), ("San Borja", "Lima"),
    ("Jesús María", "Lima"), ("Lince", "Lima"), ("Los Olivos", "Lima"), ("Barranco", "Lima"),
    ("Cayma", "Arequipa"), ("Yanahuara", "Arequipa"), ("Cercado", "Arequipa"),
]  # fmt: skip
DOMAINS = ["gmail.com", "hotmail.com", "outlook.com", "yahoo.es"]


@dataclass
class Context:
    """What the generators share: the organization, the seed and what earlier steps made."""

    organization: Any
    seed: int
    owners: int
    patients: int
    client_ids: list[Any] = field(default_factory=list)
    locations: int = 20
    products: int = 2_000
    movements: int = 15_000_000
    years: float = 10


def _batches(rows: Iterator[Any], size: int = BATCH) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _unique(index: int, *, low: int, span: int, step: int) -> int:
    # A permutation of [low, low + span) for index < span (step coprime with span).
    return low + (index * step) % span


def generate_clients(ctx: Context) -> int:
    """Owners (70 % with email) and phones (one mobile each, a landline for 30 %), with their
    identifiers encrypted and hashed as the application stores them."""
    from vetrisys.clients.bulk import client_row, create_phones, phone_row
    from vetrisys.clients.models import Client

    rng = random.Random(ctx.seed)
    made = 0
    for start in range(0, ctx.owners, BATCH):
        clients, phones = [], []
        for index in range(start, min(start + BATCH, ctx.owners)):
            first = rng.choice(FIRST_NAMES)
            last = f"{rng.choice(LAST_NAMES)} {rng.choice(LAST_NAMES)}"
            district, city = rng.choice(PLACES)
            ascii_last = last.split()[0].lower().translate(str.maketrans("áéíóúñ", "aeioun"))
            client = client_row(
                organization_id=ctx.organization.pk,
                first_name=first,
                last_name=last,
                document_type="dni",
                document_number=str(_unique(index, low=10_000_000, span=80_000_000, step=7919)),
                email=(f"{ascii_last}.{index}@{rng.choice(DOMAINS)}" if rng.random() < 0.7 else ""),
                district=district,
                city=city,
                preferred_channel=rng.choice(["whatsapp", "phone", "sms", "email"]),
            )
            mobile = str(_unique(index, low=900_000_000, span=100_000_000, step=104_729))
            clients.append(client)
            phones.append(phone_row(client=client, number=mobile))
            if rng.random() < 0.3:
                landline = f"01{_unique(index, low=2_000_000, span=7_000_000, step=7907)}"
                phones.append(
                    phone_row(client=client, number=landline, label="home", is_primary=False)
                )
        Client.objects.bulk_create(clients, batch_size=BATCH)
        create_phones(phones, batch_size=BATCH)
        ctx.client_ids.extend(c.pk for c in clients)
        made += len(clients)
        _progress("owners", made, ctx.owners)
    return made


def generate_patients(ctx: Context) -> int:
    """Pets spread over the owners (60 % microchipped), when the patients app is installed."""
    from django.apps import apps

    if not apps.is_installed("vetrisys.patients") or not ctx.client_ids:
        return 0
    from vetrisys.core.text import normalize_search

    patient_model = apps.get_model("patients", "Patient")
    species_model = apps.get_model("patients", "Species")
    species = list(species_model.objects.filter(organization=None, code__in=["dog", "cat"]))
    rng = random.Random(ctx.seed + 1)
    made = 0
    for start in range(0, ctx.patients, BATCH):
        rows = []
        for index in range(start, min(start + BATCH, ctx.patients)):
            name = rng.choice(PET_NAMES)
            chip = ""
            if rng.random() < 0.6:
                chip = f"981020{_unique(index, low=0, span=1_000_000_000, step=7_368_787):09d}"
            rows.append(
                patient_model(
                    organization_id=ctx.organization.pk,
                    client_id=ctx.client_ids[rng.randrange(len(ctx.client_ids))],
                    name=name,
                    search_name=normalize_search(name),
                    species=rng.choice(species),
                    microchip=chip,
                )
            )
        patient_model.objects.bulk_create(rows, batch_size=BATCH)
        made += len(rows)
        _progress("patients", made, ctx.patients)
    return made


# Each step fills its tables from what the earlier ones made; later issues append theirs.
GENERATORS: list[tuple[str, Callable[[Context], int]]] = [
    ("owners", generate_clients),
    ("patients", generate_patients),
    ("schedule", generate_schedule),
    ("inventory", generate_inventory),
    ("billing", generate_billing),
    ("vaccinations", generate_vaccination_history),
]


def _progress(what: str, done: int, total: int) -> None:
    if done == total or done % 50_000 == 0:
        sys.stdout.write(f"  {what}: {done}/{total}\n")
        sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--owners", type=int, default=200_000)
    parser.add_argument("--patients", type=int, default=300_000)
    parser.add_argument("--years", type=float, default=10, help="years of appointments")
    parser.add_argument("--organization", default=BENCH_ORGANIZATION)
    parser.add_argument("--locations", type=int, default=20)
    parser.add_argument("--products", type=int, default=2_000)
    parser.add_argument("--movements", type=int, default=15_000_000)
    args = parser.parse_args(argv)

    django_setup()
    from django.core.management import call_command
    from django.db import connection

    from vetrisys.accounts.models import Organization
    from vetrisys.accounts.services import organization_create

    call_command("migrate", interactive=False, verbosity=0)
    if Organization.objects.filter(name=args.organization).exists():
        sys.stderr.write(
            f"{args.organization!r} already exists: use a fresh database or --organization.\n"
        )
        return 1
    created = organization_create(
        name=args.organization,
        location_name="Sede Central",
        admin_username=f"{BENCH_ADMIN}_{args.seed}"
        if args.organization != BENCH_ORGANIZATION
        else BENCH_ADMIN,
        admin_password="bench-password-not-for-production",
    )
    ctx = Context(created.organization, args.seed, args.owners, args.patients, years=args.years)
    ctx.locations, ctx.products, ctx.movements = args.locations, args.products, args.movements
    started = time.perf_counter()
    for name, generator in GENERATORS:
        step = time.perf_counter()
        count = generator(ctx)
        sys.stdout.write(f"{name}: {count} rows in {time.perf_counter() - step:.1f} s\n")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    sys.stdout.write(f"done in {time.perf_counter() - started:.1f} s\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
