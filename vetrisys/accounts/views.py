"""Staff screens of accounts: dashboard, staff, roles, organization, locations, switchers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from vetrisys.accounts import selectors, services
from vetrisys.accounts.capabilities import CAPABILITY_LABELS, Capability
from vetrisys.accounts.forms import (
    LocationForm,
    OrganizationForm,
    RoleForm,
    RoomForm,
    StaffCreateForm,
    StaffEditForm,
)
from vetrisys.accounts.middleware import LOCATION_SESSION_KEY
from vetrisys.accounts.models import Location, Role, User
from vetrisys.accounts.permissions import has_capability
from vetrisys.core.errors import Conflict, ValidationFailed
from vetrisys.core.views import domain_errors

STAFF_PER_PAGE = 25

View = TypeVar("View", bound=Callable[..., HttpResponse])


def actor_of(request: HttpRequest) -> User:
    """The signed-in staff user (views are all behind login_required)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def require_capability(actor: User, capability: Capability, location: Any = None) -> None:
    """403 unless the actor holds the capability (at the location, or anywhere)."""
    if not has_capability(actor, capability, location):
        raise PermissionDenied


def is_htmx(request: HttpRequest) -> bool:
    """Whether htmx asked for a fragment (a history restore wants the whole page)."""
    details = getattr(request, "htmx", None)
    return bool(details) and not getattr(details, "history_restore_request", False)


def current_location_of(request: HttpRequest) -> Location | None:
    """The location chosen in the switcher (set by CurrentLocationMiddleware)."""
    return cast(Location | None, getattr(request, "location", None))


def safe_next(request: HttpRequest, fallback: str = "dashboard") -> HttpResponseRedirect:
    """Redirect to the posted `next` when it stays on this site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return redirect(fallback)


# ---------------------------------------------------------------- dashboard and switchers


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The landing page after sign-in."""
    actor = actor_of(request)
    location = current_location_of(request)
    me = selectors.me(user=actor)
    roles_here = sorted(
        {
            membership.role.display_name
            for membership in me["memberships"]
            if membership.role.is_organization_wide
            or (location is not None and membership.location_id == location.pk)
        }
    )
    staff_count = (
        selectors.staff_list(actor=actor).count()
        if has_capability(actor, Capability.STAFF_VIEW)
        else None
    )
    context = {
        "location": location,
        "roles_here": roles_here,
        "staff_count": staff_count,
        "location_count": selectors.location_list(actor=actor).count(),
        "can_read_audit": has_capability(actor, Capability.AUDIT_VIEW),
    }
    return render(request, "accounts/dashboard.html", context)


@login_required
@require_POST
@domain_errors
def location_switch(request: HttpRequest) -> HttpResponse:
    """Work at another location: only one the user can see and that is open."""
    actor = actor_of(request)
    location = selectors.location_get(actor=actor, location_id=request.POST.get("location"))
    if not location.is_active:
        raise Http404
    request.session[LOCATION_SESSION_KEY] = str(location.pk)
    return safe_next(request)


@login_required
@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """Remember the signed-in user's language choice."""
    actor = actor_of(request)
    try:
        services.user_set_language(actor=actor, language=request.POST.get("language", ""))
    except ValidationFailed as error:
        messages.error(request, error.message)
    else:
        translation.activate(actor.language)
    return safe_next(request)


# ---------------------------------------------------------------- staff


