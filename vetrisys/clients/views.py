"""Staff screens of owners: list with search as you type, create, edit, detail with tabs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.models import User
from vetrisys.accounts.permissions import has_capability
from vetrisys.clients import selectors, services
from vetrisys.clients.forms import ClientForm, CommunicationForm, MergeForm
from vetrisys.clients.history import HistoryWindow
from vetrisys.clients.models import Client
from vetrisys.core.errors import Conflict, ValidationFailed
from vetrisys.core.views import domain_errors

CLIENTS_PER_PAGE = 25
COMMUNICATIONS_PER_PAGE = 20
TABS = ("details", "pets", "communications", "merge")

View = TypeVar("View", bound=Callable[..., HttpResponse])


def _actor(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def _is_htmx(request: HttpRequest) -> bool:
    details = getattr(request, "htmx", None)
    return bool(details) and not getattr(details, "history_restore_request", False)


def _can_manage(actor: User) -> bool:
    return has_capability(actor, Capability.CLIENTS_MANAGE)


@login_required
@domain_errors
def client_list(request: HttpRequest) -> HttpResponse:
    """Owners, with one search box for name, phone, email, document, pet or microchip."""
    actor = _actor(request)
    query = request.GET.get("q", "").strip()[:100]
    show_archived = request.GET.get("archived") == "1"
    clients = selectors.client_list(actor=actor, q=query, is_active=None if show_archived else True)
    page_obj = Paginator(clients, CLIENTS_PER_PAGE).get_page(request.GET.get("page"))
    params = {"q": query, **({"archived": "1"} if show_archived else {})}
    context = {
        "page_obj": page_obj,
        "query": query,
        "show_archived": show_archived,
        "query_string": urlencode({k: v for k, v in params.items() if v}),
        "can_manage": _can_manage(actor),
    }
    template = "clients/partials/_results.html" if _is_htmx(request) else "clients/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def client_create(request: HttpRequest) -> HttpResponse:
    """Register an owner."""
    actor = _actor(request)
    if not _can_manage(actor):
        raise PermissionDenied
    form = ClientForm(request.POST or None, initial={"city": "Lima"})
    if request.method == "POST" and form.is_valid():
        try:
            client = services.client_create(actor=actor, **form.service_arguments())
        except ValidationFailed as error:
            form.add_service_errors(error)
        except Conflict as error:
            form.add_error("document_number", error.message)
        else:
            messages.success(request, _("Owner registered."))
            return redirect("client_detail", client_id=client.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "clients/form.html", {"form": form, "client": None}, status=status)


@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def client_edit(request: HttpRequest, client_id: UUID) -> HttpResponse:
    """Change an owner's details, phones and consents."""
    actor = _actor(request)
    client = selectors.client_get(actor=actor, client_id=client_id)
    if not _can_manage(actor):
        raise PermissionDenied
    form = ClientForm(request.POST or None, initial=ClientForm.initial_for(client))
    if request.method == "POST" and form.is_valid():
        try:
            services.client_update(actor=actor, client=client, **form.service_arguments())
        except ValidationFailed as error:
            form.add_service_errors(error)
        except Conflict as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("client_detail", client_id=client.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "clients/form.html", {"form": form, "client": client}, status=status)


@login_required
@domain_errors
def client_detail(request: HttpRequest, client_id: UUID) -> HttpResponse:
    """An owner: details, pets, communication history and merging, one tab each."""
    actor = _actor(request)
    client = selectors.client_get(actor=actor, client_id=client_id)
    tab = request.GET.get("tab", "details")
    if tab not in TABS:
        tab = "details"
    context: dict[str, Any] = {
        "client": client,
        "tab": tab,
        "can_manage": _can_manage(actor),
        "can_see_pets": has_capability(actor, Capability.PATIENTS_VIEW),
    }
    if tab == "pets" and context["can_see_pets"]:
        context["pets"] = list(selectors.client_patients(actor=actor, client=client)[:200])
    elif tab == "communications":
        # Calls and notes logged by hand merged with what other apps register (messages).
        history = HistoryWindow(actor=actor, client=client)
        context["page_obj"] = Paginator(history, COMMUNICATIONS_PER_PAGE).get_page(  # type: ignore[arg-type]
            request.GET.get("page")
        )
        context["query_string"] = "tab=communications"
        context["communication_form"] = CommunicationForm()
    elif tab == "merge" and context["can_manage"]:
        context["duplicates"] = selectors.possible_duplicates(actor=actor, client=client)
        context["related_counts"] = services.related_row_counts(client=client)
    return render(request, "clients/detail.html", context)


@login_required
@domain_errors
@require_POST
def communication_log(request: HttpRequest, client_id: UUID) -> HttpResponse:
    """Add a call, message or note from the communications tab."""
    actor = _actor(request)
    client = selectors.client_get(actor=actor, client_id=client_id)
    form = CommunicationForm(request.POST)
    if form.is_valid():
        try:
            services.communication_log(actor=actor, client=client, **form.cleaned_data)
        except ValidationFailed as error:
            form.add_service_errors(error)
        except Conflict as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Added to the history."))
            return redirect(reverse("client_detail", args=[client.pk]) + "?tab=communications")
    history = HistoryWindow(actor=actor, client=client)
    context = {
        "client": client,
        "tab": "communications",
        "can_manage": _can_manage(actor),
        "can_see_pets": has_capability(actor, Capability.PATIENTS_VIEW),
        "communication_form": form,
        "page_obj": Paginator(history, COMMUNICATIONS_PER_PAGE).get_page(1),  # type: ignore[arg-type]
        "query_string": "tab=communications",
    }
    return render(request, "clients/detail.html", context, status=422)


@login_required
@domain_errors
@require_POST
def client_archive(request: HttpRequest, client_id: UUID) -> HttpResponse:
    """Archive (or, with restore=1, bring back) an owner."""
    actor = _actor(request)
    client = selectors.client_get(actor=actor, client_id=client_id)
    try:
        if request.POST.get("restore") == "1":
            services.client_restore(actor=actor, client=client)
            messages.success(request, _("Owner restored."))
        else:
            services.client_archive(actor=actor, client=client)
            messages.success(request, _("Owner archived."))
    except Conflict as error:
        messages.error(request, error.message)
    return redirect("client_detail", client_id=client.pk)


@login_required
@domain_errors
@require_POST
def client_merge(request: HttpRequest, client_id: UUID) -> HttpResponse:
    """Fold a duplicate into the owner on screen."""
    actor = _actor(request)
    survivor = selectors.client_get(actor=actor, client_id=client_id)
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the duplicate owner."))
        return redirect(reverse("client_detail", args=[survivor.pk]) + "?tab=merge")
    duplicate: Client = selectors.client_get(actor=actor, client_id=form.cleaned_data["duplicate"])
    try:
        services.client_merge(actor=actor, survivor=survivor, duplicate=duplicate)
    except (Conflict, ValidationFailed) as error:
        messages.error(request, error.message)
        return redirect(reverse("client_detail", args=[survivor.pk]) + "?tab=merge")
    messages.success(
        request, _("%(name)s was merged into this owner.") % {"name": duplicate.full_name}
    )
    return redirect("client_detail", client_id=survivor.pk)
