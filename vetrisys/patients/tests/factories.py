"""Factories for species, breeds, owners and patients."""

from __future__ import annotations

import factory

from vetrisys.accounts.tests.factories import OrganizationFactory
from vetrisys.clients.models import Client
from vetrisys.core.text import normalize_search
from vetrisys.patients.models import Breed, Patient, Species


def species(code: str = "dog") -> Species:
    """A seeded (global) species (made again if a transactional test emptied the table)."""
    found, _created = Species.objects.get_or_create(
        organization=None, code=code, defaults={"name_es": code, "name_en": code}
    )
    return found


def breed(species_code: str, name_en: str) -> Breed:
    """A seeded (global) breed, by its English name."""
    found, _created = Breed.objects.get_or_create(
        organization=None,
        species=species(species_code),
        name_en=name_en,
        defaults={"name_es": name_en},
    )
    return found


class OwnerFactory(factory.django.DjangoModelFactory):
    """An owner row without phones (owners with phones come from clients.services)."""

    class Meta:
        model = Client

    organization = factory.SubFactory(OrganizationFactory)
    first_name = "Rosa"
    last_name = factory.Sequence(lambda n: f"Huamán {n}")
    search_name = factory.LazyAttribute(lambda o: normalize_search(f"{o.first_name} {o.last_name}"))


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    client = factory.SubFactory(OwnerFactory)
    organization = factory.SelfAttribute("client.organization")
    name = factory.Sequence(lambda n: f"Firulais {n}")
    search_name = factory.LazyAttribute(lambda o: normalize_search(o.name))
    species = factory.LazyFunction(lambda: species("dog"))
    sex = Patient.Sex.MALE
