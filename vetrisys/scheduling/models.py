"""Scheduling: appointment types, opening hours, shifts and their exceptions, room closures,
appointments and the private calendar feeds of the vets."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vetrisys.accounts.models import Room
from vetrisys.core.models import BaseModel

# The default week of a location that never had its hours set: Monday to Saturday, 09:00-19:00.
DEFAULT_OPENING_HOURS: tuple[tuple[int, dt.time, dt.time], ...] = tuple(
    (weekday, dt.time(9), dt.time(19)) for weekday in range(6)
)
DEFAULT_SLOT_MINUTES = 15
MAX_DURATION_MINUTES = 24 * 60
MAX_BUFFER_MINUTES = 240
# The longest an appointment (and its busy range with buffers) may last. Services enforce it,
# and overlap queries rely on it for a lower bound that keeps them on a short index range.
MAX_APPOINTMENT_SPAN = dt.timedelta(minutes=MAX_DURATION_MINUTES)
MAX_BUSY_SPAN = dt.timedelta(minutes=MAX_DURATION_MINUTES + 2 * MAX_BUFFER_MINUTES)


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class AppointmentType(BaseModel):
    """A kind of appointment an organization offers: how long it takes and what it needs."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="appointment_types"
    )
    name = models.CharField(_("name"), max_length=100)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    color = models.CharField(_("color"), max_length=7, default="#0d6efd")
    species = models.ManyToManyField(
        "patients.Species",
        verbose_name=_("species"),
        related_name="+",
        blank=True,
        help_text=_("None selected means every species."),
    )
    requires_room_kind = models.CharField(
        _("needs a room of kind"),
        max_length=20,
        blank=True,
        choices=Room.Kind.choices,
    )
    price_item = models.ForeignKey(
        "inventory.Product",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("default price item"),
    )
    buffer_before_minutes = models.PositiveSmallIntegerField(
        _("buffer before (minutes)"), default=0
    )
    buffer_after_minutes = models.PositiveSmallIntegerField(_("buffer after (minutes)"), default=0)
    online_bookable = models.BooleanField(_("bookable online"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("appointment type")
        verbose_name_plural = _("appointment types")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="appointment_type_unique_name_per_org"
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0) & Q(duration_minutes__lte=MAX_DURATION_MINUTES),
                name="appointment_type_duration_positive",
            ),
            models.CheckConstraint(
                condition=Q(buffer_before_minutes__lte=MAX_BUFFER_MINUTES)
                & Q(buffer_after_minutes__lte=MAX_BUFFER_MINUTES),
                name="appointment_type_buffers_bounded",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def duration(self) -> dt.timedelta:
        """How long the appointment itself lasts."""
        return dt.timedelta(minutes=self.duration_minutes)

    @property
    def buffer_before(self) -> dt.timedelta:
        """Preparation time blocked before the appointment."""
        return dt.timedelta(minutes=self.buffer_before_minutes)

    @property
    def buffer_after(self) -> dt.timedelta:
        """Cleaning or note-writing time blocked after the appointment."""
        return dt.timedelta(minutes=self.buffer_after_minutes)


class LocationSchedule(BaseModel):
    """Scheduling settings of one location: the slot grid and whether its hours were set."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    location = models.OneToOneField(
        "accounts.Location", on_delete=models.PROTECT, related_name="schedule"
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("slot length (minutes)"), default=DEFAULT_SLOT_MINUTES
    )
    hours_set_at = models.DateTimeField(_("opening hours set at"), null=True, blank=True)

    class Meta:
        verbose_name = _("location schedule")
        verbose_name_plural = _("location schedules")
        constraints = [
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5) & Q(slot_minutes__lte=120),
                name="location_schedule_slot_bounded",
            )
        ]


class OpeningHours(BaseModel):
    """One opening interval of a location on a weekday, in local time; several make breaks."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    location = models.ForeignKey(
        "accounts.Location", on_delete=models.PROTECT, related_name="opening_hours"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens_at = models.TimeField(_("opens at"))
    closes_at = models.TimeField(_("closes at"))

    class Meta:
        ordering = ["location", "weekday", "opens_at"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__lt=models.F("closes_at")),
                name="opening_hours_opens_before_close",
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0) & Q(weekday__lte=6), name="opening_hours_weekday_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}-{self.closes_at:%H:%M}"


