"""Vaccine protocols held as data, and the vaccinations given."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from vetrisys.core.models import BaseModel


def _localized(name_es: str, name_en: str) -> str:
    language = (get_language() or "es")[:2]
    return (name_en or name_es) if language == "en" else (name_es or name_en)


class VaccineProtocol(BaseModel):
    """How one vaccine is given to one species: the primary series, the first booster and
    the adult interval. Seeded rows are global; a clinic's edit is its own copy (`replaces`)."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    replaces = models.ForeignKey(
        "self", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    species = models.ForeignKey("patients.Species", on_delete=models.PROTECT, related_name="+")
    code = models.SlugField(_("code"), max_length=40)
    name_es = models.CharField(_("vaccine (Spanish)"), max_length=120)
    name_en = models.CharField(_("vaccine (English)"), max_length=120)
    diseases = models.CharField(_("diseases covered"), max_length=200, blank=True)
    is_core = models.BooleanField(_("core vaccine"), default=True)
    product_keywords = models.CharField(
        _("product name keywords"),
        max_length=200,
        blank=True,
        help_text=_("Comma-separated words; a vaccine product whose name has one counts."),
    )
    products = models.ManyToManyField(
        "inventory.Product", related_name="vaccine_protocols", blank=True
    )
    min_age_weeks = models.PositiveSmallIntegerField(_("minimum age at first dose (weeks)"))
    primary_doses = models.PositiveSmallIntegerField(
        _("doses in the primary series"),
        default=1,
        help_text=_("At least this many doses, also when the series starts late."),
    )
    primary_interval_weeks = models.PositiveSmallIntegerField(
        _("interval between primary doses (weeks)"), default=4
    )
    series_end_age_weeks = models.PositiveSmallIntegerField(
        _("repeat primary doses until this age (weeks)"), null=True, blank=True
    )
    first_booster_months = models.PositiveSmallIntegerField(
        _("first booster after the primary series (months)"), null=True, blank=True
    )
    booster_interval_months = models.PositiveSmallIntegerField(
        _("booster interval (months)"), null=True, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["-is_core", "name_es"]
        verbose_name = _("vaccine protocol")
        verbose_name_plural = _("vaccine protocols")
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(organization__isnull=True),
                name="vaccine_protocol_unique_global_code",
            ),
            models.UniqueConstraint(
                fields=["organization", "code"], name="vaccine_protocol_unique_code_per_org"
            ),
            models.CheckConstraint(
                condition=Q(primary_doses__gte=1) & Q(primary_interval_weeks__gte=1),
                name="vaccine_protocol_series_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The vaccine's name in the current language."""
        return _localized(self.name_es, self.name_en)

    @property
    def keywords(self) -> list[str]:
        """The product-name keywords, lower-case."""
        return [word.strip().lower() for word in self.product_keywords.split(",") if word.strip()]


class Vaccination(BaseModel):
    """A dose of a vaccine given to a patient: product, lot, date, who and where, and when
    the next dose is due."""

    class Route(models.TextChoices):
        SUBCUTANEOUS = "sc", _("Subcutaneous")
        INTRAMUSCULAR = "im", _("Intramuscular")
        INTRANASAL = "in", _("Intranasal")
        ORAL = "oral", _("Oral")
        TRANSDERMAL = "td", _("Transdermal")

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    location = models.ForeignKey("accounts.Location", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="vaccinations"
    )
    visit = models.ForeignKey(
        "records.Visit",
        on_delete=models.PROTECT,
        related_name="vaccinations",
        null=True,
        blank=True,
    )
    vet = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey("inventory.Product", on_delete=models.PROTECT, related_name="+")
    protocol = models.ForeignKey(
        VaccineProtocol, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    lot = models.ForeignKey(
        "inventory.Lot", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    lot_number = models.CharField(_("lot"), max_length=64, blank=True)
    lot_expires_on = models.DateField(_("lot expires on"), null=True, blank=True)
    administered_on = models.DateField(_("given on"))
    route = models.CharField(_("route"), max_length=10, choices=Route.choices, blank=True)
    site = models.CharField(_("site"), max_length=100, blank=True)
    dose_number = models.PositiveSmallIntegerField(_("dose"), default=1)
    next_due_on = models.DateField(_("next due on"), null=True, blank=True)
    next_due_is_overridden = models.BooleanField(_("next due date set by hand"), default=False)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-administered_on", "-created_at"]
        verbose_name = _("vaccination")
        verbose_name_plural = _("vaccinations")
        indexes = [
            models.Index(
                fields=["patient", "administered_on"], name="vaccination_patient_date_idx"
            ),
            models.Index(fields=["organization", "next_due_on"], name="vaccination_org_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(dose_number__gte=1), name="vaccination_dose_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.administered_on}"
