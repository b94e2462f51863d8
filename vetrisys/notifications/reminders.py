"""The reminder job: which reminders are due now, queued once, and cancelled when their reason
is gone.

One run (`reminders_run`) does, for every active rule of every organization, one set-based
query that finds what is due (an appointment coming up, a vaccine coming due, a visit to follow
up, a birthday, an owner not seen for a while), leaves out what a message already exists for,
and queues the rest in bulk with an idempotency key. Before that, a handful of UPDATEs cancel
the queued reminders whose reason has gone (the appointment cancelled or moved, the vaccine
given, the patient died, the owner archived or the consent withdrawn); the sender checks
`reminder_still_valid` once more right before sending.

The window of a run is not "since the last run" but "what became due during the last
`GRACE[trigger]`": no state to lose, a job that did not run for a while catches up (within the
grace), and a rerun finds nothing new because every reminder has its key. An appointment
reminder is never sent once the appointment has started, nor when the appointment was booked
after the reminder's moment (the booking confirmation said it all).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vetrisys.accounts.models import Location, Organization
from vetrisys.billing.models import Invoice
from vetrisys.clients.models import Client
from vetrisys.notifications.models import Message, MessageChannel, MessageKind, ReminderRule
from vetrisys.patients.models import Patient
from vetrisys.records.models import Visit
from vetrisys.scheduling.models import Appointment
from vetrisys.vaccinations.models import Vaccination

Trigger = ReminderRule.Trigger

# A reminder of a day (vaccine, birthday, lapsed owner) is due at this local time of the day.
DAY_REMINDER_TIME = dt.time(9, 0)

# How late a reminder may still go out after its moment (a job that did not run, a rerun).
GRACE: dict[str, dt.timedelta] = {
    Trigger.APPOINTMENT: dt.timedelta(hours=6),
    Trigger.VACCINE_DUE: dt.timedelta(days=3),
    Trigger.FOLLOW_UP: dt.timedelta(days=2),
    Trigger.BIRTHDAY: dt.timedelta(hours=12),
    Trigger.LAPSED_CLIENT: dt.timedelta(days=7),
}

# What `cause_type` a reminder of each trigger points at.
CAUSE_TYPE: dict[str, str] = {
    Trigger.APPOINTMENT: "appointment",
    Trigger.VACCINE_DUE: "vaccination",
    Trigger.FOLLOW_UP: "visit",
    Trigger.BIRTHDAY: "patient",
    Trigger.LAPSED_CLIENT: "client",
}
REMINDER_CAUSES = tuple(CAUSE_TYPE.values())

APPOINTMENT_WAITING = (Appointment.Status.SCHEDULED, Appointment.Status.CHECKED_IN)

# Why a queued reminder was cancelled (stored in Message.cancelled_reason, in English; the
# screens translate the known ones through REASON_LABELS).
REASON_APPOINTMENT_CANCELLED = "appointment cancelled"
REASON_APPOINTMENT_NO_SHOW = "appointment marked as no-show"
REASON_APPOINTMENT_DONE = "appointment already under way or completed"
REASON_APPOINTMENT_MOVED = "appointment moved"
REASON_APPOINTMENT_STARTED = "appointment time has passed"
REASON_VACCINE_GIVEN = "vaccine given again"
REASON_VACCINE_DATE_CHANGED = "vaccine due date changed"
REASON_PATIENT_DECEASED = "patient deceased"
REASON_PATIENT_INACTIVE = "patient inactive"
REASON_CLIENT_ARCHIVED = "owner archived or merged"
REASON_CLIENT_RETURNED = "owner came back"
REASON_NO_CONSENT = "consent withdrawn"
REASON_RULE_INACTIVE = "reminder rule deactivated"
REASON_CAUSE_MISSING = "reason no longer exists"

REASON_LABELS = {
    REASON_APPOINTMENT_CANCELLED: _("appointment cancelled"),
    REASON_APPOINTMENT_NO_SHOW: _("appointment marked as no-show"),
    REASON_APPOINTMENT_DONE: _("appointment already under way or completed"),
    REASON_APPOINTMENT_MOVED: _("appointment moved"),
    REASON_APPOINTMENT_STARTED: _("appointment time has passed"),
    REASON_VACCINE_GIVEN: _("vaccine given again"),
    REASON_VACCINE_DATE_CHANGED: _("vaccine due date changed"),
    REASON_PATIENT_DECEASED: _("patient deceased"),
    REASON_PATIENT_INACTIVE: _("patient inactive"),
    REASON_CLIENT_ARCHIVED: _("owner archived or merged"),
    REASON_CLIENT_RETURNED: _("owner came back"),
    REASON_NO_CONSENT: _("consent withdrawn"),
    REASON_RULE_INACTIVE: _("reminder rule deactivated"),
    REASON_CAUSE_MISSING: _("reason no longer exists"),
}

CONSENT_FIELD = {
    "email": "email_consent_at",
    "sms": "sms_consent_at",
    "whatsapp": "whatsapp_consent_at",
}


@dataclass
class RunSummary:
    """What one run of the reminder job did, per message kind and per cancel reason."""

    now: dt.datetime
    queued: Counter[str] = field(default_factory=Counter)
    cancelled: Counter[str] = field(default_factory=Counter)
    sent: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    rules: int = 0

    @property
    def total_queued(self) -> int:
        """Messages queued by the run, all kinds."""
        return sum(self.queued.values())

    @property
    def total_cancelled(self) -> int:
        """Queued reminders the run cancelled, all reasons."""
        return sum(self.cancelled.values())


@dataclass(frozen=True)
class Due:
    """One reminder due: whom, about what, when, and what its text needs."""

    rule: ReminderRule
    client_id: uuid.UUID
    patient: Patient | None
    location: Location | None
    cause_id: uuid.UUID
    cause_at: dt.datetime
    scheduled_for: dt.datetime
    context: dict[str, Any]

    @property
    def cause_type(self) -> str:
        """What the reminder is about (appointment, vaccination, visit, patient, client)."""
        return CAUSE_TYPE[self.rule.trigger]

    @property
    def idempotency_key(self) -> str:
        """One key per rule, cause and moment of the cause: a rerun queues nothing twice and a
        moved appointment (a new moment) gets a reminder of its own."""
        moment = self.cause_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        return f"reminder:{self.rule.pk}:{self.cause_type}:{self.cause_id}:{moment}"


def require_aware(now: dt.datetime) -> dt.datetime:
    """`now` in UTC; a naive datetime is refused (its zone would be a guess)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("naive datetime: give a time zone offset")
    return now.astimezone(dt.UTC)


