"""Quiet hours of a location: when reminders wait for the morning."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.models import Location
from vetrisys.accounts.permissions import require
from vetrisys.audit.services import record
from vetrisys.core.errors import ValidationFailed
from vetrisys.notifications.models import LocationMessaging


def quiet_hours_set(
    *, actor: Any, location: Location, quiet_from: dt.time | None, quiet_until: dt.time | None
) -> LocationMessaging:
    """Set (or clear, with both empty) the location's quiet hours (messages.manage there).
    Local times in the location's zone; the period may cross midnight."""
    require(actor, Capability.MESSAGES_MANAGE, location)
    if (quiet_from is None) != (quiet_until is None):
        field = "quiet_until" if quiet_until is None else "quiet_from"
        raise ValidationFailed.for_field(field, _("Give both times, or neither."))
    if quiet_from is not None and quiet_from == quiet_until:
        raise ValidationFailed.for_field("quiet_until", _("The end must differ from the start."))
    with transaction.atomic():
        messaging, _created = LocationMessaging.objects.select_for_update().get_or_create(
            location=location, defaults={"organization_id": location.organization_id}
        )
        before = {"quiet_from": messaging.quiet_from, "quiet_until": messaging.quiet_until}
        messaging.quiet_from, messaging.quiet_until = quiet_from, quiet_until
        messaging.version += 1
        messaging.save()
        record(
            actor=actor, action="location.quiet_hours", target=location, location=location,
            changes={"before": before,
                     "after": {"quiet_from": quiet_from, "quiet_until": quiet_until}},
        )  # fmt: skip
    return messaging
