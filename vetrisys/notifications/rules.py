"""Reminder rules as data: who may see and change them, their validation, the recommended set,
and a preview of who a rule would remind now."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.models import Location
from vetrisys.accounts.permissions import capability_map, locations_with, require
from vetrisys.audit.services import diff, record, snapshot
from vetrisys.core.errors import NotFound, ValidationFailed
from vetrisys.notifications import reminders
from vetrisys.notifications.models import MessageChannel, MessageKind, ReminderRule
from vetrisys.notifications.reminders_queue import clients_for
from vetrisys.patients.models import Species
from vetrisys.records.models import VisitType
from vetrisys.scheduling.models import AppointmentType

Trigger = ReminderRule.Trigger

# The message kinds each trigger may send.
KINDS_OF_TRIGGER: dict[str, tuple[str, ...]] = {
    Trigger.APPOINTMENT: (MessageKind.APPOINTMENT_REMINDER,),
    Trigger.VACCINE_DUE: (MessageKind.VACCINE_DUE, MessageKind.VACCINE_OVERDUE),
    Trigger.FOLLOW_UP: (MessageKind.FOLLOW_UP,),
    Trigger.BIRTHDAY: (MessageKind.BIRTHDAY,),
    Trigger.LAPSED_CLIENT: (MessageKind.LAPSED_CLIENT,),
}
# Offsets beyond about two years make no reminder anyone waits for.
MAX_OFFSET_MINUTES = 3 * 365 * 24 * 60
RULE_FIELDS = [
    "name",
    "trigger",
    "kind",
    "offset_minutes",
    "channel",
    "species",
    "appointment_type",
    "visit_type",
    "location",
    "is_active",
]
HOUR = 60
DAY = 24 * HOUR


@dataclass(frozen=True)
class Recommended:
    """One rule of the recommended set."""

    name: Any
    trigger: str
    kind: str
    offset_minutes: int
    visit_type: str = ""


RECOMMENDED: tuple[Recommended, ...] = (
    Recommended(
        gettext_lazy("Appointment: 48 hours before"),
        Trigger.APPOINTMENT,
        MessageKind.APPOINTMENT_REMINDER,
        -48 * HOUR,
    ),
    Recommended(
        gettext_lazy("Appointment: 2 hours before"),
        Trigger.APPOINTMENT,
        MessageKind.APPOINTMENT_REMINDER,
        -2 * HOUR,
    ),
    Recommended(
        gettext_lazy("Vaccine: 7 days before it is due"),
        Trigger.VACCINE_DUE,
        MessageKind.VACCINE_DUE,
        -7 * DAY,
    ),
    Recommended(
        gettext_lazy("Vaccine: on the day it is due"),
        Trigger.VACCINE_DUE,
        MessageKind.VACCINE_DUE,
        0,
    ),
    Recommended(
        gettext_lazy("Vaccine overdue: 14 days after"),
        Trigger.VACCINE_DUE,
        MessageKind.VACCINE_OVERDUE,
        14 * DAY,
    ),
    Recommended(
        gettext_lazy("Follow-up: 3 days after surgery"),
        Trigger.FOLLOW_UP,
        MessageKind.FOLLOW_UP,
        3 * DAY,
        visit_type=VisitType.SURGERY,
    ),
    Recommended(gettext_lazy("Birthday"), Trigger.BIRTHDAY, MessageKind.BIRTHDAY, 0),
    Recommended(
        gettext_lazy("We miss you: 18 months without a visit"),
        Trigger.LAPSED_CLIENT,
        MessageKind.LAPSED_CLIENT,
        548 * DAY,
    ),
)


def offset_text(minutes: int) -> str:
    """When a rule reminds, in words: "48 hours before", "3 days after", "on the moment"."""
    if minutes == 0:
        return _("on the moment")
    span = abs(minutes)
    if span % DAY == 0:
        amount = ngettext("%(count)d day", "%(count)d days", span // DAY) % {"count": span // DAY}
    elif span % HOUR == 0:
        amount = ngettext("%(count)d hour", "%(count)d hours", span // HOUR) % {
            "count": span // HOUR
        }
    else:
        amount = ngettext("%(count)d minute", "%(count)d minutes", span) % {"count": span}
    if minutes < 0:
        return _("%(amount)s before") % {"amount": amount}
    return _("%(amount)s after") % {"amount": amount}


# ---------------------------------------------------------------- reads


def _require_manage(actor: Any) -> None:
    require(actor, Capability.MESSAGES_MANAGE)


def rule_list(*, actor: Any) -> QuerySet[ReminderRule]:
    """The organization's rules the actor manages: those of every location, and those of the
    locations where they hold messages.manage."""
    _require_manage(actor)
    return (
        ReminderRule.objects.filter(organization_id=actor.organization_id)
        .filter(
            Q(location__isnull=True)
            | Q(location_id__in=locations_with(actor, Capability.MESSAGES_MANAGE))
        )
        .select_related("location", "appointment_type")
        .order_by("trigger", "offset_minutes", "name", "id")
    )


def _pk(value: Any) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError, ValidationError):
        return None


def _sees(actor: Any, location_id: Any) -> bool:
    """Whether the actor has a membership at the location (an administrator: everywhere)."""
    return str(location_id) in capability_map(actor)


def rule_get(*, actor: Any, rule_id: Any) -> ReminderRule:
    """One rule of the actor's organization: 404 when it is another organization's or of a
    location the actor does not see, 403 without messages.manage (there)."""
    pk = _pk(rule_id)
    found = (
        ReminderRule.objects.filter(organization_id=actor.organization_id, pk=pk)
        .select_related("location", "appointment_type")
        .first()
        if pk
        else None
    )
    if found is None or (found.location_id and not _sees(actor, found.location_id)):
        raise NotFound(_("Reminder rule not found."))
    _require_manage(actor)
    if found.location_id:
        require(actor, Capability.MESSAGES_MANAGE, found.location_id)
    return found


def appointment_type_get(*, actor: Any, appointment_type_id: Any) -> AppointmentType:
    """An appointment type of the actor's organization, else 404."""
    pk = _pk(appointment_type_id)
    found = (
        AppointmentType.objects.filter(organization_id=actor.organization_id, pk=pk).first()
        if pk
        else None
    )
    if found is None:
        raise NotFound(_("Unknown appointment type."))
    return found


