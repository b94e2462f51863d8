"""Writes of tenancy and people. Each checks the capability, validates, writes, audits."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import (
    ADMIN_ONLY_CAPABILITIES,
    BUILTIN_ROLE_CAPABILITIES,
    BUILTIN_ROLE_NAMES,
    ORGANIZATION_WIDE_ROLES,
    BuiltinRole,
    Capability,
)
from vetrisys.accounts.models import (
    ApiToken,
    Location,
    Organization,
    Role,
    Room,
    StaffMembership,
    User,
)
from vetrisys.accounts.permissions import capability_map, forget_capabilities, require
from vetrisys.audit.services import diff, record, snapshot
from vetrisys.core.errors import Conflict, NotAllowed, NotAuthenticated, ValidationFailed
from vetrisys.core.money import CURRENCY_PLACES
from vetrisys.core.timeutil import is_valid_time_zone

LOCATION_FIELDS = ["name", "time_zone", "currency", "tax_rate", "address", "phone", "is_active"]
STAFF_FIELDS = ["first_name", "last_name", "email", "language", "is_active"]
ORGANIZATION_FIELDS = ["name", "legal_name", "tax_id", "require_mfa"]


# ---------------------------------------------------------------- organizations and roles


def roles_sync_builtin(*, organization: Organization) -> list[Role]:
    """Create or refresh the built-in roles of an organization from the code's definition."""
    roles = []
    for key, capabilities in BUILTIN_ROLE_CAPABILITIES.items():
        role, _created = Role.objects.update_or_create(
            organization=organization,
            key=str(key),
            defaults={
                "name": str(BUILTIN_ROLE_NAMES[key]),
                "capabilities": sorted(str(c) for c in capabilities),
                "is_builtin": True,
                "is_organization_wide": key in ORGANIZATION_WIDE_ROLES,
            },
        )
        roles.append(role)
    return roles


@dataclass(frozen=True)
class NewOrganization:
    """What `organization_create` made."""

    organization: Organization
    location: Location
    admin: User


@transaction.atomic
def organization_create(
    *,
    name: str,
    location_name: str,
    admin_username: str,
    admin_password: str,
    time_zone: str = "America/Lima",
    currency: str = "PEN",
    tax_rate: Decimal = Decimal("18.00"),
) -> NewOrganization:
    """Create an organization with its first location, its roles and its first admin."""
    name = name.strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("The organization needs a name.")]
    if not location_name.strip():
        errors["location_name"] = [_("The location needs a name.")]
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)
    if Organization.objects.filter(name__iexact=name).exists():
        raise Conflict(
            _("An organization named %(name)s already exists.") % {"name": name},
            code="organization_exists",
        )
    _check_username_free(admin_username)
    organization = Organization.objects.create(name=name)
    location_fields = _clean_location_fields(
        {
            "name": location_name.strip(),
            "time_zone": time_zone,
            "currency": currency,
            "tax_rate": tax_rate,
        }
    )
    location = Location.objects.create(organization=organization, **location_fields)
    roles = {role.key: role for role in roles_sync_builtin(organization=organization)}
    admin = User(username=admin_username, organization=organization, is_staff=False)
    _set_password(admin, admin_password)
    admin.save()
    StaffMembership.objects.create(
        organization=organization, user=admin, location=location, role=roles["admin"]
    )
    record(
        actor=None,
        organization=organization,
        action="organization.create",
        target=organization,
        changes={"name": name, "location": location.name, "admin": admin_username},
    )
    return NewOrganization(organization=organization, location=location, admin=admin)


