"""Demo vaccination histories: puppies and kittens part-way through their series, adults whose
boosters are up to date, due or overdue.

Idempotent: an organization that already has vaccinations is left alone.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.models import Location, Organization, User
from vetrisys.accounts.permissions import has_capability
from vetrisys.core.timeutil import today_in
from vetrisys.inventory.models import Product
from vetrisys.patients.models import Patient
from vetrisys.vaccinations import services
from vetrisys.vaccinations.models import Vaccination
from vetrisys.vaccinations.schedule import add_months

# product name of the demo catalog → species it is given to
CORE = {"dog": "Nobivac DHPPi", "cat": "Felocell CVR"}
RABIES = "Rabisin antirrábica"
LEPTO = "Nobivac Lepto"


def vets_of(organization: Organization, location: Location) -> list[User]:
    """Staff who may sign records and vaccinate at the location (the vets), by username."""
    users = User.objects.filter(organization=organization, is_active=True).order_by("username")
    return [
        user
        for user in users
        if has_capability(user, Capability.VACCINATIONS_GIVE, location)
        and has_capability(user, Capability.RECORDS_SIGN, location)
        and not getattr(user, "_organization_wide", False)
    ]


def load(*, organization: Organization, locations: list[Location]) -> None:
    """Vaccination histories for the demo dogs and cats."""
    if Vaccination.objects.filter(organization=organization).exists():
        return
    products = {
        p.name: p
        for p in Product.objects.filter(organization=organization, kind=Product.Kind.VACCINE)
    }
    if not products or not locations:
        return
    location = locations[0]
    vets = vets_of(organization, location)
    if not vets:
        return
    today = today_in(location.time_zone)
    rng = random.Random(11)
    pets = (
        Patient.objects.filter(
            organization=organization,
            deceased_on__isnull=True,
            birth_date__isnull=False,
            species__code__in=["dog", "cat"],
        )
        .select_related("species")
        .order_by("id")[:60]
    )
    for index, pet in enumerate(pets):
        vet = vets[index % len(vets)]
        assert pet.birth_date is not None
        core = products.get(CORE[pet.species.code])
        if core is None:
            continue

        def give(product: Product | None, on: dt.date, pet: Patient = pet, vet: Any = vet) -> None:
            if product is None or on > today or on < pet.birth_date:  # type: ignore[operator]
                return
            services.vaccination_record(
                actor=vet, patient=pet, product=product, location=location, administered_on=on,
                lot=f"D{on:%y%m}{rng.randint(10, 99)}", lot_expires_on=add_months(on, 18),
                route=Vaccination.Route.SUBCUTANEOUS, site="escápula",
            )  # fmt: skip

        age_weeks = (today - pet.birth_date).days // 7
        if age_weeks < 26:
            # A young animal part-way through its series: every 4 weeks from 8 weeks of age.
            week = 8
            while week <= age_weeks - 2:
                give(core, pet.birth_date + dt.timedelta(weeks=week))
                week += 4
            if age_weeks >= 14:
                give(products.get(RABIES), pet.birth_date + dt.timedelta(weeks=13))
            continue
        # An adult: a booster some time ago (some are due or overdue now) and rabies yearly.
        last_core = today - dt.timedelta(days=rng.randint(200, 1200))
        give(core, last_core)
        last_rabies = today - dt.timedelta(days=rng.choice([60, 200, 340, 355, 380, 420]))
        give(products.get(RABIES), add_months(last_rabies, -12))
        give(products.get(RABIES), last_rabies)
        if pet.species.code == "dog" and rng.random() < 0.4:
            give(products.get(LEPTO), today - dt.timedelta(days=rng.randint(300, 420)))