def location_get(*, actor: Any, location_id: Any) -> Location:
    """A location of the actor's organization that the actor sees, else 404."""
    pk = _pk(location_id)
    found = (
        Location.objects.filter(organization_id=actor.organization_id, pk=pk).first()
        if pk
        else None
    )
    if found is None or not _sees(actor, found.pk):
        raise NotFound(_("Unknown location."))
    return found


# ---------------------------------------------------------------- writes


def _validate(organization_id: Any, fields: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not str(fields.get("name") or "").strip():
        add("name", _("This field is required."))
    elif len(str(fields["name"])) > 120:
        add("name", _("At most 120 characters."))
    trigger = fields.get("trigger")
    if trigger not in Trigger.values:
        add("trigger", _("Choose a trigger."))
    elif fields.get("kind") not in KINDS_OF_TRIGGER[trigger]:
        add("kind", _("This message does not fit the trigger."))
    offset = fields.get("offset_minutes")
    if not isinstance(offset, int) or isinstance(offset, bool):
        add("offset_minutes", _("Enter a whole number of minutes."))
    elif abs(offset) > MAX_OFFSET_MINUTES:
        add("offset_minutes", _("At most three years before or after."))
    elif trigger == Trigger.APPOINTMENT and offset >= 0:
        add("offset_minutes", _("An appointment reminder goes out before the appointment."))
    elif trigger in (Trigger.FOLLOW_UP, Trigger.LAPSED_CLIENT) and offset <= 0:
        add("offset_minutes", _("This reminder goes out after the visit."))
    channel = fields.get("channel") or ""
    if channel and channel not in MessageChannel.values:
        add("channel", _("Choose a channel."))
    species = fields.get("species") or ""
    if (
        species
        and not Species.objects.filter(code=species)
        .filter(Q(organization__isnull=True) | Q(organization_id=organization_id))
        .exists()
    ):
        add("species", _("Unknown species."))
    visit_type = fields.get("visit_type") or ""
    if visit_type and visit_type not in VisitType.values:
        add("visit_type", _("Choose a visit type."))
    if visit_type and trigger != Trigger.FOLLOW_UP:
        add("visit_type", _("Only a follow-up rule has a visit type."))
    if fields.get("appointment_type") is not None and trigger not in (
        Trigger.APPOINTMENT,
        Trigger.FOLLOW_UP,
    ):
        add("appointment_type", _("Only appointment and follow-up rules have a type."))
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)


def _check_location(actor: Any, location: Location | None) -> None:
    """A rule of one location is managed by who holds messages.manage there."""
    if location is not None:
        require(actor, Capability.MESSAGES_MANAGE, location)


