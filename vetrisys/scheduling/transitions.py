"""The allowed status changes of an appointment, in one table."""

from __future__ import annotations

from django.utils.translation import gettext as _

from vetrisys.core.errors import Conflict
from vetrisys.scheduling.models import Appointment

Status = Appointment.Status

# Undoing a check-in is not a transition: a patient checked in by mistake is cancelled and
# booked again, so the waiting-room history stays truthful.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.SCHEDULED: frozenset({Status.CHECKED_IN, Status.CANCELLED, Status.NO_SHOW}),
    Status.CHECKED_IN: frozenset({Status.IN_PROGRESS, Status.CANCELLED}),
    Status.IN_PROGRESS: frozenset({Status.COMPLETED}),
    Status.COMPLETED: frozenset(),
    Status.CANCELLED: frozenset(),
    Status.NO_SHOW: frozenset(),
}


def is_allowed(current: str, target: str) -> bool:
    """Whether an appointment in status `current` may move to `target`."""
    return target in TRANSITIONS.get(current, frozenset())


def check(appointment: Appointment, target: str) -> None:
    """Raise Conflict (invalid_transition) unless the appointment may move to `target`."""
    if not is_allowed(appointment.status, target):
        raise Conflict(
            _("An appointment that is %(current)s cannot become %(target)s.")
            % {
                "current": Status(appointment.status).label,
                "target": Status(target).label,
            },
            code="invalid_transition",
            status=appointment.status,
            target=str(target),
        )
