"""Reads of owners, always within the actor's organization: lists, the search box, histories."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.permissions import require
from vetrisys.clients.models import Client, ClientPhone, Communication
from vetrisys.core.errors import NotFound
from vetrisys.core.text import digits_only, normalize_search

# What a phone number may look like when typed: digits, spaces, dashes, dots, brackets, a plus.
_PHONE_LIKE = re.compile(r"^\+?[\d\s().\-/]+$")
_DOCUMENT_LIKE = re.compile(r"^[A-Za-z0-9.\-]+$")
MIN_PHONE_DIGITS = 4


def _visible_clients(actor: Any) -> QuerySet[Client]:
    require(actor, Capability.CLIENTS_VIEW)
    return Client.objects.filter(organization_id=actor.organization_id)


def patient_model() -> type[models.Model] | None:
    """The model whose rows point at an owner as `patients`, once that app is installed."""
    try:
        field = Client._meta.get_field("patients")
    except FieldDoesNotExist:
        return None
    related = field.related_model
    return related if isinstance(related, type) else None


def phone_search_key(query: str) -> str | None:
    """The reversed digits to look up for a typed phone fragment, or None if it is not one.

    "+51 987-654-321", "987654321", "4321" and "0051 987 654 321" all end in the same digits;
    stored numbers keep their reversed E.164 digits, so "ends with" becomes an indexed prefix.
    """
    if not _PHONE_LIKE.match(query):
        return None
    digits = digits_only(query)
    if digits.startswith("00"):
        digits = digits[2:]
    elif digits.startswith("0") and len(digits) >= 8:
        digits = digits[1:]  # a whole number with the trunk prefix: 01 234 5678
    if len(digits) < MIN_PHONE_DIGITS:
        return None
    return digits[::-1]


def _matching_ids(organization_id: Any, query: str) -> QuerySet[Any]:
    """One query of the ids of the organization's owners that `query` finds, by every route."""
    words = normalize_search(query).split()
    compact = re.sub(r"[\s.\-]", "", query).upper()
    clients = Client.objects.filter(organization_id=organization_id)
    patients = patient_model()
    routes: list[QuerySet[Any]] = []

    phone_key = phone_search_key(query)
    if phone_key is not None:
        routes.append(
            ClientPhone.objects.filter(
                organization_id=organization_id, digits_reversed__startswith=phone_key
            ).values("client_id")
        )
    else:
        by_name = clients
        for word in words:
            by_name = by_name.filter(search_name__contains=word)
        routes.append(by_name.values("id"))
        if len(words) == 1 and len(words[0]) >= 3:
            routes.append(clients.filter(email__contains=query.strip().lower()).values("id"))
        if patients is not None and "@" not in query:
            by_pet = patients._default_manager.filter(organization_id=organization_id)
            for word in words:
                by_pet = by_pet.filter(search_name__contains=word)
            routes.append(by_pet.values("client_id"))
    if _DOCUMENT_LIKE.match(query.strip()) and len(compact) >= 6:
        routes.append(clients.filter(document_number=compact).values("id"))
        if patients is not None:
            routes.append(
                patients._default_manager.filter(
                    organization_id=organization_id, microchip=compact
                ).values("client_id")
            )
    # Model orderings are not allowed inside a UNION.
    first, *rest = [route.order_by() for route in routes]
    return first.union(*rest) if rest else first


def client_search(*, actor: Any, q: str, is_active: bool | None = True) -> QuerySet[Client]:
    """Owners the search box finds: name, phone (whole or last digits), email, document id,
    pet name or microchip; accents and case ignored. Active owners only unless asked."""
    clients = _visible_clients(actor)
    if is_active is not None:
        clients = clients.filter(is_active=is_active)
    query = (q or "").strip()
    if query:
        clients = clients.filter(pk__in=_matching_ids(actor.organization_id, query))
    return clients.order_by("last_name", "first_name", "id")


def client_list(*, actor: Any, q: str = "", is_active: bool | None = None) -> QuerySet[Client]:
    """The owners list (API and screen): search, filter by status, phones prefetched."""
    return client_search(actor=actor, q=q, is_active=is_active).prefetch_related("phones")


def client_get(*, actor: Any, client_id: Any) -> Client:
    """One owner of the actor's organization, or NotFound."""
    try:
        return (
            _visible_clients(actor)
            .select_related("merged_into")
            .prefetch_related("phones")
            .get(pk=client_id)
        )
    except (Client.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound(_("Owner not found.")) from None


def communication_list(*, actor: Any, client: Client) -> QuerySet[Communication]:
    """An owner's communication history, newest first."""
    _visible_clients(actor)
    return (
        Communication.objects.filter(client=client, organization_id=actor.organization_id)
        .select_related("author")
        .order_by("-occurred_at", "-id")
    )


def client_patients(*, actor: Any, client: Client) -> QuerySet[Any]:
    """The owner's pets (empty until the patients app is installed)."""
    require(actor, Capability.CLIENTS_VIEW)
    require(actor, Capability.PATIENTS_VIEW)
    patients = patient_model()
    if patients is None:
        return Client.objects.none()
    rows = patients._default_manager.filter(client=client)
    related = [name for name in ("species", "breed") if _is_relation(patients, name)]
    if related:
        rows = rows.select_related(*related)
    return rows.order_by("name", "pk")


def _is_relation(model: type[models.Model], name: str) -> bool:
    try:
        return bool(model._meta.get_field(name).is_relation)
    except FieldDoesNotExist:
        return False


def possible_duplicates(*, actor: Any, client: Client, limit: int = 10) -> list[Client]:
    """Other active owners who look like the same person (same name, phone or email)."""
    candidates = _visible_clients(actor).filter(is_active=True).exclude(pk=client.pk)
    same = models.Q(search_name=client.search_name)
    if client.email:
        same |= models.Q(email=client.email)
    numbers = [phone.e164 for phone in client.phones.all()]
    if numbers:
        same |= models.Q(
            pk__in=ClientPhone.objects.filter(
                organization_id=client.organization_id, e164__in=numbers
            ).values("client_id")
        )
    return list(candidates.filter(same).prefetch_related("phones").order_by("last_name")[:limit])
