"""Reads of owners, always within the actor's organization: lists, the search box, histories."""

from __future__ import annotations

import operator
import re
from functools import reduce
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import F, Lookup, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.permissions import require
from vetrisys.clients.models import (
    MIN_SUFFIX_DIGITS,
    Client,
    ClientPhone,
    ClientPhoneSuffix,
    Communication,
)
from vetrisys.core.errors import NotFound
from vetrisys.core.fields import blind_index
from vetrisys.core.text import digits_only, normalize_search

# What a phone number may look like when typed: digits, spaces, dashes, dots, brackets, a plus.
_PHONE_LIKE = re.compile(r"^\+?[\d\s().\-/]+$")
_DOCUMENT_LIKE = re.compile(r"^[A-Za-z0-9.\-]+$")
MIN_PHONE_DIGITS = MIN_SUFFIX_DIGITS


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


def phone_search_digits(query: str) -> str | None:
    """The digits a typed phone fragment ends with, or None if it is not one.

    "+51 987-654-321", "987654321", "4321" and "0051 987 654 321" all end in the same digits;
    stored numbers keep a keyed hash of each of their endings (4 digits up to all of them),
    so "ends with" is an indexed equality on the hash of what was typed.
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
    return digits


def _email_hashes(organization_id: Any, query: str) -> Q | None:
    """Owners whose email is what was typed: the whole address, the part before the @
    ("ana.munoz" or "ana.munoz@") or the domain ("correo.pe" or "@correo.pe")."""
    text = query.strip().lower()
    if "@" in text:
        local, _at, domain = text.rpartition("@")
        if local and domain:
            wanted = [("email_hash", text)]
        else:
            wanted = [("email_local_hash", local)] if local else [("email_domain_hash", domain)]
    else:
        wanted = [("email_local_hash", text)]
        if "." in text:
            wanted.append(("email_domain_hash", text))
    conditions = [
        Q(**{column: blind_index(Client, column, value, organization_id, derived=derived)})
        for column, value in wanted
        if value
        for derived in [column != "email_hash"]
    ]
    if not conditions:
        return None
    return reduce(operator.or_, conditions)


class _AmongIds(Lookup):
    """`pk IN (subquery)`; on PostgreSQL `pk = ANY(ARRAY(subquery))`.

    PostgreSQL runs the subquery once, first, and can then read the owners through their
    primary key in the same bitmap as the trigram indexes of the other routes (a BitmapOr),
    or filter an ordered scan that stops at the first page. `IN (subquery)` inside an OR is a
    hashed subplan the planner must guess the size of, and it guesses half the table.
    """

    lookup_name = "among_ids"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} IN {rhs}", (*lhs_params, *rhs_params)

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


def _owner_among(ids: QuerySet[Any]) -> Q:
    return Q(_AmongIds(F("pk"), Subquery(ids.order_by())))


def _search_condition(organization_id: Any, query: str) -> Q:
    """What an owner must satisfy to be found by `query`, by any route.

    The routes on the owner's own columns are plain conditions and the others (phones, pets)
    lists of owner ids, all ORed in one WHERE: on PostgreSQL every route is an index (trigram,
    b-tree) and the planner chooses between reading the first page in name order and reading
    the few matches through the indexes.
    """
    words = normalize_search(query).split()
    compact = re.sub(r"[\s.\-]", "", query).upper()
    patients = patient_model()
    found = Q(pk__in=[])

    phone_digits = phone_search_digits(query)
    if phone_digits is not None:
        found |= _owner_among(
            ClientPhoneSuffix.objects.filter(
                organization_id=organization_id,
                hash=ClientPhoneSuffix.hash_of(phone_digits, organization_id),
            ).values("phone__client_id")
        )
    elif not words:
        return Q()  # nothing to look for in a name (only punctuation): every owner
    else:
        found |= Q(*(Q(search_name__contains=word) for word in words))
        by_email = _email_hashes(organization_id, query) if len(query.split()) == 1 else None
        if by_email is not None and len(query.strip()) >= 3:
            found |= by_email
        if patients is not None and "@" not in query:
            by_pet = patients._default_manager.filter(organization_id=organization_id)
            for word in words:
                by_pet = by_pet.filter(search_name__contains=word)
            found |= _owner_among(by_pet.values("client_id"))
    if _DOCUMENT_LIKE.match(query.strip()) and len(compact) >= 6:
        found |= Q(document_hash=blind_index(Client, "document_hash", compact, organization_id))
        if patients is not None:
            found |= _owner_among(
                patients._default_manager.filter(
                    organization_id=organization_id, microchip=compact
                ).values("client_id")
            )
    return found


def client_search(*, actor: Any, q: str, is_active: bool | None = True) -> QuerySet[Client]:
    """Owners the search box finds: name, phone (whole or last digits), email, document id,
    pet name or microchip; accents and case ignored. Active owners only unless asked."""
    clients = _visible_clients(actor)
    if is_active is not None:
        clients = clients.filter(is_active=is_active)
    query = (q or "").strip()
    if query:
        clients = clients.filter(_search_condition(actor.organization_id, query))
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
        same |= models.Q(email_hash=client.email_hash)
    numbers = [phone.e164_hash for phone in client.phones.all()]
    if numbers:
        same |= models.Q(
            pk__in=ClientPhone.objects.filter(
                organization_id=client.organization_id, e164_hash__in=numbers
            ).values("client_id")
        )
    return list(candidates.filter(same).prefetch_related("phones").order_by("last_name")[:limit])
