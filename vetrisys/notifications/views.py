"""Screens of messages: the outbox with its filters, one message (retry, cancel), and the
templates with a live preview."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.permissions import has_capability, require
from vetrisys.clients import selectors as client_selectors
from vetrisys.core.errors import Conflict, ValidationFailed
from vetrisys.core.timeutil import local_day_bounds
from vetrisys.core.views import error_text, staff_view
from vetrisys.notifications import rendering, selectors
from vetrisys.notifications.forms import TemplateForm
from vetrisys.notifications.models import Message, MessageChannel, MessageKind
from vetrisys.notifications.services import message_cancel, message_retry
from vetrisys.notifications.services.quiet_hours import quiet_hours_set
from vetrisys.notifications.services.templates import template_reset, template_save

PAGE_SIZE = 50


def _zone(request: HttpRequest) -> str:
    location = getattr(request, "location", None)
    return location.time_zone if location is not None else "UTC"


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _query_string(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Render with times in the zone of the location chosen in the navigation bar."""
    with timezone.override(ZoneInfo(_zone(request))):
        return render(request, template, context, status=status)


@staff_view
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    """Every message the person may see, newest first, filtered."""
    actor = request.user
    require(actor, Capability.MESSAGES_VIEW)
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    channel = request.GET.get("channel", "")
    client_id = request.GET.get("client", "")
    client = client_selectors.client_get(actor=actor, client_id=client_id) if client_id else None
    zone = _zone(request)
    date_from, date_to = _date(request.GET.get("date_from")), _date(request.GET.get("date_to"))
    rows = selectors.message_list(
        actor=actor, client=client,
        status=status if status in Message.Status.values else "",
        kind=kind if kind in MessageKind.values else "",
        channel=channel if channel in MessageChannel.values else "",
        scheduled_from=local_day_bounds(date_from, zone)[0] if date_from else None,
        scheduled_before=local_day_bounds(date_to, zone)[1] if date_to else None,
    )  # fmt: skip
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request, "notifications/outbox.html",
        {
            "page_obj": page, "query_string": _query_string(request), "client": client,
            "status": status, "kind": kind, "channel": channel,
            "date_from": request.GET.get("date_from", ""),
            "date_to": request.GET.get("date_to", ""),
            "statuses": Message.Status.choices, "kinds": MessageKind.choices,
            "channels": MessageChannel.choices,
            "can_manage": has_capability(actor, Capability.MESSAGES_MANAGE),
        },
    )  # fmt: skip


@staff_view
@require_GET
def message_detail(request: HttpRequest, message_id: UUID) -> HttpResponse:
    """One message: its text, where it went, its attempts and outcome."""
    message = selectors.message_get(actor=request.user, message_id=message_id)
    can_manage = has_capability(request.user, Capability.MESSAGES_MANAGE, message.location) if (
        message.location_id
    ) else has_capability(request.user, Capability.MESSAGES_MANAGE)  # fmt: skip
    return _render(
        request, "notifications/message_detail.html",
        {"message": message, "can_manage": can_manage},
    )  # fmt: skip


@staff_view
@require_POST
def message_retry_view(request: HttpRequest, message_id: UUID) -> HttpResponse:
    """Queue a failed message again."""
    message = selectors.message_get(actor=request.user, message_id=message_id)
    try:
        message_retry(actor=request.user, message=message)
    except Conflict as error:
        flash.error(request, error_text(error))
    else:
        flash.success(request, _("The message is queued again."))
    return redirect("notifications:message", message_id=message.pk)


@staff_view
@require_POST
def message_cancel_view(request: HttpRequest, message_id: UUID) -> HttpResponse:
    """Cancel a queued message."""
    message = selectors.message_get(actor=request.user, message_id=message_id)
    reason = (request.POST.get("reason") or "").strip() or _("Cancelled by staff")
    try:
        message_cancel(message=message, reason=reason, actor=request.user)
    except Conflict as error:
        flash.error(request, error_text(error))
    else:
        flash.success(request, _("The message was cancelled."))
    return redirect("notifications:message", message_id=message.pk)


# ------------------------------------------------------------------ templates


@staff_view
@require_GET
def templates(request: HttpRequest) -> HttpResponse:
    """Every kind of message, per channel and language: the organization's text or the
    built-in one."""
    rows = selectors.templates_in_force(actor=request.user)
    by_kind: dict[str, list[selectors.TemplateInForce]] = {}
    for row in rows:
        by_kind.setdefault(row.kind, []).append(row)
    return _render(
        request, "notifications/templates.html",
        {
            "kinds": [(MessageKind(kind).label, cells) for kind, cells in by_kind.items()],
            "channels": MessageChannel.choices,
            "can_manage": has_capability(request.user, Capability.MESSAGES_MANAGE),
        },
    )  # fmt: skip