@transaction.atomic
def organization_update(*, actor: Any, organization: Organization, **fields: Any) -> Organization:
    """Change the organization's settings (name, legal data, MFA requirement)."""
    require(actor, Capability.ORGANIZATION_MANAGE)
    if organization.pk != actor.organization_id:
        raise NotAllowed(_("You do not have permission to do this."))
    unknown = set(fields) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise ValidationFailed.for_field(sorted(unknown)[0], _("This field cannot be changed."))
    if "name" in fields:
        fields["name"] = str(fields["name"]).strip()
        if not fields["name"]:
            raise ValidationFailed.for_field("name", _("The organization needs a name."))
        taken = Organization.objects.filter(name__iexact=fields["name"]).exclude(pk=organization.pk)
        if taken.exists():
            raise Conflict(_("Another organization has this name."), code="organization_exists")
    before = snapshot(organization, ORGANIZATION_FIELDS)
    for key, value in fields.items():
        setattr(organization, key, value)
    organization.bump_version()
    organization.save()
    record(
        actor=actor,
        action="organization.update",
        target=organization,
        changes=diff(before, snapshot(organization, ORGANIZATION_FIELDS)),
    )
    return organization


@transaction.atomic
def role_create(*, actor: Any, name: str, capabilities: list[str]) -> Role:
    """Define a custom role from a set of capabilities."""
    require(actor, Capability.ROLES_MANAGE)
    name = name.strip()
    caps = _clean_capabilities(capabilities)
    if not name:
        raise ValidationFailed.for_field("name", _("The role needs a name."))
    key = _role_key(name)
    if Role.objects.filter(organization_id=actor.organization_id, key=key).exists():
        raise Conflict(_("A role with this name already exists."), code="role_exists")
    role = Role.objects.create(
        organization_id=actor.organization_id, key=key, name=name, capabilities=caps
    )
    record(
        actor=actor,
        action="role.create",
        target=role,
        changes={"name": name, "capabilities": caps},
    )
    return role


@transaction.atomic
def role_update(*, actor: Any, role: Role, name: str, capabilities: list[str]) -> Role:
    """Rename a custom role or change its capabilities (built-in roles are fixed)."""
    require(actor, Capability.ROLES_MANAGE)
    if role.is_builtin:
        raise Conflict(_("Built-in roles cannot be changed."), code="role_builtin")
    name = name.strip()
    if not name:
        raise ValidationFailed.for_field("name", _("The role needs a name."))
    before = snapshot(role, ["name", "capabilities"])
    role.name = name
    role.capabilities = _clean_capabilities(capabilities)
    role.bump_version()
    role.save()
    record(
        actor=actor,
        action="role.update",
        target=role,
        changes=diff(before, snapshot(role, ["name", "capabilities"])),
    )
    return role


def _clean_capabilities(capabilities: list[str]) -> list[str]:
    known = {str(c) for c in Capability}
    unknown = [c for c in capabilities if c not in known]
    if unknown:
        raise ValidationFailed.for_field(
            "capabilities", _("Unknown capability: %(name)s") % {"name": unknown[0]}
        )
    return sorted(set(capabilities))


def _role_key(name: str) -> str:
    from django.utils.text import slugify

    base = slugify(name)[:40] or "role"
    if base in {str(r) for r in BuiltinRole}:
        base = f"custom-{base}"
    return base


# ---------------------------------------------------------------- locations and rooms


def _clean_location_fields(fields: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if "name" in fields:
        fields["name"] = str(fields["name"]).strip()
        if not fields["name"]:
            errors["name"] = [_("The location needs a name.")]
    if "time_zone" in fields and not is_valid_time_zone(str(fields["time_zone"])):
        errors["time_zone"] = [_("Not a known time zone (for example America/Lima).")]
    if "currency" in fields and fields["currency"] not in CURRENCY_PLACES:
        errors["currency"] = [_("Not a supported currency.")]
    if "tax_rate" in fields:
        try:
            rate = Decimal(str(fields["tax_rate"]))
            if (
                not rate.is_finite()
                or rate < 0
                or rate > 100
                or rate != rate.quantize(Decimal("0.01"))
            ):
                raise InvalidOperation
            fields["tax_rate"] = rate.quantize(Decimal("0.01"))
        except InvalidOperation:
            errors["tax_rate"] = [_("A percentage between 0 and 100 with at most 2 decimals.")]
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)
    return fields


