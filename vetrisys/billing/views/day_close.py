"""The day close of a cashier at the current location: what the payments say should be there
per method, what was counted, the differences; closed once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.billing import services, view_selectors
from vetrisys.billing.forms import optional_decimal
from vetrisys.billing.models import PaymentMethod
from vetrisys.billing.views.common import current_location, error_text, render_at
from vetrisys.core.errors import Conflict, ValidationFailed
from vetrisys.core.timeutil import today_in
from vetrisys.core.views import staff_view


def _summary(request: HttpRequest, location: Any, day: dt.date) -> dict[str, Any]:
    """Per method: expected (from the payments), and once closed, counted and difference."""
    closed = view_selectors.day_close_of(location=location, cashier=request.user, day=day)
    if closed is not None:
        rows = [
            {"method": line.method, "label": line.get_method_display(), "expected": line.expected,
             "counted": line.counted, "difference": line.difference}
            for line in closed.lines.all()
        ]  # fmt: skip
    else:
        expected = services.expected_amounts(location, request.user, day)
        rows = [
            {"method": method, "label": PaymentMethod(method).label, "expected": amount}
            for method, amount in expected.items()
        ]
    return {"closed": closed, "rows": rows}


@staff_view
def day_close(request: HttpRequest) -> HttpResponse:
    """Expected per method against the counted amounts; close the day once."""
    location = current_location(request, Capability.BILLING_DAY_CLOSE)
    today = today_in(location.time_zone)
    try:
        day = (
            dt.date.fromisoformat(request.GET.get("date", "")) if request.GET.get("date") else today
        )
    except ValueError:
        day = today
    errors: list[str] = []
    if request.method == "POST":
        counted: dict[str, Decimal] = {}
        try:
            for method in PaymentMethod.values:
                value = optional_decimal(request.POST.get(f"counted-{method}"), f"counted-{method}")
                if value is not None:
                    counted[method] = value
            services.day_close_create(
                actor=request.user, location=location, business_date=day, counted=counted,
                notes=request.POST.get("notes", "").strip()[:300],
            )  # fmt: skip
        except (ValidationFailed, Conflict) as error:
            errors.append(error_text(error))
        else:
            messages.success(request, _("Day closed."))
            return HttpResponseRedirect(f"{reverse('billing:day_close')}?date={day.isoformat()}")
    summary = _summary(request, location, day)
    return render_at(
        request, location, "billing/day_close.html",
        {"day": day, "summary": summary, "errors": errors, "posted": request.POST or None},
        status=422 if errors else 200,
    )  # fmt: skip