def _edit_context(
    request: HttpRequest, current: selectors.TemplateInForce, form: TemplateForm
) -> dict[str, Any]:
    return {
        "current": current, "form": form, "variables": rendering.VARIABLES,
        "can_manage": has_capability(request.user, Capability.MESSAGES_MANAGE),
        "preview": _preview(request, current.language, current.subject, current.body),
    }  # fmt: skip


def _preview(request: HttpRequest, language: str, subject: str, body: str) -> dict[str, Any]:
    try:
        text = rendering.validate(
            subject=subject, body=body, language=language, zone=_zone(request)
        )
    except ValidationFailed as error:
        return {"errors": error.fields}
    return {"subject": text.subject, "body": text.body}


@staff_view
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, kind: str, channel: str, language: str) -> HttpResponse:
    """Edit one template; the preview renders sample data in the location's zone."""
    current = selectors.template_in_force(
        actor=request.user, kind=kind, channel=channel, language=language
    )
    if request.method != "POST":
        form = TemplateForm(
            initial={
                "subject": current.subject,
                "body": current.body,
                "is_active": current.is_active,
            }
        )
        return _render(
            request, "notifications/template_edit.html", _edit_context(request, current, form)
        )
    require(request.user, Capability.MESSAGES_MANAGE)
    form = TemplateForm(request.POST)
    if form.is_valid():
        try:
            template_save(
                actor=request.user,
                kind=kind,
                channel=channel,
                language=language,
                **form.cleaned_data,
            )
        except ValidationFailed as error:
            form.add_service_errors(error)
        else:
            flash.success(request, _("Template saved."))
            return redirect("notifications:templates")
    return _render(
        request,
        "notifications/template_edit.html",
        _edit_context(request, current, form),
        status=422,
    )


@staff_view
@require_POST
def template_preview(request: HttpRequest, kind: str, channel: str, language: str) -> HttpResponse:
    """The live preview (htmx): the text as typed, rendered with sample data."""
    current = selectors.template_in_force(
        actor=request.user, kind=kind, channel=channel, language=language
    )
    preview = _preview(
        request, current.language, request.POST.get("subject", ""), request.POST.get("body", "")
    )
    return _render(
        request, "notifications/partials/_preview.html", {"preview": preview, "current": current}
    )


@staff_view
@require_POST
def template_reset_view(
    request: HttpRequest, kind: str, channel: str, language: str
) -> HttpResponse:
    """Go back to the built-in text."""
    template_reset(actor=request.user, kind=kind, channel=channel, language=language)
    flash.success(request, _("The built-in text applies again."))
    return redirect(reverse("notifications:templates"))


# ------------------------------------------------------------------ quiet hours


def _quiet_rows(request: HttpRequest) -> list[dict[str, Any]]:
    locations = selectors.locations_with_quiet_hours(actor=request.user)
    return [
        {
            "location": location,
            "messaging": getattr(location, "messaging_row", None),
            "can_manage": has_capability(request.user, Capability.MESSAGES_MANAGE, location),
        }
        for location in locations
    ]


@staff_view
@require_GET
def quiet_hours(request: HttpRequest) -> HttpResponse:
    """The quiet hours of every location the person sees."""
    return _render(
        request, "notifications/quiet_hours.html", {"rows": _quiet_rows(request), "errors": {}}
    )


def _time(value: str | None) -> dt.time | None:
    return dt.time.fromisoformat(value) if value else None


@staff_view
@require_POST
def quiet_hours_save(request: HttpRequest, location_id: UUID) -> HttpResponse:
    """Set or clear one location's quiet hours."""
    location = selectors.location_for_messages(actor=request.user, location_id=location_id)
    try:
        quiet_hours_set(
            actor=request.user, location=location,
            quiet_from=_time(request.POST.get("quiet_from")),
            quiet_until=_time(request.POST.get("quiet_until")),
        )  # fmt: skip
    except (ValueError, ValidationFailed) as error:
        text = error_text(error) if isinstance(error, ValidationFailed) else _("Enter a time.")
        return _render(
            request, "notifications/quiet_hours.html",
            {"rows": _quiet_rows(request), "errors": {str(location.pk): text}}, status=422,
        )  # fmt: skip
    flash.success(request, _("Quiet hours saved."))
    return redirect("notifications:quiet_hours")
