"""Looking up, within the actor's organization, the objects a request names by id."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from vetrisys.accounts.models import Location, User
from vetrisys.core.errors import NotFound, ValidationFailed
from vetrisys.inventory.models import Product
from vetrisys.records.models import Visit


def as_uuid(value: Any, field: str) -> uuid.UUID:
    """The id, or 422 on the field."""
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError, ValidationError):
        raise ValidationFailed.for_field(field, _("Not a valid id.")) from None


def location(actor: Any, value: Any, field: str = "location") -> Location:
    """A location the actor works at (any for an organization-wide role), else 404."""
    found = Location.objects.visible_to(actor).filter(pk=as_uuid(value, field)).first()
    if found is None:
        raise NotFound(_("Location not found."))
    return found


def product(actor: Any, value: Any, field: str = "product") -> Product:
    """A product of the organization, else 404."""
    found = Product.objects.filter(
        organization_id=actor.organization_id, pk=as_uuid(value, field)
    ).first()
    if found is None:
        raise NotFound(_("Product not found."))
    return found


def staff(actor: Any, value: Any, field: str = "vet") -> User:
    """A staff member of the organization, else 404."""
    found = User.objects.filter(
        organization_id=actor.organization_id, pk=as_uuid(value, field)
    ).first()
    if found is None:
        raise NotFound(_("Veterinarian not found."))
    return found


def visit(actor: Any, value: Any, field: str = "visit") -> Visit:
    """A visit of the organization, else 404."""
    found = (
        Visit.objects.filter(organization_id=actor.organization_id, pk=as_uuid(value, field))
        .select_related("patient", "location", "vet")
        .first()
    )
    if found is None:
        raise NotFound(_("Visit not found."))
    return found


def home_zone(actor: Any) -> str:
    """The time zone of the actor's first location (the organization's first otherwise)."""
    found = Location.objects.visible_to(actor).order_by("name").values_list("time_zone", flat=True)
    return found.first() or "America/Lima"
