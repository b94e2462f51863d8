"""Capability checks used by services, views and the API."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.core.errors import NotAllowed


def capability_map(user: Any) -> dict[str, frozenset[Capability]]:
    """Location id → capabilities held there; computed once per user object."""
    cached: dict[str, frozenset[Capability]] | None = getattr(user, "_capability_map", None)
    if cached is not None:
        return cached
    result: dict[str, set[Capability]] = {}
    if getattr(user, "is_authenticated", False) and user.organization_id and user.is_active:
        from vetrisys.accounts.models import Location, StaffMembership

        memberships = list(
            StaffMembership.objects.filter(user=user, organization_id=user.organization_id)
            .select_related("role")
            .only("location_id", "role__capabilities", "role__is_organization_wide")
        )
        wide = [m for m in memberships if m.role.is_organization_wide]
        if wide:
            all_ids = Location.objects.filter(organization_id=user.organization_id).values_list(
                "id", flat=True
            )
            wide_caps = {Capability(c) for m in wide for c in m.role.capabilities if _known(c)}
            for location_id in all_ids:
                result.setdefault(str(location_id), set()).update(wide_caps)
        for membership in memberships:
            caps = {Capability(c) for c in membership.role.capabilities if _known(c)}
            result.setdefault(str(membership.location_id), set()).update(caps)
        user._organization_wide = bool(wide)
    frozen = {key: frozenset(value) for key, value in result.items()}
    user._capability_map = frozen
    return frozen


def _known(value: str) -> bool:
    return value in Capability._value2member_map_


def forget_capabilities(user: Any) -> None:
    """Drop the cached capabilities after memberships change."""
    for attr in ("_capability_map", "_organization_wide"):
        if hasattr(user, attr):
            delattr(user, attr)


def has_capability(user: Any, capability: Capability, location: Any = None) -> bool:
    """Whether the user holds the capability at `location` (or at any location when None)."""
    caps = capability_map(user)
    if location is None:
        return any(capability in held for held in caps.values())
    location_id = str(getattr(location, "pk", location))
    return capability in caps.get(location_id, frozenset())


def locations_with(user: Any, capability: Capability) -> list[str]:
    """Ids of the locations where the user holds the capability."""
    return [loc for loc, held in capability_map(user).items() if capability in held]


def require(user: Any, capability: Capability, location: Any = None) -> None:
    """Raise NotAllowed unless the user holds the capability (at the location, if given)."""
    if not has_capability(user, capability, location):
        raise NotAllowed(
            _("You do not have permission to do this."),
            code="forbidden",
            capability=str(capability),
        )
