"""Tenancy and people: organizations, locations, rooms, staff users, roles, memberships."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from vetrisys.core.ids import uuid7
from vetrisys.core.models import BaseModel
from vetrisys.core.money import CURRENCY_CHOICES

if TYPE_CHECKING:
    from vetrisys.accounts.capabilities import Capability


class Organization(BaseModel):
    """A clinic or a chain of clinics: the tenant every row belongs to."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    tax_id = models.CharField(_("tax id (RUC)"), max_length=20, blank=True)
    require_mfa = models.BooleanField(
        _("require two-factor authentication for staff"), default=False
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name


class LocationQuerySet(models.QuerySet["Location"]):
    def visible_to(self, user: Any) -> LocationQuerySet:
        """Locations the user holds a membership at (all of the organization for an admin)."""
        if not getattr(user, "is_authenticated", False) or user.organization_id is None:
            return self.none()
        org_locations = self.filter(organization_id=user.organization_id)
        if user.is_organization_wide():
            return org_locations
        return org_locations.filter(memberships__user=user).distinct()


class Location(BaseModel):
    """A site of the organization: its own time zone, currency, tax rate and address."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="locations"
    )
    name = models.CharField(_("name"), max_length=200)
    time_zone = models.CharField(_("time zone"), max_length=64, default="America/Lima")
    currency = models.CharField(
        _("currency"), max_length=3, choices=CURRENCY_CHOICES, default="PEN"
    )
    tax_rate = models.DecimalField(
        _("default tax rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("18.00"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = LocationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="location_unique_name_per_org"
            ),
            models.CheckConstraint(
                condition=models.Q(tax_rate__gte=0) & models.Q(tax_rate__lte=100),
                name="location_tax_rate_percent",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Room(BaseModel):
    """A room of a location: exam room, surgery, imaging, ward…"""

    class Kind(models.TextChoices):
        EXAM = "exam", _("Exam room")
        SURGERY = "surgery", _("Surgery")
        IMAGING = "imaging", _("Imaging")
        LAB = "lab", _("Laboratory")
        GROOMING = "grooming", _("Grooming")
        WARD = "ward", _("Ward / hospitalization")
        OTHER = "other", _("Other")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.EXAM)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [
            models.UniqueConstraint(
                fields=["location", "name"], name="room_unique_name_per_location"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Role(BaseModel):
    """A named set of capabilities; the built-in ones are kept in step with the code."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="roles")
    key = models.SlugField(_("key"), max_length=50)
    name = models.CharField(_("name"), max_length=100)
    capabilities = models.JSONField(_("capabilities"), default=list)
    is_builtin = models.BooleanField(_("built-in"), default=False, editable=False)
    is_organization_wide = models.BooleanField(
        _("applies at every location"), default=False, editable=False
    )

    class Meta:
        ordering = ["-is_builtin", "name"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="role_unique_key_per_org")
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The translated name of a built-in role, or the name an admin gave a custom one."""
        from vetrisys.accounts.capabilities import BUILTIN_ROLE_NAMES, BuiltinRole

        if self.is_builtin and self.key in BuiltinRole.__members__.values():
            return str(BUILTIN_ROLE_NAMES[BuiltinRole(self.key)])
        return self.name


class User(AbstractUser):
    """A person who signs in: staff of one organization (portal owners come later)."""

    class Language(models.TextChoices):
        SPANISH = "es", _("Spanish")
        ENGLISH = "en", _("English")

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
    )
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.SPANISH
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def display_name(self) -> str:
        """Full name, or the username when no name is set."""
        return self.get_full_name() or self.username

    def is_organization_wide(self) -> bool:
        """Whether one of the user's roles applies at every location (an admin)."""
        cache = getattr(self, "_organization_wide", None)
        if cache is None:
            cache = self.memberships.filter(role__is_organization_wide=True).exists()
            self._organization_wide = cache
        return cache

    def capabilities_at(self, location_id: Any) -> frozenset[Capability]:
        """The capabilities the user holds at one location."""
        from vetrisys.accounts.permissions import capability_map

        return capability_map(self).get(str(location_id), frozenset())


class StaffMembership(BaseModel):
    """A user's role at one location."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="memberships")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="memberships")

    class Meta:
        ordering = ["location__name"]
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "location", "role"], name="membership_unique_role_per_location"
            )
        ]


class ApiToken(BaseModel):
    """A bearer token for the HTTP API; only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