class Shift(BaseModel):
    """A recurring weekly working interval of one staff member at one location."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    location = models.ForeignKey(
        "accounts.Location", on_delete=models.PROTECT, related_name="shifts"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="shifts"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        ordering = ["staff", "weekday", "starts_at"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=models.F("ends_at")), name="shift_starts_before_end"
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0) & Q(weekday__lte=6), name="shift_weekday_valid"
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_from__lte=models.F("valid_until")),
                name="shift_validity_ordered",
            ),
        ]
        indexes = [models.Index(fields=["location", "weekday"], name="shift_location_weekday_idx")]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"

    def applies_on(self, day: dt.date) -> bool:
        """Whether the shift is worked on `day` (its weekday, inside its validity)."""
        return (
            day.weekday() == self.weekday
            and (self.valid_from is None or self.valid_from <= day)
            and (self.valid_until is None or day <= self.valid_until)
        )


class ShiftException(BaseModel):
    """A change to the weekly pattern on one date: leave, a holiday, or extra hours."""

    class Kind(models.TextChoices):
        LEAVE = "leave", _("Leave")
        HOLIDAY = "holiday", _("Holiday")
        EXTRA = "extra", _("Extra hours")

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    location = models.ForeignKey(
        "accounts.Location", on_delete=models.PROTECT, related_name="shift_exceptions"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="shift_exceptions"
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    starts_at = models.TimeField(_("starts at"), null=True, blank=True)
    ends_at = models.TimeField(_("ends at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["date", "starts_at"]
        verbose_name = _("shift exception")
        verbose_name_plural = _("shift exceptions")
        constraints = [
            models.CheckConstraint(
                condition=(Q(starts_at__isnull=True) & Q(ends_at__isnull=True))
                | (
                    Q(starts_at__isnull=False)
                    & Q(ends_at__isnull=False)
                    & Q(starts_at__lt=models.F("ends_at"))
                ),
                name="shift_exception_times_paired",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["leave", "holiday", "extra"]),
                name="shift_exception_kind_known",
            ),
        ]
        indexes = [models.Index(fields=["location", "date"], name="shift_exception_day_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%Y-%m-%d}"

    @property
    def is_whole_day(self) -> bool:
        """Whether the exception covers the whole day (no times given)."""
        return self.starts_at is None


class RoomClosure(BaseModel):
    """A period when a room cannot be booked (maintenance, cleaning, repairs)."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    location = models.ForeignKey("accounts.Location", on_delete=models.PROTECT, related_name="+")
    room = models.ForeignKey("accounts.Room", on_delete=models.PROTECT, related_name="closures")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("room closure")
        verbose_name_plural = _("room closures")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=models.F("ends_at")),
                name="room_closure_starts_before_end",
            )
        ]
        indexes = [models.Index(fields=["room", "starts_at"], name="room_closure_room_idx")]


class Appointment(BaseModel):
    """A booking of one patient with one vet (and maybe a room) at a location."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CHECKED_IN = "checked_in", _("Checked in")
        IN_PROGRESS = "in_progress", _("In consultation")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("No-show")

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="appointments"
    )
    location = models.ForeignKey(
        "accounts.Location", on_delete=models.PROTECT, related_name="appointments"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="appointments"
    )
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="appointments"
    )
    vet = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments"
    )
    room = models.ForeignKey(
        "accounts.Room",
        on_delete=models.PROTECT,
        related_name="appointments",
        null=True,
        blank=True,
    )
    appointment_type = models.ForeignKey(
        AppointmentType, on_delete=models.PROTECT, related_name="appointments"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    # The time the vet and room are held: the appointment plus the type's buffers.
    busy_from = models.DateTimeField(editable=False)
    busy_until = models.DateTimeField(editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SCHEDULED
    )
    notes = models.TextField(_("notes"), blank=True)
    is_overbooked = models.BooleanField(_("overbooked"), default=False)
    overbook_reason = models.CharField(_("overbooking reason"), max_length=300, blank=True)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=300, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    no_show_at = models.DateTimeField(_("marked as no-show at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    ical_sequence = models.PositiveIntegerField(default=0, editable=False)

    ACTIVE_STATUSES = (Status.SCHEDULED, Status.CHECKED_IN, Status.IN_PROGRESS)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=models.F("ends_at")),
                name="appointment_starts_before_end",
            ),
            models.CheckConstraint(
                condition=Q(busy_from__lte=models.F("starts_at"))
                & Q(busy_until__gte=models.F("ends_at")),
                name="appointment_busy_covers_appointment",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "scheduled",
                        "checked_in",
                        "in_progress",
                        "completed",
                        "cancelled",
                        "no_show",
                    ]
                ),
                name="appointment_status_known",
            ),
            models.CheckConstraint(
                condition=Q(is_overbooked=False) | ~Q(overbook_reason=""),
                name="appointment_overbook_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["location", "starts_at"], name="appointment_location_day_idx"),
            models.Index(fields=["vet", "busy_from"], name="appointment_vet_busy_idx"),
            models.Index(fields=["room", "busy_from"], name="appointment_room_busy_idx"),
            models.Index(fields=["patient", "starts_at"], name="appointment_patient_idx"),
            models.Index(fields=["status", "location"], name="appointment_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} {self.patient_id}"

    @property
    def is_active(self) -> bool:
        """Whether the appointment still holds its vet and room."""
        return self.status in self.ACTIVE_STATUSES


class CalendarFeed(BaseModel):
    """A vet's private iCalendar address; only a hash of its token is kept."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
