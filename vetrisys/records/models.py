"""Medical records: visits, their SOAP note, vitals, diagnoses, problems, procedures, lab
results, linked files and addenda; coded diagnosis terms and SOAP templates."""

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


class VisitType(models.TextChoices):
    """Why the patient came: picks the SOAP template offered."""

    CONSULTATION = "consultation", _("Consultation")
    VACCINATION = "vaccination", _("Vaccination")
    FOLLOW_UP = "follow_up", _("Follow-up")
    SURGERY = "surgery", _("Surgery")
    EMERGENCY = "emergency", _("Emergency")
    DENTAL = "dental", _("Dental")
    WELLNESS = "wellness", _("Wellness check")
    EUTHANASIA = "euthanasia", _("Euthanasia")
    OTHER = "other", _("Other")


class DiagnosisTerm(BaseModel):
    """A coded diagnosis: global reference data (no organization) or added by one clinic."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    code = models.CharField(_("code"), max_length=40)
    name_es = models.CharField(_("name (Spanish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    category = models.CharField(_("category"), max_length=40, blank=True)
    search_text = models.CharField(max_length=500, editable=False, db_index=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("diagnosis term")
        verbose_name_plural = _("diagnosis terms")
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(organization__isnull=True),
                name="diagnosis_term_unique_global_code",
            ),
            models.UniqueConstraint(
                fields=["organization", "code"], name="diagnosis_term_unique_code_per_org"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        """The name in the current language."""
        return _localized(self.name_es, self.name_en)


class SoapTemplate(BaseModel):
    """Reusable text for a SOAP note of one visit type: global or the clinic's own."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    visit_type = models.CharField(_("visit type"), max_length=20, choices=VisitType.choices)
    name = models.CharField(_("name"), max_length=120)
    language = models.CharField(_("language"), max_length=5, default="es")
    subjective = models.TextField(_("subjective"), blank=True)
    objective = models.TextField(_("objective"), blank=True)
    assessment = models.TextField(_("assessment"), blank=True)
    plan = models.TextField(_("plan"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["visit_type", "name"]
        verbose_name = _("SOAP template")
        verbose_name_plural = _("SOAP templates")

    def __str__(self) -> str:
        return self.name


class Visit(BaseModel):
    """One encounter of a patient with a vet at a location; open until signed, then locked."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SIGNED = "signed", _("Signed")

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    location = models.ForeignKey("accounts.Location", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="visits")
    # The owner at the time of the visit (the patient may change hands later).
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    vet = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    appointment = models.OneToOneField(
        "scheduling.Appointment",
        on_delete=models.PROTECT,
        related_name="visit",
        null=True,
        blank=True,
    )
    visit_type = models.CharField(
        _("visit type"), max_length=20, choices=VisitType.choices, default=VisitType.CONSULTATION
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    opened_at = models.DateTimeField(_("opened at"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "signed"]), name="visit_status_known"
            ),
            models.CheckConstraint(
                condition=Q(status="open", signed_at__isnull=True, signed_by__isnull=True)
                | Q(status="signed", signed_at__isnull=False, signed_by__isnull=False),
                name="visit_signed_has_signer",
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "-opened_at"], name="visit_patient_idx"),
            models.Index(fields=["location", "-opened_at"], name="visit_location_idx"),
            models.Index(fields=["vet", "status"], name="visit_vet_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.opened_at:%Y-%m-%d} {self.reason}".strip()

    @property
    def is_signed(self) -> bool:
        """Whether the visit is locked: only addenda may be added."""
        return self.status == self.Status.SIGNED


class _VisitPart(BaseModel):
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True


class SoapNote(_VisitPart):
    """The visit's note: subjective, objective, assessment, plan; saved as the vet types."""

    visit = models.OneToOneField(Visit, on_delete=models.PROTECT, related_name="soap")
    subjective = models.TextField(_("subjective"), blank=True)
    objective = models.TextField(_("objective"), blank=True)
    assessment = models.TextField(_("assessment"), blank=True)
    plan = models.TextField(_("plan"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        verbose_name = _("SOAP note")
        verbose_name_plural = _("SOAP notes")


class Vitals(_VisitPart):
    """One set of vital signs taken during a visit (any of them may be missing)."""

    class MucousMembranes(models.TextChoices):
        PINK = "pink", _("Pink (normal)")
        PALE = "pale", _("Pale")
        WHITE = "white", _("White")
        CYANOTIC = "cyanotic", _("Cyanotic (blue)")
        ICTERIC = "icteric", _("Icteric (yellow)")
        HYPEREMIC = "hyperemic", _("Hyperemic (red)")
        MUDDY = "muddy", _("Muddy / grey")

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="vitals")
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    weight_kg = models.DecimalField(
        _("weight (kg)"), max_digits=7, decimal_places=3, null=True, blank=True
    )
    temperature_c = models.DecimalField(
        _("temperature (°C)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    heart_rate = models.PositiveSmallIntegerField(_("heart rate (bpm)"), null=True, blank=True)
    respiratory_rate = models.PositiveSmallIntegerField(
        _("respiratory rate (breaths/min)"), null=True, blank=True
    )
    body_condition_score = models.PositiveSmallIntegerField(
        _("body condition score (1 to 9)"), null=True, blank=True
    )
    pain_score = models.PositiveSmallIntegerField(_("pain score (0 to 10)"), null=True, blank=True)
    mucous_membranes = models.CharField(
        _("mucous membranes"), max_length=20, choices=MucousMembranes.choices, blank=True
    )
    crt_seconds = models.DecimalField(
        _("capillary refill time (s)"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    weight_record = models.ForeignKey(
        "patients.WeightRecord", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        ordering = ["recorded_at", "id"]
        verbose_name = _("vitals")
        verbose_name_plural = _("vitals")
        constraints = [
            models.CheckConstraint(
                condition=Q(body_condition_score__isnull=True)
                | Q(body_condition_score__gte=1, body_condition_score__lte=9),
                name="vitals_bcs_1_to_9",
            ),
            models.CheckConstraint(
                condition=Q(pain_score__isnull=True) | Q(pain_score__lte=10),
                name="vitals_pain_0_to_10",
            ),
        ]


class Problem(BaseModel):
    """A condition on the patient's problem list, carried from visit to visit until resolved."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        RESOLVED = "resolved", _("Resolved")

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="problems"
    )
    term = models.ForeignKey(
        DiagnosisTerm, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    free_text = models.CharField(_("description"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    is_chronic = models.BooleanField(_("chronic"), default=False)
    noted_in_visit = models.ForeignKey(
        Visit, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    started_on = models.DateField(_("since"), null=True, blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        ordering = ["status", "-created_at"]
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        constraints = [
            models.CheckConstraint(
                condition=Q(term__isnull=False) | ~Q(free_text=""), name="problem_has_term_or_text"
            ),
            models.UniqueConstraint(
                fields=["patient", "term"],
                condition=Q(status="active", term__isnull=False),
                name="problem_unique_active_term",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The term's name or the free text."""
        return self.term.name if self.term is not None else self.free_text


class VisitDiagnosis(_VisitPart):
    """A diagnosis made in a visit: a coded term or free text, provisional or confirmed."""

    class Status(models.TextChoices):
        PROVISIONAL = "provisional", _("Provisional")
        CONFIRMED = "confirmed", _("Confirmed")
        RULED_OUT = "ruled_out", _("Ruled out")

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="diagnoses")
    term = models.ForeignKey(
        DiagnosisTerm, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    free_text = models.CharField(_("description"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PROVISIONAL
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    problem = models.ForeignKey(
        Problem, on_delete=models.PROTECT, related_name="diagnoses", null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("diagnosis")
        verbose_name_plural = _("diagnoses")
        constraints = [
            models.CheckConstraint(
                condition=Q(term__isnull=False) | ~Q(free_text=""),
                name="diagnosis_has_term_or_text",
            ),
        ]

    @property
    def label(self) -> str:
        """The term's name or the free text."""
        return self.term.name if self.term is not None else self.free_text


class Procedure(_VisitPart):
    """A service or treatment performed in a visit, from the price list: becomes a charge."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="procedures")
    product = models.ForeignKey("inventory.Product", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=3)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    performed_at = models.DateTimeField(_("performed at"))
    # Removed from an open visit (its charge cancelled); kept, never deleted.
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    removal_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["performed_at", "id"]
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="procedure_quantity_positive")
        ]


class LabResult(_VisitPart):
    """One lab value of a visit, with its unit, reference range and flag."""

    class Flag(models.TextChoices):
        NORMAL = "normal", _("Normal")
        LOW = "low", _("Low")
        HIGH = "high", _("High")
        ABNORMAL = "abnormal", _("Abnormal")
        CRITICAL = "critical", _("Critical")

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="lab_results")
    test_name = models.CharField(_("test"), max_length=120)
    value = models.CharField(_("value"), max_length=60)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    reference_range = models.CharField(_("reference range"), max_length=60, blank=True)
    flag = models.CharField(_("flag"), max_length=10, choices=Flag.choices, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    attachment = models.ForeignKey(
        "patients.Attachment", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("lab result")
        verbose_name_plural = _("lab results")


class VisitAttachment(_VisitPart):
    """A patient's file (X-ray, lab report…) linked to the visit it belongs to."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="attachment_links")
    attachment = models.ForeignKey(
        "patients.Attachment", on_delete=models.PROTECT, related_name="visit_links"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("visit attachment")
        verbose_name_plural = _("visit attachments")
        constraints = [
            models.UniqueConstraint(fields=["visit", "attachment"], name="visit_attachment_unique")
        ]


class Addendum(_VisitPart):
    """Text added to a signed visit: the only change a signed record accepts."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField(_("text"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("addendum")
        verbose_name_plural = _("addenda")
