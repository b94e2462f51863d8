"""The message outbox, message templates and reminder rules.

Every message to an owner is a row of `Message`, written in the same transaction as its cause
(an appointment booked, a vaccine coming due, a receipt issued) and sent afterwards by a job
that claims the row first: a worker killed mid-send leaves the row claimed ("sending") and the
next run decides from the provider's answer, never by sending again blindly.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vetrisys.accounts.models import Location, Organization
from vetrisys.clients.models import Client
from vetrisys.core.models import BaseModel
from vetrisys.patients.models import Patient


class MessageChannel(models.TextChoices):
    """How a message reaches the owner."""

    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")
    IN_APP = "in_app", _("In the app")


class MessageKind(models.TextChoices):
    """Why a message is sent (one template per kind, language and channel)."""

    APPOINTMENT_CONFIRMATION = "appointment_confirmation", _("Appointment confirmation")
    APPOINTMENT_REMINDER = "appointment_reminder", _("Appointment reminder")
    VACCINE_DUE = "vaccine_due", _("Vaccine due")
    VACCINE_OVERDUE = "vaccine_overdue", _("Vaccine overdue")
    FOLLOW_UP = "follow_up", _("Follow-up")
    BIRTHDAY = "birthday", _("Birthday")
    LAPSED_CLIENT = "lapsed_client", _("We miss you")
    RECEIPT = "receipt", _("Receipt")
    GENERAL = "general", _("Message")


class MessageTemplate(BaseModel):
    """The text of one kind of message in one language for one channel, per organization.

    `subject` and `body` are Django template source with the variables of the kind (pet name,
    owner name, the date in the location's zone, the clinic's address and phone, a portal
    link). An organization without its own template uses the built-in default of the kind.
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=40, choices=MessageKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=MessageChannel.choices)
    language = models.CharField(_("language"), max_length=5, choices=Client.Language.choices)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "channel", "language"]
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "channel", "language"],
                name="message_template_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_channel_display()} · {self.language}"


class ReminderRule(BaseModel):
    """When to remind whom of what: reminders as data, edited by a manager.

    `offset_minutes` is relative to the reason's moment: negative before it (an appointment's
    start, a vaccine's due date at the location's opening), zero on it, positive after it (a
    visit signed, a vaccine overdue, the last visit for a lapsed client).
    """

    class Trigger(models.TextChoices):
        APPOINTMENT = "appointment", _("Appointment")
        VACCINE_DUE = "vaccine_due", _("Vaccine due date")
        FOLLOW_UP = "follow_up", _("Visit (follow-up)")
        BIRTHDAY = "birthday", _("Birthday")
        LAPSED_CLIENT = "lapsed_client", _("Last visit (lapsed client)")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    # Empty: every location of the organization.
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("location"),
    )
    name = models.CharField(_("name"), max_length=120)
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices)
    kind = models.CharField(_("message"), max_length=40, choices=MessageKind.choices)
    offset_minutes = models.IntegerField(_("offset (minutes)"))
    # Empty: the owner's preferred channel among those they consented to.
    channel = models.CharField(
        _("channel"), max_length=10, choices=MessageChannel.choices, blank=True
    )
    # Conditions: empty means any.
    species = models.CharField(_("species"), max_length=40, blank=True)
    appointment_type = models.ForeignKey(
        "scheduling.AppointmentType",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("appointment type"),
    )
    # Follow-up rules: the kind of visit (records.VisitType, e.g. surgery); empty means any.
    visit_type = models.CharField(_("visit type"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["trigger", "offset_minutes", "name"]
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")

    def __str__(self) -> str:
        return self.name


class Message(BaseModel):
    """One message to an owner: the outbox row and, once sent, the delivery record.

    `idempotency_key` names the purpose ("appointment_reminder:<rule>:<appointment>:<starts_at>",
    "receipt:<invoice>", ...): unique per organization, so the same reason never queues twice.
    `cause_type` / `cause_id` point at what the message is about, so that a reminder whose
    reason is gone (the vaccine given, the appointment cancelled or moved, the patient died) is
    cancelled while still queued.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="messages")
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    kind = models.CharField(_("kind"), max_length=40, choices=MessageKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=MessageChannel.choices)
    rule = models.ForeignKey(
        ReminderRule, on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    template = models.ForeignKey(
        MessageTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    language = models.CharField(_("language"), max_length=5, choices=Client.Language.choices)
    to = models.CharField(_("to"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    scheduled_for = models.DateTimeField(_("scheduled for"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    provider_id = models.CharField(_("provider reference"), max_length=120, blank=True)
    error = models.TextField(_("error"), blank=True)
    cancelled_reason = models.CharField(_("cancelled because"), max_length=200, blank=True)
    idempotency_key = models.CharField(max_length=200)
    cause_type = models.CharField(max_length=40, blank=True)
    cause_id = models.UUIDField(null=True, blank=True)
    # The moment of the cause the message was computed for (an appointment's start, a
    # vaccine's due day): when the cause moves, the queued message no longer matches it.
    cause_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-scheduled_for", "-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "idempotency_key"], name="message_unique_purpose"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "scheduled_for"], name="message_due"),
            models.Index(fields=["client", "-scheduled_for"], name="message_client_time"),
            models.Index(fields=["cause_type", "cause_id"], name="message_cause"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.to}"


class LocationMessaging(BaseModel):
    """How a location talks to owners: the quiet hours when reminders wait.

    `quiet_from` / `quiet_until` are local times in the location's zone; the period may cross
    midnight (21:00 → 08:00). A message due inside it is sent when it ends, except the kinds
    that answer something the owner just did (a receipt, a booking confirmation). No row, or
    empty times: no quiet hours.
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    location = models.OneToOneField(
        Location, on_delete=models.CASCADE, related_name="messaging", verbose_name=_("location")
    )
    quiet_from = models.TimeField(_("quiet from"), null=True, blank=True)
    quiet_until = models.TimeField(_("quiet until"), null=True, blank=True)

    class Meta:
        verbose_name = _("location messaging")
        verbose_name_plural = _("location messaging")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quiet_from__isnull=True, quiet_until__isnull=True)
                | models.Q(quiet_from__isnull=False, quiet_until__isnull=False),
                name="location_messaging_quiet_both_or_none",
            ),
        ]

    def __str__(self) -> str:
        return str(self.location)