# ---------------------------------------------------------------- eligibility


def _patient_ok(prefix: str) -> Q:
    """The patient behind `prefix` is alive and active, and so is its owner."""
    return Q(
        **{
            f"{prefix}deceased_on__isnull": True,
            f"{prefix}is_active": True,
            f"{prefix}client__is_active": True,
            f"{prefix}client__merged_into__isnull": True,
        }
    )


def _reachable(rule: ReminderRule, prefix: str) -> Q:
    """The owner behind `prefix` consented to a channel this installation can send on (the
    outbox would queue nothing otherwise: leaving them out keeps reruns cheap)."""
    from vetrisys.notifications import channels

    if rule.channel == MessageChannel.IN_APP:
        return Q()
    consented = Q(pk__in=[])
    for channel, consent_field in CONSENT_FIELD.items():
        if channels.configured(channel):
            consented |= Q(**{f"{prefix}{consent_field}__isnull": False})
    return consented


def _client_ok(prefix: str) -> Q:
    return Q(**{f"{prefix}is_active": True, f"{prefix}merged_into__isnull": True})


def _already(rule: ReminderRule, cause_at: Any = None, since: dt.datetime | None = None) -> Exists:
    """A message of this rule for the candidate's cause exists (for this moment of it)."""
    messages = Message.objects.filter(
        organization_id=rule.organization_id,
        rule_id=rule.pk,
        cause_type=CAUSE_TYPE[rule.trigger],
        cause_id=OuterRef("pk"),
    )
    if cause_at is not None:
        messages = messages.filter(cause_at=cause_at)
    if since is not None:
        messages = messages.filter(cause_at__gte=since)
    return Exists(messages)


