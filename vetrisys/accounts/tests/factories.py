"""Factories for tenancy and people."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory

from vetrisys.accounts.models import Location, Organization, Role, Room, StaffMembership, User
from vetrisys.accounts.services import roles_sync_builtin

PASSWORD = "correct-horse-battery"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Clínica Veterinaria {n}")

    @factory.post_generation
    def builtin_roles(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            roles_sync_builtin(organization=self)


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Sede {n}")
    time_zone = "America/Lima"
    currency = "PEN"
    tax_rate = Decimal("18.00")


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    location = factory.SubFactory(LocationFactory)
    organization = factory.SelfAttribute("location.organization")
    name = factory.Sequence(lambda n: f"Consultorio {n}")
    kind = Room.Kind.EXAM


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Ana"
    last_name = factory.Sequence(lambda n: f"Pérez {n}")
    organization = factory.SubFactory(OrganizationFactory)
    language = "en"

    @factory.post_generation
    def password(self, create: bool, extracted: str | None, **kwargs: Any) -> None:
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


def make_staff(*, location: Location, role: str, username: str, **fields: Any) -> User:
    """A user of the location's organization holding `role` at `location`."""
    user = UserFactory(username=username, organization=location.organization, **fields)
    StaffMembership.objects.create(
        organization=location.organization,
        user=user,
        location=location,
        role=Role.objects.get(organization=location.organization, key=role),
    )
    return user