@transaction.atomic
def location_create(*, actor: Any, **fields: Any) -> Location:
    """Open a new location of the actor's organization."""
    require(actor, Capability.LOCATIONS_MANAGE)
    if not actor.is_organization_wide():
        raise NotAllowed(_("Only an administrator can open a new location."))
    unknown = set(fields) - set(LOCATION_FIELDS)
    if unknown:
        raise ValidationFailed.for_field(sorted(unknown)[0], _("This field cannot be set."))
    fields = _clean_location_fields(fields)
    if Location.objects.filter(
        organization_id=actor.organization_id, name__iexact=fields.get("name", "")
    ).exists():
        raise Conflict(_("A location with this name already exists."), code="location_exists")
    location = Location.objects.create(organization_id=actor.organization_id, **fields)
    forget_capabilities(actor)
    record(
        actor=actor,
        action="location.create",
        target=location,
        location=location,
        changes=snapshot(location, LOCATION_FIELDS),
    )
    return location


@transaction.atomic
def location_update(*, actor: Any, location: Location, **fields: Any) -> Location:
    """Change a location's settings."""
    require(actor, Capability.LOCATIONS_MANAGE, location)
    unknown = set(fields) - set(LOCATION_FIELDS)
    if unknown:
        raise ValidationFailed.for_field(sorted(unknown)[0], _("This field cannot be changed."))
    fields = _clean_location_fields(fields)
    if (
        "name" in fields
        and Location.objects.filter(organization=location.organization, name__iexact=fields["name"])
        .exclude(pk=location.pk)
        .exists()
    ):
        raise Conflict(_("A location with this name already exists."), code="location_exists")
    before = snapshot(location, LOCATION_FIELDS)
    for key, value in fields.items():
        setattr(location, key, value)
    location.bump_version()
    location.save()
    record(
        actor=actor,
        action="location.update",
        target=location,
        location=location,
        changes=diff(before, snapshot(location, LOCATION_FIELDS)),
    )
    return location


@transaction.atomic
def room_create(*, actor: Any, location: Location, name: str, kind: str) -> Room:
    """Add a room to a location."""
    require(actor, Capability.LOCATIONS_MANAGE, location)
    name = name.strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("The room needs a name.")]
    if kind not in Room.Kind.values:
        errors["kind"] = [_("Not a known kind of room.")]
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)
    if Room.objects.filter(location=location, name__iexact=name).exists():
        raise Conflict(_("A room with this name already exists here."), code="room_exists")
    room = Room.objects.create(
        organization_id=location.organization_id, location=location, name=name, kind=kind
    )
    record(
        actor=actor,
        action="room.create",
        target=room,
        location=location,
        changes={"name": name, "kind": kind},
    )
    return room


# ---------------------------------------------------------------- staff


def _check_username_free(username: str) -> None:
    username = username.strip()
    if not username:
        raise ValidationFailed.for_field("username", _("A username is required."))
    if len(username) > 150 or not all(c.isalnum() or c in "@.+-_" for c in username):
        raise ValidationFailed.for_field(
            "username", _("Use letters, digits and @ . + - _ only (150 at most).")
        )
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(
            _("The username %(username)s is taken.") % {"username": username},
            code="username_taken",
        )


def _set_password(user: User, password: str) -> None:
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as error:
        raise ValidationFailed(
            _("The password is not strong enough."), fields={"password": list(error.messages)}
        ) from None
    user.set_password(password)


def _clean_staff_fields(fields: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    for name in ("first_name", "last_name"):
        if name in fields:
            fields[name] = str(fields[name] or "").strip()[:150]
    if fields.get("email"):
        fields["email"] = str(fields["email"]).strip()
        try:
            validate_email(fields["email"])
        except DjangoValidationError:
            errors["email"] = [_("Enter a valid email address.")]
    if "language" in fields and fields["language"] not in User.Language.values:
        errors["language"] = [_("Choose Spanish (es) or English (en).")]
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)
    return fields


@dataclass(frozen=True)
class MembershipSpec:
    """A location and a role key, as given by a form or the API."""

    location: Any
    role: str