def _local_dates(
    now: dt.datetime, rule: ReminderRule, zone: str, *, at: dt.time = DAY_REMINDER_TIME
) -> list[dt.date]:
    """The dates D of `zone` whose reminder (D at `at`, plus the rule's offset) fell due in
    the rule's window (now - grace, now]."""
    tz = ZoneInfo(zone)
    offset = dt.timedelta(minutes=rule.offset_minutes)
    grace = GRACE[rule.trigger]
    first = (now - grace - offset).astimezone(tz).date() - dt.timedelta(days=1)
    last = (now - offset).astimezone(tz).date() + dt.timedelta(days=1)
    dates = []
    day = first
    while day <= last:
        moment = dt.datetime.combine(day, at, tzinfo=tz).astimezone(dt.UTC) + offset
        if now - grace < moment <= now:
            dates.append(day)
        day += dt.timedelta(days=1)
    return dates


def _window_start(rule: ReminderRule, now: dt.datetime) -> dt.datetime:
    """The earliest moment of a cause whose reminder can still be due at `now`."""
    return now - GRACE[rule.trigger] - dt.timedelta(minutes=rule.offset_minutes)


def _day_moment(day: dt.date, zone: str) -> dt.datetime:
    """The start of `day` in `zone`, in UTC: the moment a day-cause is stored with."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)


def _send_at(day: dt.date, zone: str, rule: ReminderRule) -> dt.datetime:
    return dt.datetime.combine(day, DAY_REMINDER_TIME, tzinfo=ZoneInfo(zone)).astimezone(
        dt.UTC
    ) + dt.timedelta(minutes=rule.offset_minutes)


# ---------------------------------------------------------------- due, per trigger


class _RunContext:
    """What a run looks up once: the organizations, and their locations (zones, addresses,
    quiet hours)."""

    def __init__(self) -> None:
        self._locations: dict[Any, list[Location]] = {}
        self.location_map: dict[Any, Location] = {}
        self.organizations: dict[Any, Organization] = {}

    def load(self, organization_ids: Iterable[Any]) -> None:
        ids = set(organization_ids)
        self.organizations = Organization.objects.in_bulk(ids)
        for location in (
            Location.objects.filter(organization_id__in=ids)
            .select_related("messaging")
            .order_by("created_at", "id")
        ):
            self._locations.setdefault(location.organization_id, []).append(location)
            self.location_map[location.pk] = location

    def locations(self, organization_id: Any) -> list[Location]:
        return self._locations.get(organization_id, [])

    def zones(self, organization_id: Any) -> set[str]:
        return {location.time_zone for location in self.locations(organization_id)}

    def home(self, rule: ReminderRule) -> Location | None:
        """The location an owner-level reminder speaks for: the rule's, else the first."""
        locations = self.locations(rule.organization_id)
        if rule.location_id:
            return next((loc for loc in locations if loc.pk == rule.location_id), None)
        return locations[0] if locations else None


def _species(rule: ReminderRule, prefix: str) -> Q:
    return Q(**{f"{prefix}species__code": rule.species}) if rule.species else Q()


def appointments_due(rule: ReminderRule, now: dt.datetime) -> QuerySet[Appointment]:
    """Appointments still waiting whose reminder moment (start + offset, the offset negative)
    fell in the window, that have not started, and that were booked before that moment."""
    offset = dt.timedelta(minutes=rule.offset_minutes)
    grace = GRACE[Trigger.APPOINTMENT]
    rows = Appointment.objects.filter(
        _patient_ok("patient__"),
        _reachable(rule, "client__"),
        organization_id=rule.organization_id,
        status__in=APPOINTMENT_WAITING,
        starts_at__gt=max(now, now - grace - offset),
        starts_at__lte=now - offset,
        created_at__lte=F("starts_at") + offset,
    )
    if rule.location_id:
        rows = rows.filter(location_id=rule.location_id)
    if rule.appointment_type_id:
        rows = rows.filter(appointment_type_id=rule.appointment_type_id)
    rows = rows.filter(_species(rule, "patient__"))
    return (
        rows.filter(~_already(rule, cause_at=OuterRef("starts_at")))
        .select_related("patient", "location", "vet")
        .order_by("starts_at", "id")
    )


