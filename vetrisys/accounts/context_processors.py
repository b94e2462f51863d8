"""Template context every staff page needs: the navigation the user may see."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Visible locations, the current one, and the capabilities held there."""
    user = request.user
    if not user.is_authenticated:
        return {}
    from vetrisys.accounts.permissions import capability_map
    from vetrisys.accounts.selectors import location_list

    location = getattr(request, "location", None)
    held = capability_map(user).get(str(location.pk), frozenset()) if location else frozenset()
    return {
        "current_location": location,
        "switchable_locations": list(location_list(actor=user).filter(is_active=True)[:50]),
        "caps": {str(c) for c in held},
    }