def _resolve_memberships(actor: Any, specs: list[MembershipSpec]) -> list[tuple[Location, Role]]:
    """Check that the actor may grant each role at each location, and look them up."""
    resolved: list[tuple[Location, Role]] = []
    held = capability_map(actor)
    roles = {r.key: r for r in Role.objects.filter(organization_id=actor.organization_id)}
    for index, spec in enumerate(specs):
        field = f"memberships.{index}"
        location = Location.objects.filter(
            organization_id=actor.organization_id, pk=_uuid_or_none(spec.location)
        ).first()
        if location is None or str(location.pk) not in held:
            raise ValidationFailed.for_field(f"{field}.location", _("Unknown location."))
        role = roles.get(spec.role)
        if role is None:
            raise ValidationFailed.for_field(f"{field}.role", _("Unknown role."))
        require(actor, Capability.STAFF_MANAGE, location)
        # A manager staffs their location with any clinical or front-desk role; rights over
        # the whole organization are handed out by an administrator only.
        granted = {Capability(c) for c in role.capabilities if c in Capability._value2member_map_}
        if (role.is_organization_wide or granted & ADMIN_ONLY_CAPABILITIES) and (
            not actor.is_organization_wide()
        ):
            raise NotAllowed(_("Only an administrator can grant this role."))
        resolved.append((location, role))
    return resolved


def _uuid_or_none(value: Any) -> Any:
    from uuid import UUID

    try:
        return UUID(str(getattr(value, "pk", value)))
    except ValueError:
        return None


@transaction.atomic
def staff_create(
    *,
    actor: Any,
    username: str,
    password: str,
    memberships: list[MembershipSpec],
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    language: str = "es",
) -> User:
    """Create a staff account with its roles at one or more locations."""
    require(actor, Capability.STAFF_MANAGE)
    fields = _clean_staff_fields(
        {"first_name": first_name, "last_name": last_name, "email": email, "language": language}
    )
    if not memberships:
        raise ValidationFailed.for_field("memberships", _("Give at least one location and role."))
    resolved = _resolve_memberships(actor, memberships)
    _check_username_free(username)
    user = User(username=username.strip(), organization_id=actor.organization_id, **fields)
    _set_password(user, password)
    user.save()
    for location, role in resolved:
        StaffMembership.objects.get_or_create(
            organization_id=actor.organization_id, user=user, location=location, role=role
        )
    record(
        actor=actor,
        action="staff.create",
        target=user,
        changes={
            **snapshot(user, ["username", *STAFF_FIELDS]),
            "memberships": [[str(loc.pk), role.key] for loc, role in resolved],
        },
    )
    return user


@transaction.atomic
def staff_update(
    *,
    actor: Any,
    user: User,
    memberships: list[MembershipSpec] | None = None,
    password: str | None = None,
    **fields: Any,
) -> User:
    """Change a staff member's details, password or memberships; deactivating ends access."""
    require(actor, Capability.STAFF_MANAGE)
    unknown = set(fields) - set(STAFF_FIELDS)
    if unknown:
        raise ValidationFailed.for_field(sorted(unknown)[0], _("This field cannot be changed."))
    # Editing someone is allowed only where the actor manages staff at all their locations.
    for membership in user.memberships.all():
        require(actor, Capability.STAFF_MANAGE, membership.location_id)
        if membership.role.is_organization_wide and not actor.is_organization_wide():
            raise NotAllowed(_("Only an administrator can change an administrator."))
    if user.pk == actor.pk and (fields.get("is_active") is False or memberships is not None):
        raise Conflict(
            _("You cannot deactivate yourself or change your own roles."), code="self_change"
        )
    fields = _clean_staff_fields(fields)
    before = snapshot(user, STAFF_FIELDS)
    before_memberships = sorted(
        [str(m.location_id), m.role.key] for m in user.memberships.select_related("role")
    )
    for key, value in fields.items():
        setattr(user, key, value)
    if password:
        _set_password(user, password)
    changes = diff(before, snapshot(user, STAFF_FIELDS))
    if password:
        changes["password"] = ["***", "***"]
    user.save()
    if memberships is not None:
        resolved = _resolve_memberships(actor, memberships)
        if not resolved:
            raise ValidationFailed.for_field(
                "memberships", _("Give at least one location and role.")
            )
        user.memberships.all().delete()
        for location, role in resolved:
            StaffMembership.objects.get_or_create(
                organization_id=location.organization_id, user=user, location=location, role=role
            )
        after_memberships = sorted([str(loc.pk), role.key] for loc, role in resolved)
        if after_memberships != before_memberships:
            changes["memberships"] = [before_memberships, after_memberships]
        forget_capabilities(user)
    if fields.get("is_active") is False:
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        _end_sessions(user)
    record(actor=actor, action="staff.update", target=user, changes=changes)
    return user


