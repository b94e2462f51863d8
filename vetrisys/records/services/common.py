"""What every records write shares: the lock that keeps a signed visit unchanged."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from vetrisys.core.errors import Conflict, ValidationFailed
from vetrisys.records.models import Visit
from vetrisys.records.permissions import require_write


def locked_visit(visit: Visit) -> Visit:
    """The visit's row, locked for the rest of the transaction."""
    return Visit.objects.select_for_update().get(pk=visit.pk)


def raise_signed(visit: Visit) -> None:
    """409 visit_signed: a signed visit takes only addenda."""
    raise Conflict(
        _("This visit is signed; add an addendum instead."),
        code="visit_signed",
        signed_at=visit.signed_at,
    )


def open_visit_for_write(actor: Any, visit: Visit) -> Visit:
    """Check the right to write, lock the visit and refuse if it is signed."""
    require_write(actor, visit)
    locked = locked_visit(visit)
    if locked.is_signed:
        raise_signed(locked)
    return locked


def text(value: Any, field: str, limit: int, errors: dict[str, list[str]]) -> str:
    """Stripped text, with a message when it is too long."""
    cleaned = str(value or "").strip()
    if len(cleaned) > limit:
        errors.setdefault(field, []).append(_("%(limit)d characters at most.") % {"limit": limit})
    return cleaned


def raise_if(errors: dict[str, list[str]]) -> None:
    """422 with the collected field messages, if any."""
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)
