"""The audit log screen: read-only, newest first, for those holding audit.view."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from vetrisys.audit.selectors import audit_event_list
from vetrisys.core.errors import NotAllowed
from vetrisys.core.timeutil import local_day_bounds

EVENTS_PER_PAGE = 50


class AuditFilterForm(forms.Form):
    """Filters of the audit log; the dates are days at the current location."""

    action = forms.CharField(
        label=_("Action starts with"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "staff."}),
    )
    target = forms.CharField(
        label=_("Target id"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )


def _compact_json(value: Any) -> str:
    if not value:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    """The organization's audit events, 50 a page, in the current location's time."""
    location = getattr(request, "location", None)
    zone = location.time_zone if location is not None else settings.TIME_ZONE
    form = AuditFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {"action": data["action"].strip(), "target": data["target"].strip()}
        if data["date_from"]:
            filters["date_from"] = local_day_bounds(data["date_from"], zone)[0]
        if data["date_to"]:
            filters["date_to"] = local_day_bounds(data["date_to"], zone)[1]
    try:
        events = audit_event_list(actor=request.user, **filters)
    except NotAllowed as error:
        raise PermissionDenied(error.message) from None
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    query = {key: value for key, value in request.GET.items() if key != "page" and value}
    context = {
        "form": form,
        "page_obj": page,
        "rows": [(event, _compact_json(event.changes)) for event in page.object_list],
        "zone": zone,
        "query_string": urlencode(query),
    }
    return render(request, "audit/audit_list.html", context)
