"""Reads of tenancy and people, always starting from what the user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.models import Location, Organization, Role, Room, StaffMembership, User
from vetrisys.accounts.permissions import capability_map, has_capability, locations_with
from vetrisys.core.errors import NotFound


def location_list(*, actor: Any) -> QuerySet[Location]:
    """Locations the actor may see."""
    return Location.objects.visible_to(actor).order_by("name")


def location_get(*, actor: Any, location_id: Any) -> Location:
    """One visible location, or NotFound."""
    try:
        return location_list(actor=actor).get(pk=location_id)
    except (Location.DoesNotExist, ValueError, TypeError):
        raise NotFound("Location not found.") from None


def current_location(*, user: Any, chosen_id: Any) -> Location | None:
    """The location chosen in the switcher if still visible, else the user's first one."""
    visible = list(location_list(actor=user).filter(is_active=True)[:50])
    for location in visible:
        if str(location.pk) == str(chosen_id):
            return location
    return visible[0] if visible else None


def room_list(*, actor: Any, location: Location) -> QuerySet[Room]:
    """Rooms of a visible location."""
    return Room.objects.filter(location=location, organization_id=actor.organization_id).order_by(
        "name"
    )


def role_list(*, actor: Any) -> QuerySet[Role]:
    """The organization's roles, built-in first."""
    return Role.objects.filter(organization_id=actor.organization_id)


def role_get(*, actor: Any, role_id: Any) -> Role:
    """One role of the actor's organization, or NotFound."""
    try:
        return role_list(actor=actor).get(pk=role_id)
    except (Role.DoesNotExist, ValueError, TypeError):
        raise NotFound("Role not found.") from None


def staff_list(*, actor: Any, query: str = "") -> QuerySet[User]:
    """Staff the actor may see: everyone of the organization for an admin, else colleagues
    at the locations where the actor holds `staff.view`."""
    users = User.objects.filter(organization_id=actor.organization_id)
    if not actor.is_organization_wide():
        location_ids = locations_with(actor, Capability.STAFF_VIEW)
        users = users.filter(memberships__location_id__in=location_ids).distinct()
    if query:
        users = users.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(email__icontains=query)
        )
    memberships = StaffMembership.objects.select_related("location", "role").order_by(
        "location__name", "role__key"
    )
    return users.prefetch_related(Prefetch("memberships", queryset=memberships)).order_by(
        "username"
    )


def staff_get(*, actor: Any, user_id: Any) -> User:
    """One visible staff user, or NotFound."""
    try:
        return staff_list(actor=actor).get(pk=user_id)
    except (User.DoesNotExist, ValueError, TypeError):
        raise NotFound("Staff member not found.") from None


def organization_of(*, actor: Any) -> Organization:
    """The actor's organization."""
    return Organization.objects.get(pk=actor.organization_id)


def mfa_enabled(*, user: Any) -> bool:
    """Whether the user has an authenticator app set up."""
    from allauth.mfa.models import Authenticator

    cached: bool | None = getattr(user, "_mfa_enabled", None)
    if cached is None:
        cached = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        user._mfa_enabled = cached
    return cached


def mfa_setup_required(*, user: Any) -> bool:
    """Whether the organization requires MFA and the user has not set it up yet."""
    if user.organization_id is None:
        return False
    required = Organization.objects.filter(pk=user.organization_id, require_mfa=True).exists()
    return required and not mfa_enabled(user=user)


def me(*, user: Any) -> dict[str, Any]:
    """The signed-in user, memberships and capabilities per location."""
    memberships = list(StaffMembership.objects.filter(user=user).select_related("location", "role"))
    caps = capability_map(user)
    return {
        "user": user,
        "memberships": memberships,
        "capabilities": {loc: sorted(str(c) for c in held) for loc, held in caps.items()},
        "is_organization_wide": user.is_organization_wide(),
        "can": lambda cap: has_capability(user, cap),
    }
