"""Owners (clients) of an organization: contacts, phones, consents and the communication log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vetrisys.accounts.models import Organization
from vetrisys.core.crypto import blind_hash
from vetrisys.core.fields import (
    BlindIndexField,
    BlindIndexQuerySet,
    EncryptedCharField,
    EncryptedEmailField,
    with_blind_indexes,
)
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
    # Personal identifiers are encrypted at rest (docs/encryption.md); the *_hash columns are
    # keyed hashes that find them by their whole value. District and city stay plain: a
    # neighbourhood names nobody, and reports group owners by it.
    document_number = EncryptedCharField(_("document number"), max_length=20, blank=True)
    document_hash = BlindIndexField(source="document_number")
    email = EncryptedEmailField(_("email"), max_length=254, blank=True)
    email_hash = BlindIndexField(source="email")
    # The part before the @ and the domain, so "ana.munoz@" or "correo.pe" find the owner.
    email_local_hash = BlindIndexField(source="email", transform="email_local")
    email_domain_hash = BlindIndexField(source="email", transform="email_domain")
    address = EncryptedCharField(_("address"), max_length=300, blank=True)
    district = models.CharField(_("district"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    emergency_contact_name = EncryptedCharField(_("emergency contact"), max_length=200, blank=True)
    emergency_contact_phone = EncryptedCharField(
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

    objects = BlindIndexQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("owner")
        verbose_name_plural = _("owners")
        indexes = [
            models.Index(
                fields=["organization", "last_name", "first_name"], name="client_org_name"
            ),
            models.Index(fields=["organization", "email_hash"], name="client_org_email_hash"),
            models.Index(
                fields=["organization", "email_local_hash"], name="client_org_email_local"
            ),
            models.Index(
                fields=["organization", "email_domain_hash"], name="client_org_email_domain"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "document_hash"],
                condition=~models.Q(document_hash=""),
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

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The hash columns follow their sources also when only those are saved.
        kwargs["update_fields"] = with_blind_indexes(Client, kwargs.get("update_fields"))
        super().save(*args, **kwargs)

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
    number = EncryptedCharField(_("number"), max_length=40)
    e164 = EncryptedCharField(_("number (international)"), max_length=16, editable=False)
    # The keyed hash of the E.164 number: one number per owner, duplicates across owners.
    e164_hash = BlindIndexField(source="e164")
    # The number without the country code (+51); all the digits for numbers of other countries.
    national_digits = EncryptedCharField(max_length=15, editable=False)
    label = models.CharField(_("label"), max_length=10, choices=Label.choices, default=Label.MOBILE)
    is_primary = models.BooleanField(_("primary"), default=False)

    objects = BlindIndexQuerySet.as_manager()

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
            models.UniqueConstraint(
                fields=["client", "e164_hash"], name="client_phone_unique_number"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "e164_hash"], name="client_phone_org_number"),
        ]

    def __str__(self) -> str:
        return self.e164

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The ending hashes are derived data, kept with the number whichever code saves it.
        update_fields = with_blind_indexes(ClientPhone, kwargs.get("update_fields"))
        kwargs["update_fields"] = update_fields
        super().save(*args, **kwargs)
        if update_fields is None or "e164" in update_fields:
            ClientPhoneSuffix.replace_for([self])

    @classmethod
    def refresh_derived_hashes(cls, phones: Iterable[ClientPhone]) -> None:
        """Rewrite what is derived from the numbers beyond the model's own hash columns
        (the ending hashes); `rotate-keys --rehash` calls it after the hash key changed."""
        ClientPhoneSuffix.replace_for(phones)


MIN_SUFFIX_DIGITS = 4
SUFFIX_PURPOSE = "clients.clientphonesuffix.hash"


def phone_suffixes(e164: str) -> list[str]:
    """The endings a caller may be found by: the last 4 digits, 5, … up to all of them."""
    digits = e164.lstrip("+")
    return [digits[-length:] for length in range(MIN_SUFFIX_DIGITS, len(digits) + 1)]


class ClientPhoneSuffix(models.Model):
    """A keyed hash of the last N digits of a phone (N = 4 up to the whole number), so the
    front desk finds a caller by the end of the number while the number stays encrypted."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    phone = models.ForeignKey(ClientPhone, on_delete=models.CASCADE, related_name="suffixes")
    hash = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("phone ending")
        verbose_name_plural = _("phone endings")
        indexes = [
            models.Index(fields=["organization", "hash"], name="client_phone_suffix_lookup"),
        ]

    def __str__(self) -> str:
        return self.hash

    @staticmethod
    def hash_of(digits: str, organization_id: Any) -> str:
        """The hash stored (and searched) for a number's last `digits` in an organization."""
        return blind_hash(digits, purpose=SUFFIX_PURPOSE, scope=organization_id)

    @classmethod
    def rows_for(cls, phones: Iterable[ClientPhone]) -> list[ClientPhoneSuffix]:
        """Unsaved ending rows of phones that have their ids (saved or about to be)."""
        return [
            cls(
                organization_id=phone.organization_id,
                phone_id=phone.pk,
                hash=cls.hash_of(suffix, phone.organization_id),
            )
            for phone in phones
            for suffix in phone_suffixes(phone.e164 or "")
        ]

    @classmethod
    def replace_for(cls, phones: Iterable[ClientPhone]) -> None:
        """Rewrite the ending rows of `phones` from their current numbers."""
        phones = list(phones)
        cls.objects.filter(phone_id__in=[phone.pk for phone in phones]).delete()
        ClientPhoneSuffix.objects.bulk_create(cls.rows_for(phones))


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