def _later_dose() -> QuerySet[Vaccination]:
    """Doses of the same vaccine (protocol, or product without one) given to the same patient
    after the outer vaccination: it is superseded."""
    return Vaccination.objects.filter(patient_id=OuterRef("patient_id")).filter(
        Q(administered_on__gt=OuterRef("administered_on"))
        | Q(administered_on=OuterRef("administered_on"), created_at__gt=OuterRef("created_at")),
        Q(protocol_id=OuterRef("protocol_id"))
        | Q(protocol__isnull=True, product_id=OuterRef("product_id")),
    )


def vaccinations_due(
    rule: ReminderRule, now: dt.datetime, run: _RunContext
) -> QuerySet[Vaccination]:
    """The latest dose of each vaccine of each patient (none given after it) whose next due
    date, at the location where it was given, put this rule's moment in the window."""
    by_zone = Q()
    any_date = False
    for zone in sorted(run.zones(rule.organization_id)):
        dates = _local_dates(now, rule, zone)
        if dates:
            by_zone |= Q(location__time_zone=zone, next_due_on__in=dates)
            any_date = True
    if not any_date:
        return Vaccination.objects.none()
    rows = Vaccination.objects.filter(
        by_zone,
        _patient_ok("patient__"),
        _reachable(rule, "patient__client__"),
        organization_id=rule.organization_id,
    )
    if rule.location_id:
        rows = rows.filter(location_id=rule.location_id)
    rows = rows.filter(_species(rule, "patient__"))
    return (
        rows.filter(~Exists(_later_dose()))
        .filter(~_already(rule, since=_window_start(rule, now) - dt.timedelta(days=2)))
        .select_related("patient", "location", "product", "protocol")
        .order_by("next_due_on", "id")
    )


def visits_to_follow_up(rule: ReminderRule, now: dt.datetime) -> QuerySet[Visit]:
    """Signed visits (of the rule's visit type / appointment type) whose signing plus the
    offset fell in the window."""
    offset = dt.timedelta(minutes=rule.offset_minutes)
    grace = GRACE[Trigger.FOLLOW_UP]
    rows = Visit.objects.filter(
        _patient_ok("patient__"),
        _reachable(rule, "patient__client__"),
        organization_id=rule.organization_id,
        status=Visit.Status.SIGNED,
        signed_at__gt=now - grace - offset,
        signed_at__lte=now - offset,
        client_id=F("patient__client_id"),
    )
    if rule.location_id:
        rows = rows.filter(location_id=rule.location_id)
    if rule.visit_type:
        rows = rows.filter(visit_type=rule.visit_type)
    if rule.appointment_type_id:
        rows = rows.filter(appointment__appointment_type_id=rule.appointment_type_id)
    rows = rows.filter(_species(rule, "patient__"))
    return (
        rows.filter(~_already(rule))
        .select_related("patient", "location")
        .order_by("signed_at", "id")
    )


