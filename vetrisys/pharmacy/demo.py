"""Demo prescriptions: a few consultations of adult pets, each with a prescription, signed.

Idempotent: an organization that already has prescriptions is left alone.
"""

from __future__ import annotations

from decimal import Decimal

from vetrisys.accounts.models import Location, Organization
from vetrisys.inventory.models import Product
from vetrisys.patients.models import Patient
from vetrisys.pharmacy import services
from vetrisys.pharmacy.models import Prescription
from vetrisys.records.services.visits import soap_save, visit_open, visit_sign
from vetrisys.vaccinations.demo import vets_of

CASES = [
    ("Otitis externa", "1 tablet", "oral", "every 12 hours", 7, "14",
     "Give with food. Finish the treatment even if the ear looks better."),
    ("Dermatitis alérgica", "0.5 tablet", "oral", "every 24 hours", 10, "5",
     "Give in the morning with food."),
    ("Dolor postoperatorio", "1 tablet", "oral", "every 24 hours", 5, "5",
     "Do not give with other anti-inflammatories."),
]  # fmt: skip


def load(*, organization: Organization, locations: list[Location]) -> None:
    """Three signed consultations with a prescription each."""
    if Prescription.objects.filter(organization=organization).exists() or not locations:
        return
    location = locations[0]
    vets = vets_of(organization, location)
    medications = list(
        Product.objects.filter(
            organization=organization, kind=Product.Kind.MEDICATION, is_active=True
        ).order_by("name")[: len(CASES)]
    )
    pets = list(
        Patient.objects.filter(
            organization=organization, deceased_on__isnull=True, species__code__in=["dog", "cat"]
        ).order_by("-id")[: len(CASES)]
    )
    if not vets or not medications:
        return
    for index, (pet, medication) in enumerate(zip(pets, medications, strict=False)):
        reason, dose, route, frequency, days, quantity, instructions = CASES[index]
        vet = vets[index % len(vets)]
        visit = visit_open(actor=vet, location=location, patient=pet, vet=vet, reason=reason)
        soap_save(actor=vet, visit=visit, subjective=reason, plan=instructions)
        services.prescription_create(
            actor=vet, visit=visit, product=medication, dose=dose, route=route,
            frequency=frequency, duration_days=days, quantity=Decimal(quantity), refills=0,
            instructions=instructions,
        )  # fmt: skip
        visit_sign(actor=vet, visit=visit)
