"""Prescriptions written on a visit."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vetrisys.core.models import BaseModel


class Prescription(BaseModel):
    """A medication prescribed on a visit: what, how much, how often, for how long."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    class Route(models.TextChoices):
        ORAL = "oral", _("Oral")
        TOPICAL = "topical", _("Topical")
        OPHTHALMIC = "ophthalmic", _("Ophthalmic")
        OTIC = "otic", _("Otic")
        SUBCUTANEOUS = "sc", _("Subcutaneous")
        INTRAMUSCULAR = "im", _("Intramuscular")
        INTRAVENOUS = "iv", _("Intravenous")
        TRANSDERMAL = "transdermal", _("Transdermal")
        INHALED = "inhaled", _("Inhaled")
        RECTAL = "rectal", _("Rectal")

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    location = models.ForeignKey("accounts.Location", on_delete=models.PROTECT, related_name="+")
    visit = models.ForeignKey("records.Visit", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="prescriptions"
    )
    prescriber = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    product = models.ForeignKey("inventory.Product", on_delete=models.PROTECT, related_name="+")
    dose = models.CharField(_("dose"), max_length=100)
    route = models.CharField(_("route"), max_length=20, choices=Route.choices)
    frequency = models.CharField(_("frequency"), max_length=100)
    duration_days = models.PositiveSmallIntegerField(_("duration (days)"), null=True, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    refills = models.PositiveSmallIntegerField(_("refills"), default=0)
    instructions = models.TextField(_("instructions"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    # What has left the pharmacy against this prescription (dispensing keeps it up to date).
    dispensed_quantity = models.DecimalField(
        _("dispensed"), max_digits=14, decimal_places=3, default=Decimal(0)
    )
    prescribed_at = models.DateTimeField(_("prescribed at"))

    class Meta:
        ordering = ["-prescribed_at", "-id"]
        verbose_name = _("prescription")
        verbose_name_plural = _("prescriptions")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="prescription_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(dispensed_quantity__gte=0), name="prescription_dispensed_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "completed", "cancelled"]),
                name="prescription_status_known",
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "-prescribed_at"], name="prescription_patient_idx"),
            models.Index(fields=["location", "status"], name="prescription_loc_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.product} — {self.dose}"

    @property
    def allowed_quantity(self) -> Decimal:
        """What may leave the pharmacy in all: the quantity, once plus once per refill."""
        return self.quantity * (1 + self.refills)

    @property
    def remaining_quantity(self) -> Decimal:
        """What is still to dispense, refills included (never below zero)."""
        return max(self.allowed_quantity - self.dispensed_quantity, Decimal(0))


class PrescriptionDispense(BaseModel):
    """One dispensing against a prescription: how much left which lots, by whom, and the
    pending charge it created."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    location = models.ForeignKey("accounts.Location", on_delete=models.PROTECT, related_name="+")
    prescription = models.ForeignKey(
        Prescription, on_delete=models.PROTECT, related_name="dispenses"
    )
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    movements = models.ManyToManyField("inventory.StockMovement", related_name="+")
    charge = models.ForeignKey(
        "billing.Charge", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    dispensed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    dispensed_at = models.DateTimeField(_("dispensed at"))

    class Meta:
        ordering = ["-dispensed_at", "-id"]
        verbose_name = _("dispensing")
        verbose_name_plural = _("dispensings")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="prescription_dispense_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prescription}: {self.quantity}"