def birthdays_due(
    rule: ReminderRule, now: dt.datetime, run: _RunContext
) -> tuple[QuerySet[Patient], dict[tuple[int, int], dt.date]]:
    """Patients whose birthday (month and day, in the rule's location's zone) it is, with the
    local date each (month, day) stands for. 29 February is celebrated on the 28th in other
    years."""
    home = run.home(rule)
    if home is None:
        return Patient.objects.none(), {}
    dates = _local_dates(now, rule, home.time_zone)
    days: dict[tuple[int, int], dt.date] = {}
    for day in dates:
        days[(day.month, day.day)] = day
        if day.month == 2 and day.day == 28 and not _is_leap(day.year):
            days[(2, 29)] = day
    if not days:
        return Patient.objects.none(), {}
    born = Q()
    for month, day_of_month in days:
        born |= Q(birth_date__month=month, birth_date__day=day_of_month)
    rows = Patient.objects.filter(
        born,
        _patient_ok(""),
        _reachable(rule, "client__"),
        organization_id=rule.organization_id,
        birth_date__lt=min(dates),
    ).filter(_species(rule, ""))
    since = _day_moment(min(dates), home.time_zone) - dt.timedelta(days=1)
    return (
        rows.filter(~_already(rule, since=since))
        .select_related("species")
        .order_by("birth_date", "id")
    ), days


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def lapsed_clients_due(rule: ReminderRule, now: dt.datetime) -> QuerySet[Visit]:
    """Each owner's last visit, when it is `offset` old (in the window) and the owner has had
    no visit, invoice or booking since; the pet of that visit still alive."""
    offset = dt.timedelta(minutes=rule.offset_minutes)
    grace = GRACE[Trigger.LAPSED_CLIENT]
    later_visit = Visit.objects.filter(
        client_id=OuterRef("client_id"), opened_at__gt=OuterRef("opened_at")
    )
    later_invoice = Invoice.objects.filter(
        client_id=OuterRef("client_id"), issued_at__gt=OuterRef("opened_at")
    )
    booked = Appointment.objects.filter(
        client_id=OuterRef("client_id"),
        starts_at__gt=OuterRef("opened_at"),
        status__in=Appointment.ACTIVE_STATUSES,
    )
    rows = Visit.objects.filter(
        _patient_ok("patient__"),
        _client_ok("client__"),
        _reachable(rule, "client__"),
        organization_id=rule.organization_id,
        opened_at__gt=now - grace - offset,
        opened_at__lte=now - offset,
    )
    if rule.location_id:
        rows = rows.filter(location_id=rule.location_id)
    rows = rows.filter(_species(rule, "patient__"))
    already = Message.objects.filter(
        organization_id=rule.organization_id,
        rule_id=rule.pk,
        cause_type=CAUSE_TYPE[Trigger.LAPSED_CLIENT],
        cause_id=OuterRef("client_id"),
        cause_at=OuterRef("opened_at"),
    )
    return (
        rows.filter(~Exists(later_visit), ~Exists(later_invoice), ~Exists(booked))
        .filter(~Exists(already))
        .select_related("patient", "location")
        .order_by("opened_at", "id")
    )


def candidates(rule: ReminderRule, now: dt.datetime, run: _RunContext) -> QuerySet[Any]:
    """The rows (appointments, vaccinations, visits, patients) `rule` reminds of at `now`."""
    if rule.trigger == Trigger.APPOINTMENT:
        return appointments_due(rule, now)
    if rule.trigger == Trigger.VACCINE_DUE:
        return vaccinations_due(rule, now, run)
    if rule.trigger == Trigger.FOLLOW_UP:
        return visits_to_follow_up(rule, now)
    if rule.trigger == Trigger.BIRTHDAY:
        return birthdays_due(rule, now, run)[0]
    return lapsed_clients_due(rule, now)


def preview(rule: ReminderRule, now: dt.datetime, *, limit: int = 20) -> tuple[int, Iterator[Due]]:
    """How many reminders `rule` would queue at `now`, and the first `limit` of them."""
    now = require_aware(now)
    run = _RunContext()
    run.load([rule.organization_id])
    return candidates(rule, now, run).count(), due_reminders(rule, now, run, limit=limit)