@login_required
@domain_errors
def staff_list(request: HttpRequest) -> HttpResponse:
    """Staff the user may see, searchable, 25 a page."""
    actor = actor_of(request)
    require_capability(actor, Capability.STAFF_VIEW)
    query = request.GET.get("q", "").strip()[:100]
    paginator = Paginator(selectors.staff_list(actor=actor, query=query), STAFF_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "query": query,
        "query_string": urlencode({"q": query}) if query else "",
        "can_manage": has_capability(actor, Capability.STAFF_MANAGE),
    }
    template = "accounts/partials/_staff_results.html" if is_htmx(request) else None
    response = render(request, template or "accounts/staff_list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _membership_choices(actor: User) -> dict[str, Any]:
    return {
        "locations": list(selectors.location_list(actor=actor)),
        "roles": list(selectors.role_list(actor=actor)),
    }


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def staff_create(request: HttpRequest) -> HttpResponse:
    """A new staff account with its roles."""
    actor = actor_of(request)
    require_capability(actor, Capability.STAFF_MANAGE)
    choices = _membership_choices(actor)
    if request.method == "POST":
        form = StaffCreateForm(request.POST, **choices)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = services.staff_create(
                    actor=actor,
                    username=data["username"],
                    password=data["password"],
                    memberships=form.membership_specs(),
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    language=data["language"],
                )
            except (ValidationFailed, Conflict) as error:
                form.add_domain_error(error)
            else:
                messages.success(
                    request, _("%(name)s can now sign in.") % {"name": user.display_name}
                )
                return redirect("staff_detail", user_id=user.pk)
    else:
        location = current_location_of(request)
        initial = {"location_0": str(location.pk)} if location else {}
        form = StaffCreateForm(initial=initial, **choices)
    return render(request, "accounts/staff_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def staff_detail(request: HttpRequest, user_id: Any) -> HttpResponse:
    """A staff member's details; those who manage staff edit them here."""
    actor = actor_of(request)
    require_capability(actor, Capability.STAFF_VIEW)
    member = selectors.staff_get(actor=actor, user_id=user_id)
    can_manage = has_capability(actor, Capability.STAFF_MANAGE)
    current = [(str(m.location_id), m.role.key) for m in member.memberships.all()]
    choices = _membership_choices(actor) if can_manage else {"locations": [], "roles": []}
    if request.method == "POST":
        require_capability(actor, Capability.STAFF_MANAGE)
        form = StaffEditForm(request.POST, rows=len(current) + 1, **choices)
        if form.is_valid():
            data = form.cleaned_data
            specs = form.membership_specs()
            unchanged = sorted((str(s.location), s.role) for s in specs) == sorted(current)
            try:
                services.staff_update(
                    actor=actor,
                    user=member,
                    memberships=None if unchanged else specs,
                    password=data["password"] or None,
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    language=data["language"],
                )
            except (ValidationFailed, Conflict) as error:
                form.add_domain_error(error)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("staff_detail", user_id=member.pk)
    else:
        initial: dict[str, Any] = {
            "first_name": member.first_name,
            "last_name": member.last_name,
            "email": member.email,
            "language": member.language,
        }
        for index, (location_id, role_key) in enumerate(current):
            initial[f"location_{index}"] = location_id
            initial[f"role_{index}"] = role_key
        form = StaffEditForm(initial=initial, rows=len(current) + 1, **choices)
    context = {"member": member, "form": form, "can_manage": can_manage}
    return render(request, "accounts/staff_detail.html", context)


@login_required
@require_POST
@domain_errors
def staff_set_active(request: HttpRequest, user_id: Any) -> HttpResponse:
    """Deactivate a staff member (ends access at once) or activate them again."""
    actor = actor_of(request)
    require_capability(actor, Capability.STAFF_MANAGE)
    member = selectors.staff_get(actor=actor, user_id=user_id)
    active = request.POST.get("is_active") == "1"
    try:
        services.staff_update(actor=actor, user=member, is_active=active)
    except (ValidationFailed, Conflict) as error:
        messages.error(request, error.message)
    else:
        if active:
            messages.success(request, _("%(name)s is active.") % {"name": member.display_name})
        else:
            messages.success(request, _("%(name)s is deactivated.") % {"name": member.display_name})
    return redirect("staff_detail", user_id=member.pk)


# ---------------------------------------------------------------- roles


def _labelled(capabilities: list[str]) -> list[str]:
    known = Capability._value2member_map_
    return [str(CAPABILITY_LABELS[Capability(c)]) for c in capabilities if c in known]


@login_required
@domain_errors
def role_list(request: HttpRequest) -> HttpResponse:
    """Built-in and custom roles with what each may do."""
    actor = actor_of(request)
    require_capability(actor, Capability.ROLES_MANAGE)
    roles = [(role, _labelled(role.capabilities)) for role in selectors.role_list(actor=actor)]
    return render(request, "accounts/role_list.html", {"roles": roles})


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def role_create(request: HttpRequest) -> HttpResponse:
    """Define a custom role."""
    actor = actor_of(request)
    require_capability(actor, Capability.ROLES_MANAGE)
    form = RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            role = services.role_create(
                actor=actor,
                name=form.cleaned_data["name"],
                capabilities=form.cleaned_data["capabilities"],
            )
        except (ValidationFailed, Conflict) as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Role %(name)s created.") % {"name": role.name})
            return redirect("role_list")
    return render(request, "accounts/role_form.html", {"form": form, "role": None})


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def role_detail(request: HttpRequest, role_id: Any) -> HttpResponse:
    """A role: built-in ones are shown read-only, custom ones are edited here."""
    actor = actor_of(request)
    require_capability(actor, Capability.ROLES_MANAGE)
    role: Role = selectors.role_get(actor=actor, role_id=role_id)
    initial = {"name": role.name, "capabilities": list(role.capabilities)}
    form = RoleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.role_update(
                actor=actor,
                role=role,
                name=form.cleaned_data["name"],
                capabilities=form.cleaned_data["capabilities"],
            )
        except (ValidationFailed, Conflict) as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("role_list")
    context = {"form": form, "role": role, "labels": _labelled(role.capabilities)}
    return render(request, "accounts/role_form.html", context)


# ---------------------------------------------------------------- organization


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def organization_settings(request: HttpRequest) -> HttpResponse:
    """The organization's name, legal data and MFA requirement."""
    actor = actor_of(request)
    require_capability(actor, Capability.ORGANIZATION_MANAGE)
    organization = selectors.organization_of(actor=actor)
    initial = {
        "name": organization.name,
        "legal_name": organization.legal_name,
        "tax_id": organization.tax_id,
        "require_mfa": organization.require_mfa,
    }
    form = OrganizationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_update(
                actor=actor, organization=organization, **form.cleaned_data
            )
        except (ValidationFailed, Conflict) as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("organization_settings")
    context = {"form": form, "organization": organization}
    return render(request, "accounts/organization_form.html", context)


# ---------------------------------------------------------------- locations and rooms


@login_required
@domain_errors
def location_list(request: HttpRequest) -> HttpResponse:
    """The locations the user can see."""
    actor = actor_of(request)
    locations = selectors.location_list(actor=actor).annotate(room_count=Count("rooms"))
    context = {
        "locations": locations,
        "can_create": actor.is_organization_wide()
        and has_capability(actor, Capability.LOCATIONS_MANAGE),
    }
    return render(request, "accounts/location_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def location_create(request: HttpRequest) -> HttpResponse:
    """Open a new location (administrators)."""
    actor = actor_of(request)
    require_capability(actor, Capability.LOCATIONS_MANAGE)
    if not actor.is_organization_wide():
        raise PermissionDenied
    form = LocationForm(request.POST or None, initial=_location_defaults(request))
    if request.method == "POST" and form.is_valid():
        try:
            location = services.location_create(actor=actor, **form.cleaned_data)
        except (ValidationFailed, Conflict) as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Location %(name)s opened.") % {"name": location.name})
            return redirect("location_detail", location_id=location.pk)
    return render(request, "accounts/location_form.html", {"form": form})


def _location_defaults(request: HttpRequest) -> dict[str, Any]:
    current = current_location_of(request)
    if current is None:
        return {"time_zone": "America/Lima", "currency": "PEN", "tax_rate": "18.00"}
    return {
        "time_zone": current.time_zone,
        "currency": current.currency,
        "tax_rate": current.tax_rate,
        "is_active": True,
    }


def _location_initial(location: Location) -> dict[str, Any]:
    return {
        "name": location.name,
        "time_zone": location.time_zone,
        "currency": location.currency,
        "tax_rate": location.tax_rate,
        "address": location.address,
        "phone": location.phone,
        "is_active": location.is_active,
    }


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def location_detail(request: HttpRequest, location_id: Any) -> HttpResponse:
    """A location's settings and rooms; those who manage locations edit them here."""
    actor = actor_of(request)
    location = selectors.location_get(actor=actor, location_id=location_id)
    can_manage = has_capability(actor, Capability.LOCATIONS_MANAGE, location)
    form = LocationForm(request.POST or None, initial=_location_initial(location))
    if request.method == "POST":
        require_capability(actor, Capability.LOCATIONS_MANAGE, location)
        if form.is_valid():
            try:
                services.location_update(actor=actor, location=location, **form.cleaned_data)
            except (ValidationFailed, Conflict) as error:
                form.add_domain_error(error)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("location_detail", location_id=location.pk)
    return _render_location(request, actor, location, form, RoomForm(), can_manage)


@login_required
@require_POST
@domain_errors
def room_create(request: HttpRequest, location_id: Any) -> HttpResponse:
    """Add a room to a location."""
    actor = actor_of(request)
    location = selectors.location_get(actor=actor, location_id=location_id)
    require_capability(actor, Capability.LOCATIONS_MANAGE, location)
    room_form = RoomForm(request.POST)
    if room_form.is_valid():
        try:
            room = services.room_create(actor=actor, location=location, **room_form.cleaned_data)
        except (ValidationFailed, Conflict) as error:
            room_form.add_domain_error(error)
        else:
            messages.success(request, _("Room %(name)s added.") % {"name": room.name})
            return redirect("location_detail", location_id=location.pk)
    form = LocationForm(initial=_location_initial(location))
    return _render_location(request, actor, location, form, room_form, can_manage=True)


def _render_location(
    request: HttpRequest,
    actor: User,
    location: Location,
    form: LocationForm,
    room_form: RoomForm,
    can_manage: bool,
) -> HttpResponse:
    context = {
        "location": location,
        "rooms": selectors.room_list(actor=actor, location=location),
        "form": form,
        "room_form": room_form,
        "can_manage": can_manage,
    }
    return render(request, "accounts/location_detail.html", context)
