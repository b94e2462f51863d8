"""Factories for owners, their phones and their communication history."""

from __future__ import annotations

from typing import Any

import factory
from django.utils import timezone

from vetrisys.accounts.tests.factories import OrganizationFactory
from vetrisys.clients.models import Client, ClientPhone, Communication
from vetrisys.clients.validators import parse_phone
from vetrisys.core.text import normalize_search


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    organization = factory.SubFactory(OrganizationFactory)
    first_name = "María"
    last_name = factory.Sequence(lambda n: f"Quispe {n}")
    search_name = factory.LazyAttribute(lambda o: normalize_search(f"{o.first_name} {o.last_name}"))


def add_phone(
    client: Client, number: str, *, is_primary: bool = True, **fields: Any
) -> ClientPhone:
    """A phone of `client`, normalised the way the services store it."""
    phone = parse_phone(number)
    return ClientPhone.objects.create(
        organization_id=client.organization_id,
        client=client,
        number=phone.number,
        e164=phone.e164,
        national_digits=phone.national_digits,
        is_primary=is_primary,
        **fields,
    )


class CommunicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Communication

    client = factory.SubFactory(ClientFactory)
    organization = factory.SelfAttribute("client.organization")
    kind = Communication.Kind.CALL
    direction = Communication.Direction.INBOUND
    subject = "Llamada"
    body = "Pregunta por la vacuna"
    occurred_at = factory.LazyFunction(timezone.now)