def due_reminders(
    rule: ReminderRule, now: dt.datetime, run: _RunContext, *, limit: int | None = None
) -> Iterator[Due]:
    """Every reminder of `rule` due at `now` that has no message yet (one query)."""
    now = require_aware(now)
    offset = dt.timedelta(minutes=rule.offset_minutes)
    if rule.trigger == Trigger.APPOINTMENT:
        for appointment in appointments_due(rule, now)[:limit]:
            yield Due(
                rule=rule,
                client_id=appointment.client_id,
                patient=appointment.patient,
                location=appointment.location,
                cause_id=appointment.pk,
                cause_at=appointment.starts_at,
                scheduled_for=appointment.starts_at + offset,
                context={
                    "appointment_starts_at": appointment.starts_at,
                    "vet_name": appointment.vet.display_name,
                },
            )
    elif rule.trigger == Trigger.VACCINE_DUE:
        for vaccination in vaccinations_due(rule, now, run)[:limit]:
            assert vaccination.next_due_on is not None
            zone = vaccination.location.time_zone
            yield Due(
                rule=rule,
                client_id=vaccination.patient.client_id,
                patient=vaccination.patient,
                location=vaccination.location,
                cause_id=vaccination.pk,
                cause_at=_day_moment(vaccination.next_due_on, zone),
                scheduled_for=_send_at(vaccination.next_due_on, zone, rule),
                context={
                    "vaccine_name": (
                        vaccination.protocol.name
                        if vaccination.protocol
                        else vaccination.product.name
                    ),
                    "due_on": vaccination.next_due_on,
                },
            )
    elif rule.trigger == Trigger.FOLLOW_UP:
        for visit in visits_to_follow_up(rule, now)[:limit]:
            assert visit.signed_at is not None
            yield Due(
                rule=rule,
                client_id=visit.patient.client_id,
                patient=visit.patient,
                location=visit.location,
                cause_id=visit.pk,
                cause_at=visit.signed_at,
                scheduled_for=visit.signed_at + offset,
                context={},
            )
    elif rule.trigger == Trigger.BIRTHDAY:
        home = run.home(rule)
        patients, days = birthdays_due(rule, now, run)
        for patient in patients[:limit]:
            assert home is not None
            assert patient.birth_date is not None
            day = days[(patient.birth_date.month, patient.birth_date.day)]
            yield Due(
                rule=rule,
                client_id=patient.client_id,
                patient=patient,
                location=home,
                cause_id=patient.pk,
                cause_at=_day_moment(day, home.time_zone),
                scheduled_for=_send_at(day, home.time_zone, rule),
                context={},
            )
    elif rule.trigger == Trigger.LAPSED_CLIENT:
        seen: set[uuid.UUID] = set()
        for visit in lapsed_clients_due(rule, now)[:limit]:
            if visit.client_id in seen:  # two pets seen in the same last visit
                continue
            seen.add(visit.client_id)
            yield Due(
                rule=rule,
                client_id=visit.client_id,
                patient=visit.patient,
                location=visit.location,
                cause_id=visit.client_id,
                cause_at=visit.opened_at,
                scheduled_for=visit.opened_at + offset,
                context={},
            )


# ---------------------------------------------------------------- self-cancelling


def _cancel(rows: QuerySet[Message], reason: str, now: dt.datetime, summary: RunSummary) -> None:
    count = rows.update(status=Message.Status.CANCELLED, cancelled_reason=reason, updated_at=now)
    if count:
        summary.cancelled[reason] += count