def rule_create(
    *,
    actor: Any,
    name: str,
    trigger: str,
    kind: str,
    offset_minutes: int,
    channel: str = "",
    species: str = "",
    appointment_type: AppointmentType | None = None,
    visit_type: str = "",
    location: Location | None = None,
    is_active: bool = True,
) -> ReminderRule:
    """Add a reminder rule to the actor's organization (messages.manage)."""
    _require_manage(actor)
    _check_location(actor, location)
    fields = {
        "name": name.strip(),
        "trigger": trigger,
        "kind": kind,
        "offset_minutes": offset_minutes,
        "channel": channel or "",
        "species": species or "",
        "appointment_type": appointment_type,
        "visit_type": visit_type or "",
        "location": location,
        "is_active": is_active,
    }
    _validate(actor.organization_id, fields)
    with transaction.atomic():
        rule = ReminderRule.objects.create(organization_id=actor.organization_id, **fields)
        record(
            actor=actor,
            action="reminder_rule.create",
            target=rule,
            location=location,
            changes=snapshot(rule, RULE_FIELDS),
        )
    return rule


def rule_update(*, actor: Any, rule: ReminderRule, **changes: Any) -> ReminderRule:
    """Change a rule (messages.manage); deactivating one cancels its queued reminders at the
    next run."""
    _require_manage(actor)
    _check_location(actor, rule.location)
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("Some fields are not valid."),
            fields={name: [_("Unknown field.")] for name in sorted(unknown)},
        )
    if "location" in changes:
        _check_location(actor, changes["location"])
    before = snapshot(rule, RULE_FIELDS)
    fields = {**before, **changes}
    for text in ("channel", "species", "visit_type"):
        fields[text] = fields[text] or ""
    fields["name"] = str(fields["name"]).strip()
    _validate(rule.organization_id, fields)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(rule, name, value)
        rule.bump_version()
        rule.save()
        record(
            actor=actor,
            action="reminder_rule.update",
            target=rule,
            location=rule.location,
            changes=diff(before, snapshot(rule, RULE_FIELDS)),
        )
    return rule


def rules_create_recommended(*, organization: Any, actor: Any = None) -> list[ReminderRule]:
    """Add the recommended rules the organization (or its id) does not have yet (same trigger,
    message and offset); answers those added. With an actor: messages.manage and the audit
    event."""
    if actor is not None:
        _require_manage(actor)
    organization_id = getattr(organization, "pk", organization)
    have = set(
        ReminderRule.objects.filter(organization_id=organization_id).values_list(
            "trigger", "kind", "offset_minutes"
        )
    )
    added = []
    with transaction.atomic():
        for item in RECOMMENDED:
            if (item.trigger, item.kind, item.offset_minutes) in have:
                continue
            rule = ReminderRule.objects.create(
                organization_id=organization_id,
                name=str(item.name),
                trigger=item.trigger,
                kind=item.kind,
                offset_minutes=item.offset_minutes,
                visit_type=item.visit_type,
            )
            added.append(rule)
        if actor is not None and added:
            record(
                actor=actor,
                action="reminder_rule.create_recommended",
                target_type="accounts.organization",
                target_id=str(organization_id),
                organization=organization_id,
                changes={
                    "rules": [str(rule.pk) for rule in added],
                    "names": [rule.name for rule in added],
                },
            )
    return added


# ---------------------------------------------------------------- preview


@dataclass(frozen=True)
class PreviewRow:
    """One owner a rule would remind now."""

    client_name: str
    pet_name: str
    location_name: str
    cause_at: dt.datetime
    scheduled_for: dt.datetime


@dataclass(frozen=True)
class Preview:
    """Who a rule would remind now: how many, and the first of them."""

    count: int
    rows: list[PreviewRow]


def rule_preview(*, actor: Any, rule: ReminderRule, now: dt.datetime, first: int = 20) -> Preview:
    """How many reminders the rule would queue if the job ran now, and the first `first`
    (owners without a consented channel included: the outbox decides that when queuing)."""
    _require_manage(actor)
    count, dues = reminders.preview(rule, now, limit=first)
    due_list = list(dues)
    clients = clients_for({due.client_id for due in due_list})
    rows = [
        PreviewRow(
            client_name=clients[due.client_id].full_name if due.client_id in clients else "",
            pet_name=due.patient.name if due.patient else "",
            location_name=due.location.name if due.location else "",
            cause_at=due.cause_at,
            scheduled_for=due.scheduled_for,
        )
        for due in due_list
    ]
    return Preview(count=count, rows=rows)
