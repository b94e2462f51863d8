"""Who may read, write and sign medical records."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.permissions import capability_map, has_capability, require
from vetrisys.core.errors import NotAllowed
from vetrisys.records.models import Visit


def require_read(actor: Any) -> None:
    """Reading records: records.view at some location. A patient is seen at any site of the
    organization, so its history follows it (every read is audited)."""
    require(actor, Capability.RECORDS_VIEW)


def require_write(actor: Any, visit: Visit) -> None:
    """Writing to a visit: records.write at the visit's location."""
    require(actor, Capability.RECORDS_WRITE, visit.location_id)


def can_sign(actor: Any, visit: Visit) -> bool:
    """The visit's own vet signs (an organization administrator may sign for a vet who left)."""
    if not has_capability(actor, Capability.RECORDS_SIGN, visit.location_id):
        return False
    capability_map(actor)
    return visit.vet_id == actor.pk or bool(getattr(actor, "_organization_wide", False))


def require_sign(actor: Any, visit: Visit) -> None:
    """Raise NotAllowed unless the actor may sign this visit."""
    require(actor, Capability.RECORDS_SIGN, visit.location_id)
    if not can_sign(actor, visit):
        raise NotAllowed(
            _("Only the visit's veterinarian can sign it."),
            code="not_visit_vet",
        )