def cancel_gone_reminders(*, now: dt.datetime, summary: RunSummary) -> None:
    """Cancel, set-based, every queued reminder whose reason is gone."""
    queued = Message.objects.filter(
        status=Message.Status.QUEUED, rule__isnull=False, cause_type__in=REMINDER_CAUSES
    )
    appointments = queued.filter(cause_type=CAUSE_TYPE[Trigger.APPOINTMENT])

    def appointment(**conditions: Any) -> Exists:
        return Exists(Appointment.objects.filter(pk=OuterRef("cause_id"), **conditions))

    _cancel(queued.filter(rule__is_active=False), REASON_RULE_INACTIVE, now, summary)
    _cancel(
        appointments.filter(appointment(status=Appointment.Status.CANCELLED)),
        REASON_APPOINTMENT_CANCELLED,
        now,
        summary,
    )
    _cancel(
        appointments.filter(appointment(status=Appointment.Status.NO_SHOW)),
        REASON_APPOINTMENT_NO_SHOW,
        now,
        summary,
    )
    _cancel(
        appointments.filter(
            appointment(status__in=[Appointment.Status.IN_PROGRESS, Appointment.Status.COMPLETED])
        ),
        REASON_APPOINTMENT_DONE,
        now,
        summary,
    )
    _cancel(
        appointments.filter(appointment(status__in=APPOINTMENT_WAITING)).filter(
            ~appointment(starts_at=OuterRef("cause_at"))
        ),
        REASON_APPOINTMENT_MOVED,
        now,
        summary,
    )
    _cancel(appointments.filter(cause_at__lte=now), REASON_APPOINTMENT_STARTED, now, summary)
    given_again = Vaccination.objects.filter(pk=OuterRef("cause_id")).filter(Exists(_later_dose()))
    _cancel(
        queued.filter(cause_type=CAUSE_TYPE[Trigger.VACCINE_DUE]).filter(Exists(given_again)),
        REASON_VACCINE_GIVEN,
        now,
        summary,
    )
    _cancel(
        queued.filter(patient__deceased_on__isnull=False), REASON_PATIENT_DECEASED, now, summary
    )
    _cancel(queued.filter(patient__is_active=False), REASON_PATIENT_INACTIVE, now, summary)
    _cancel(
        queued.filter(Q(client__is_active=False) | Q(client__merged_into__isnull=False)),
        REASON_CLIENT_ARCHIVED,
        now,
        summary,
    )
    no_consent = Q()
    for channel, consent_field in CONSENT_FIELD.items():
        no_consent |= Q(channel=channel, **{f"client__{consent_field}__isnull": True})
    _cancel(queued.filter(no_consent), REASON_NO_CONSENT, now, summary)


def reminder_still_valid(message: Message) -> tuple[bool, str]:
    """Whether a queued reminder's reason still holds right before sending; else the reason
    to cancel it. A message that is not a reminder is always valid."""
    if message.rule_id is None or message.cause_type not in REMINDER_CAUSES:
        return True, ""
    rule = ReminderRule.objects.filter(pk=message.rule_id).only("is_active").first()
    if rule is None or not rule.is_active:
        return False, REASON_RULE_INACTIVE
    client = Client.objects.filter(pk=message.client_id).first()
    if client is None or not client.is_active or client.merged_into_id is not None:
        return False, REASON_CLIENT_ARCHIVED
    consent_field = CONSENT_FIELD.get(message.channel)
    if consent_field and getattr(client, consent_field) is None:
        return False, REASON_NO_CONSENT
    if message.patient_id is not None:
        patient = Patient.objects.filter(pk=message.patient_id).first()
        if patient is None:
            return False, REASON_CAUSE_MISSING
        if patient.deceased_on is not None:
            return False, REASON_PATIENT_DECEASED
        if not patient.is_active:
            return False, REASON_PATIENT_INACTIVE
    return _cause_still_there(message)


def _cause_still_there(message: Message) -> tuple[bool, str]:
    if message.cause_id is None:
        return False, REASON_CAUSE_MISSING
    if message.cause_type == CAUSE_TYPE[Trigger.APPOINTMENT]:
        appointment = Appointment.objects.filter(pk=message.cause_id).first()
        if appointment is None:
            return False, REASON_CAUSE_MISSING
        if appointment.status == Appointment.Status.CANCELLED:
            return False, REASON_APPOINTMENT_CANCELLED
        if appointment.status == Appointment.Status.NO_SHOW:
            return False, REASON_APPOINTMENT_NO_SHOW
        if appointment.status not in APPOINTMENT_WAITING:
            return False, REASON_APPOINTMENT_DONE
        if message.cause_at is not None and appointment.starts_at != message.cause_at:
            return False, REASON_APPOINTMENT_MOVED
        if appointment.starts_at <= timezone.now():
            return False, REASON_APPOINTMENT_STARTED
    elif message.cause_type == CAUSE_TYPE[Trigger.VACCINE_DUE]:
        vaccination = (
            Vaccination.objects.filter(pk=message.cause_id).select_related("location").first()
        )
        if vaccination is None:
            return False, REASON_CAUSE_MISSING
        later = Vaccination.objects.filter(patient_id=vaccination.patient_id).filter(
            Q(administered_on__gt=vaccination.administered_on)
            | Q(administered_on=vaccination.administered_on, created_at__gt=vaccination.created_at)
        )
        if vaccination.protocol_id:
            later = later.filter(protocol_id=vaccination.protocol_id)
        else:
            later = later.filter(protocol__isnull=True, product_id=vaccination.product_id)
        if later.exists():
            return False, REASON_VACCINE_GIVEN
        if vaccination.next_due_on is None or (
            message.cause_at is not None
            and _day_moment(vaccination.next_due_on, vaccination.location.time_zone)
            != message.cause_at
        ):
            return False, REASON_VACCINE_DATE_CHANGED
    elif message.cause_type == CAUSE_TYPE[Trigger.LAPSED_CLIENT] and message.cause_at:
        returned = (
            Visit.objects.filter(
                client_id=message.cause_id, opened_at__gt=message.cause_at
            ).exists()
            or Invoice.objects.filter(
                client_id=message.cause_id, issued_at__gt=message.cause_at
            ).exists()
            or Appointment.objects.filter(
                client_id=message.cause_id,
                starts_at__gt=message.cause_at,
                status__in=Appointment.ACTIVE_STATUSES,
            ).exists()
        )
        if returned:
            return False, REASON_CLIENT_RETURNED
    return True, ""


