"""Owners (clients) of an organization: contacts, phones, consents and the communication log."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vetrisys.accounts.models import Organization
from vetrisys.core.models import BaseModel


class Channel(models.TextChoices):
    """Ways to reach an owner."""

    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")
    PHONE = "phone", _("Phone call")


# Channels that need the owner's consent before the clinic sends anything on them.
CONSENT_CHANNELS: tuple[str, ...] = (Channel.EMAIL, Channel.SMS, Channel.WHATSAPP)


class Client(BaseModel):
    """A pet owner of the organization (seen at every location of it)."""

    class DocumentType(models.TextChoices):
        DNI = "dni", _("DNI")
        RUC = "ruc", _("RUC")
        CE = "ce", _("Foreigner's card (CE)")
        PASSPORT = "passport", _("Passport")
        OTHER = "other", _("Other")

    class Language(models.TextChoices):
        SPANISH = "es", _("Spanish")
        ENGLISH = "en", _("English")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="clients")
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    # normalize_search("first last"): lowercase, no accents; what the search box matches.
    search_name = models.CharField(max_length=201, editable=False, default="")
    document_type = models.CharField(
        _("document type"), max_length=10, choices=DocumentType.choices, default=DocumentType.DNI
    )
    document_number = models.CharField(_("document number"), max_length=20, blank=True)
    email = models.EmailField(_("email"), max_length=254, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    district = models.CharField(_("district"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    emergency_contact_name = models.CharField(_("emergency contact"), max_length=200, blank=True)
    emergency_contact_phone = models.CharField(
        _("emergency contact phone"), max_length=20, blank=True
    )
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=10, choices=Channel.choices, default=Channel.PHONE
    )
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.SPANISH
    )
    # When the owner agreed to be contacted on each channel; empty means no consent.
    email_consent_at = models.DateTimeField(_("email consent given at"), null=True, blank=True)
    sms_consent_at = models.DateTimeField(_("SMS consent given at"), null=True, blank=True)
    whatsapp_consent_at = models.DateTimeField(
        _("WhatsApp consent given at"), null=True, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    # Placeholder until billing derives it from invoices and payments.
    balance = models.DecimalField(
        _("balance"), max_digits=12, decimal_places=2, default=Decimal("0.00"), editable=False
    )
    is_active = models.BooleanField(_("active"), default=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_duplicates",
        verbose_name=_("merged into"),
    )

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("owner")
        verbose_name_plural = _("owners")
        indexes = [
            models.Index(
                fields=["organization", "last_name", "first_name"], name="client_org_name"
            ),
            models.Index(fields=["organization", "email"], name="client_org_email"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "document_number"],
                condition=~models.Q(document_number=""),
                name="client_unique_document_per_org",
            ),
            models.CheckConstraint(
                condition=models.Q(is_active=True, archived_at__isnull=True)
                | models.Q(is_active=False, archived_at__isnull=False),
                name="client_archived_at_matches_is_active",
            ),
            models.CheckConstraint(
                condition=~models.Q(merged_into=models.F("id")),
                name="client_not_merged_into_itself",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        """First and last name as people write them."""
        return f"{self.first_name} {self.last_name}".strip()

    def consent_given_at(self, channel: str) -> dt.datetime | None:
        """When the owner consented to `channel` (None: no consent)."""
        value: dt.datetime | None = getattr(self, f"{channel}_consent_at")
        return value

    def has_consent(self, channel: str) -> bool:
        """Whether the clinic may send messages to the owner on `channel`."""
        return self.consent_given_at(channel) is not None


class ClientPhone(BaseModel):
    """One phone number of an owner; exactly one of them is the primary one."""

    class Label(models.TextChoices):
        MOBILE = "mobile", _("Mobile")
        HOME = "home", _("Home")
        WORK = "work", _("Work")
        OTHER = "other", _("Other")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("number"), max_length=40)
    e164 = models.CharField(_("number (international)"), max_length=16, editable=False)
    # The number without the country code (+51); all the digits for numbers of other countries.
    national_digits = models.CharField(max_length=15, editable=False)
    # The E.164 digits reversed, so "ends with 4321" is an indexed "starts with 1234".
    digits_reversed = models.CharField(max_length=15, editable=False, db_index=True)
    label = models.CharField(_("label"), max_length=10, choices=Label.choices, default=Label.MOBILE)
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        ordering = ["-is_primary", "created_at"]
        verbose_name = _("phone")
        verbose_name_plural = _("phones")
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=models.Q(is_primary=True),
                name="client_phone_one_primary",
            ),
            models.UniqueConstraint(fields=["client", "e164"], name="client_phone_unique_number"),
        ]

    def __str__(self) -> str:
        return self.e164


class Communication(BaseModel):
    """One entry of an owner's communication history: a call, a message, a note."""

    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")
        WHATSAPP = "whatsapp", _("WhatsApp")
        NOTE = "note", _("Note")
        LETTER = "letter", _("Letter")

    class Direction(models.TextChoices):
        INBOUND = "in", _("Received")
        OUTBOUND = "out", _("Sent")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="communications")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    direction = models.CharField(
        _("direction"), max_length=3, choices=Direction.choices, default=Direction.OUTBOUND
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"), blank=True)
    occurred_at = models.DateTimeField(_("when"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("logged by"),
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("communication")
        verbose_name_plural = _("communications")
        indexes = [
            models.Index(fields=["client", "-occurred_at"], name="communication_client_time"),
        ]

    def __str__(self) -> str:
        return self.subject or self.get_kind_display()
