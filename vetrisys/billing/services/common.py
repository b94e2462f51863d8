"""Checks every billing service shares: the location and documents are the actor's, amounts
and quantities are exact decimals."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection
from django.db.models import F, Model
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.permissions import has_capability, require
from vetrisys.core.errors import NotAllowed, NotFound, ValidationFailed

MAX_AMOUNT = Decimal(10) ** 11


def check_location(actor: Any, location: Any, *capabilities: Capability) -> None:
    """404 when the location is another organization's; 403 unless the actor holds one of the
    capabilities there."""
    if location is None or location.organization_id != actor.organization_id:
        raise NotFound(_("Location not found."))
    if len(capabilities) == 1:
        require(actor, capabilities[0], location)
    elif not any(has_capability(actor, c, location) for c in capabilities):
        raise NotAllowed(_("You do not have permission to do this."), code="forbidden")


def check_same_organization(actor: Any, obj: Model | None, label: str) -> None:
    """404 for an object of another organization."""
    if obj is not None and getattr(obj, "organization_id", None) != actor.organization_id:
        raise NotFound(_("%(thing)s not found.") % {"thing": label})


def decimal(
    value: Any,
    field: str,
    errors: dict[str, list[str]],
    *,
    places: int,
    positive: bool = False,
    maximum: Decimal | None = None,
) -> Decimal:
    """A non-negative (or positive) decimal with at most `places` decimals; problems go into
    `errors` (and Decimal 0 is returned so the caller can go on collecting)."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        errors.setdefault(field, []).append(_("Enter a number."))
        return Decimal(0)
    if not amount.is_finite():
        errors.setdefault(field, []).append(_("Enter a number."))
        return Decimal(0)
    if positive and amount <= 0:
        errors.setdefault(field, []).append(_("Must be greater than zero."))
        return Decimal(0)
    if amount < 0:
        errors.setdefault(field, []).append(_("Cannot be negative."))
        return Decimal(0)
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        errors.setdefault(field, []).append(_("%(places)s decimals at most.") % {"places": places})
        return Decimal(0)
    if amount >= (maximum if maximum is not None else MAX_AMOUNT):
        errors.setdefault(field, []).append(_("Too large."))
        return Decimal(0)
    return amount.quantize(Decimal(1).scaleb(-places))


def percent(value: Any, field: str, errors: dict[str, list[str]]) -> Decimal:
    """A percentage between 0 and 100 with two decimals at most."""
    rate = decimal(value, field, errors, places=2, maximum=Decimal(1000))
    if rate > 100:
        errors.setdefault(field, []).append(_("A percentage cannot be over 100."))
        return Decimal(0)
    return rate


def raise_if(errors: dict[str, list[str]]) -> None:
    """422 with every collected field error."""
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)


def reason_text(value: str, field: str = "reason") -> str:
    """A required reason, trimmed, 300 characters at most."""
    text = (value or "").strip()
    if not text:
        raise ValidationFailed.for_field(field, _("Say why."))
    if len(text) > 300:
        raise ValidationFailed.for_field(field, _("300 characters at most."))
    return text


def locked(queryset: Any) -> Any:
    """Lock the rows on PostgreSQL; SQLite's IMMEDIATE transactions already serialize
    writers."""
    if connection.vendor == "postgresql":
        return queryset.select_for_update(of=("self",))
    return queryset


def client_balance_add(client_id: Any, delta: Decimal) -> None:
    """Keep the owner's cached receivable in step (a delta, so concurrent writers add up)."""
    if delta:
        from vetrisys.clients.models import Client

        Client.objects.filter(pk=client_id).update(balance=F("balance") + delta)