def _end_sessions(user: User) -> None:
    """Delete the user's browser sessions (the authentication backends already refuse an
    inactive user on the next request; this leaves nothing behind to reactivate)."""
    from django.contrib.sessions.models import Session

    user_id = str(user.pk)
    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == user_id
    ]
    Session.objects.filter(pk__in=ended).delete()


@transaction.atomic
def user_set_language(*, actor: Any, language: str) -> User:
    """The user's own choice of language for screens and messages."""
    fields = _clean_staff_fields({"language": language})
    before = actor.language
    actor.language = fields["language"]
    actor.save(update_fields=["language", "updated_at"])
    record(
        actor=actor,
        action="staff.language",
        target=actor,
        changes={"language": [before, actor.language]},
    )
    user: User = actor
    return user


# ---------------------------------------------------------------- API tokens


def _hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    """A new token: the secret is shown once and never stored."""

    key: str
    expires_at: datetime
    token: ApiToken


def api_token_issue(*, username: str, password: str, otp_code: str | None = None) -> IssuedToken:
    """Exchange a username, password (and TOTP or recovery code once MFA is set) for a token."""
    from django.contrib.auth import authenticate

    from vetrisys.accounts.selectors import mfa_enabled, mfa_setup_required

    user = authenticate(username=username, password=password)
    if user is None or not isinstance(user, User) or not user.is_active:
        record(
            actor=None,
            action="auth.token_refused",
            target_type="accounts.user",
            target_id=username[:64],
            changes={"reason": "bad_credentials"},
        )
        raise NotAuthenticated(_("Wrong username or password."), code="invalid_credentials")
    if mfa_enabled(user=user):
        if not otp_code:
            raise NotAuthenticated(
                _("Enter the code from your authenticator app."), code="mfa_required"
            )
        if not _mfa_code_valid(user, otp_code):
            record(
                actor=user,
                action="auth.token_refused",
                target=user,
                changes={"reason": "bad_otp"},
            )
            raise NotAuthenticated(_("The code is not valid."), code="mfa_invalid")
    elif mfa_setup_required(user=user):
        raise NotAllowed(
            _("Your organization requires two-factor authentication: set it up first."),
            code="mfa_setup_required",
        )
    key = secrets.token_urlsafe(32)
    expires_at = timezone.now() + timedelta(seconds=settings.API_TOKEN_TTL)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, key_hash=_hash_token(key), prefix=key[:8], expires_at=expires_at
        )
        record(actor=user, action="auth.token_issue", target=token)
    return IssuedToken(key=key, expires_at=expires_at, token=token)


def _mfa_code_valid(user: User, code: str) -> bool:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    code = code.strip().replace(" ", "")
    for authenticator in Authenticator.objects.filter(user=user):
        if authenticator.type == Authenticator.Type.TOTP and TOTP(authenticator).validate_code(
            code
        ):
            return True
        if authenticator.type == Authenticator.Type.RECOVERY_CODES and RecoveryCodes(
            authenticator
        ).validate_code(code):
            return True
    return False


def api_token_authenticate(*, key: str) -> User | None:
    """The active user behind a valid, unexpired, unrevoked token."""
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash_token(key), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.user.api_token = token  # type: ignore[attr-defined]
    return token.user


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> None:
    """Revoke one token at once."""
    if token.user_id != actor.pk:
        raise NotAllowed(_("You do not have permission to do this."))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at", "updated_at"])
    record(actor=actor, action="auth.token_revoke", target=token)