# ---------------------------------------------------------------- the run


def active_rules() -> QuerySet[ReminderRule]:
    """Every active rule of every organization, in a stable order."""
    return ReminderRule.objects.filter(is_active=True).order_by("organization_id", "trigger", "id")


def reminders_run(*, now: dt.datetime, organization: Organization | None = None) -> RunSummary:
    """Cancel the queued reminders that lost their reason, then queue what is due at `now`
    for every active rule (of one organization, or all)."""
    from vetrisys.notifications.reminders_queue import messages_queue_bulk

    now = require_aware(now)
    summary = RunSummary(now=now)
    with transaction.atomic():
        cancel_gone_reminders(now=now, summary=summary)
    rules = active_rules()
    if organization is not None:
        rules = rules.filter(organization=organization)
    rule_list = list(rules)
    summary.rules = len(rule_list)
    run = _RunContext()
    run.load(rule.organization_id for rule in rule_list)
    for rule in rule_list:
        queued = messages_queue_bulk(
            due_reminders(rule, now, run),
            locations=run.location_map,
            organizations=run.organizations,
        )
        summary.queued.update(queued)
    return summary


SEND_BATCH = 500


def messages_send_due_by_kind(*, summary: RunSummary, limit: int = SEND_BATCH) -> None:
    """Send every message due by the clock (the outbox's sender, one claim each), counting
    sent and failed per kind into `summary`. A message is never sent before its time."""
    from vetrisys.notifications.services.outbox import message_send, messages_reap_stale

    messages_reap_stale()
    attempted: set[uuid.UUID] = set()
    while True:
        due = [
            (message_id, kind)
            for message_id, kind in Message.objects.filter(
                status=Message.Status.QUEUED, scheduled_for__lte=timezone.now()
            )
            .exclude(pk__in=attempted)
            .order_by("scheduled_for", "id")
            .values_list("id", "kind")[:limit]
        ]
        if not due:
            return
        for message_id, kind in due:
            attempted.add(message_id)
            status = message_send(message_id=message_id)
            if status == Message.Status.SENT:
                summary.sent[kind] += 1
            elif status == Message.Status.FAILED:
                summary.failed[kind] += 1
            elif status == Message.Status.CANCELLED:
                summary.cancelled["cancelled when sending"] += 1


def reminders_job(*, now: dt.datetime | None = None) -> RunSummary:
    """One run of the reminder job, as `vetrisys reminders` and the periodic task do it:
    queue what is due at `now` (default: the clock), then send what is due."""
    summary = reminders_run(now=now or timezone.now())
    messages_send_due_by_kind(summary=summary)
    return summary


__all__ = [
    "GRACE",
    "REASON_LABELS",
    "Due",
    "MessageKind",
    "RunSummary",
    "due_reminders",
    "reminder_still_valid",
    "reminders_job",
    "reminders_run",
]
