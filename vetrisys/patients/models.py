"""Animals: species and breeds, patients, their weights, attachments, notes and owners over time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from vetrisys.core.ids import uuid7
from vetrisys.core.models import BaseModel


def _localized(name_es: str, name_en: str) -> str:
    language = (get_language() or "es")[:2]
    return (name_en or name_es) if language == "en" else (name_es or name_en)


class Species(BaseModel):
    """A kind of animal: global reference data (no organization) or added by one clinic."""

    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    code = models.SlugField(_("code"), max_length=40)
    name_es = models.CharField(_("name (Spanish)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name_es"]
        verbose_name = _("species")
        verbose_name_plural = _("species")
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(organization__isnull=True),
                name="species_unique_global_code",
            ),
            models.UniqueConstraint(
                fields=["organization", "code"], name="species_unique_code_per_org"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the current language."""
        return _localized(self.name_es, self.name_en)


class Breed(BaseModel):
    """A breed of one species: global reference data or added by one clinic."""

    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    species = models.ForeignKey(Species, on_delete=models.PROTECT, related_name="breeds")
    name_es = models.CharField(_("name (Spanish)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name_es"]
        verbose_name = _("breed")
        verbose_name_plural = _("breeds")
        constraints = [
            models.UniqueConstraint(
                fields=["species", "name_es"],
                condition=Q(organization__isnull=True),
                name="breed_unique_global_name",
            ),
            models.UniqueConstraint(
                fields=["organization", "species", "name_es"],
                name="breed_unique_name_per_org",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the current language."""
        return _localized(self.name_es, self.name_en)


class Patient(BaseModel):
    """An animal of one owner, seen at any location of the organization."""

    class Sex(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")
        UNKNOWN = "unknown", _("Unknown")

    class Alert(models.TextChoices):
        AGGRESSIVE = "aggressive", _("Aggressive")
        BITES = "bites", _("Bites")
        ALLERGY = "allergy", _("Allergy")
        FEARFUL = "fearful", _("Fearful")
        DIABETIC = "diabetic", _("Diabetic")
        EPILEPTIC = "epileptic", _("Epileptic")
        BLOOD_DONOR = "blood_donor", _("Blood donor")
        OTHER = "other", _("Other")

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="patients"
    )
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="patients")
    name = models.CharField(_("name"), max_length=100)
    search_name = models.CharField(max_length=100, editable=False, db_index=True)
    species = models.ForeignKey(Species, on_delete=models.PROTECT, related_name="patients")
    breed = models.ForeignKey(
        Breed, on_delete=models.PROTECT, related_name="patients", null=True, blank=True
    )
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    neutered = models.BooleanField(_("neutered / spayed"), default=False)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    birth_date_is_estimated = models.BooleanField(_("birth date is estimated"), default=False)
    color = models.CharField(_("color and markings"), max_length=200, blank=True)
    microchip = models.CharField(_("microchip"), max_length=20, blank=True)
    allergies = models.TextField(_("allergies"), blank=True)
    chronic_conditions = models.TextField(_("chronic conditions"), blank=True)
    alerts = models.JSONField(_("alerts"), default=list, blank=True)
    alert_note = models.CharField(_("alert note"), max_length=300, blank=True)
    deceased_on = models.DateField(_("deceased on"), null=True, blank=True)
    photo = models.ForeignKey(
        "patients.Attachment",
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["search_name", "id"]
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "microchip"],
                condition=~Q(microchip=""),
                name="patient_unique_microchip_per_org",
            ),
            models.CheckConstraint(
                condition=Q(sex__in=["male", "female", "unknown"]), name="patient_sex_known"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "search_name"], name="patient_org_search_idx"),
            models.Index(fields=["organization", "microchip"], name="patient_org_chip_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_deceased(self) -> bool:
        """Whether the patient has died (no reminders, no bookings)."""
        return self.deceased_on is not None

    @property
    def alert_labels(self) -> list[str]:
        """The alerts as words, in the current language."""
        labels = dict(self.Alert.choices)
        return [str(labels.get(code, code)) for code in self.alerts or []]

    @property
    def has_alerts(self) -> bool:
        """Whether a banner should be shown wherever the patient appears."""
        return bool(self.alerts or self.allergies or self.alert_note or self.is_deceased)

    @property
    def age(self) -> Age | None:
        """Age today (or at death), or None when the birth date is unknown."""
        if self.birth_date is None:
            return None
        until = self.deceased_on or timezone.localdate()
        return Age.between(self.birth_date, until, is_estimated=self.birth_date_is_estimated)

    @property
    def weight_kg(self) -> Decimal | None:
        """The latest weight (annotated by the selectors as `latest_weight_kg`)."""
        if hasattr(self, "latest_weight_kg"):
            annotated: Decimal | None = self.latest_weight_kg
            return annotated
        return self.weights.order_by("-measured_at").values_list("weight_kg", flat=True).first()


class Age:
    """Whole years and months between two dates, as numbers and as words."""

    def __init__(self, years: int, months: int, days: int, *, is_estimated: bool) -> None:
        self.years = years
        self.months = months
        self.days = days
        self.is_estimated = is_estimated

    @classmethod
    def between(cls, start: dt.date, end: dt.date, *, is_estimated: bool = False) -> Age:
        """The age on `end` of something born on `start` (zero if `end` is earlier)."""
        if end < start:
            return cls(0, 0, 0, is_estimated=is_estimated)
        months = (end.year - start.year) * 12 + end.month - start.month
        if end.day < start.day:
            months -= 1
        anniversary = add_months(start, months)
        return cls(months // 12, months % 12, (end - anniversary).days, is_estimated=is_estimated)

    @property
    def text(self) -> str:
        """ "3 años 2 meses" / "3 years 2 months"; days for the very young."""
        from django.utils.translation import ngettext

        parts = []
        if self.years:
            parts.append(ngettext("%(n)d year", "%(n)d years", self.years) % {"n": self.years})
        if self.months:
            parts.append(ngettext("%(n)d month", "%(n)d months", self.months) % {"n": self.months})
        if not parts:
            parts.append(ngettext("%(n)d day", "%(n)d days", self.days) % {"n": self.days})
        text = " ".join(parts)
        return f"≈ {text}" if self.is_estimated else text

    def __str__(self) -> str:
        return self.text

    def as_dict(self) -> dict[str, Any]:
        """The structured age of the API."""
        return {
            "years": self.years,
            "months": self.months,
            "days": self.days,
            "is_estimated": self.is_estimated,
            "text": self.text,
        }


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole months, clamped to the end of shorter months."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    next_month = dt.date(year + (month // 12), month % 12 + 1, 1)
    last_day = (next_month - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last_day))


class OwnershipTransfer(BaseModel):
    """A patient passing from one owner to another of the same organization."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="transfers")
    from_client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    to_client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    transferred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("ownership transfer")
        verbose_name_plural = _("ownership transfers")


class WeightRecord(BaseModel):
    """One weighing, stored in kilograms; what was typed (kg or lb) is kept alongside."""

    class Unit(models.TextChoices):
        KG = "kg", _("kg")
        LB = "lb", _("lb")

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="weights")
    weight_kg = models.DecimalField(_("weight (kg)"), max_digits=7, decimal_places=3)
    entered_value = models.DecimalField(max_digits=8, decimal_places=3)
    entered_unit = models.CharField(max_length=2, choices=Unit.choices, default=Unit.KG)
    measured_at = models.DateTimeField(_("measured at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-measured_at"]
        verbose_name = _("weight")
        verbose_name_plural = _("weights")
        constraints = [
            models.CheckConstraint(
                condition=Q(weight_kg__gt=0) & Q(weight_kg__lte=1500), name="weight_plausible"
            )
        ]
        indexes = [models.Index(fields=["patient", "-measured_at"], name="weight_patient_idx")]


def attachment_path(instance: Attachment, filename: str) -> str:
    """Where an attachment is stored: never the uploaded name (only its extension)."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    today = timezone.now()
    return f"attachments/{instance.organization_id}/{today:%Y/%m}/{uuid7().hex}{suffix}"


class Attachment(BaseModel):
    """A file about a patient (X-ray, lab result, photo…) on the configured storage."""

    class Kind(models.TextChoices):
        XRAY = "xray", _("X-ray / imaging")
        LAB = "lab", _("Lab result")
        PHOTO = "photo", _("Photo")
        DOCUMENT = "document", _("Document")
        OTHER = "other", _("Other")

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    description = models.CharField(_("description"), max_length=300, blank=True)
    file = models.FileField(upload_to=attachment_path, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        """Whether browsers can show it as an image."""
        return self.content_type in {"image/png", "image/jpeg", "image/gif", "image/webp"}


class PatientNote(BaseModel):
    """A free-text note about a patient, shown in its history."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="notes")
    text = models.TextField(_("note"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")
