"""Estimates: list, create (lines like the checkout), detail, PDF, accept and convert."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vetrisys.accounts.capabilities import Capability
from vetrisys.billing import documents, services, view_selectors
from vetrisys.billing.forms import optional_decimal, posted_lines
from vetrisys.billing.models import Estimate
from vetrisys.billing.views.checkout import _products
from vetrisys.billing.views.common import (
    PAGE_SIZE,
    can,
    current_location,
    error_text,
    flash_error,
    render_at,
)
from vetrisys.clients import selectors as client_selectors
from vetrisys.core.errors import Conflict, ValidationFailed
from vetrisys.core.timeutil import today_in
from vetrisys.core.views import staff_view


@staff_view
def estimate_list(request: HttpRequest) -> HttpResponse:
    """Estimates of the current location, newest first."""
    location = current_location(request)
    page = Paginator(view_selectors.estimate_list(actor=request.user, location=location), PAGE_SIZE)
    return render_at(
        request, location, "billing/estimates.html",
        {"page_obj": page.get_page(request.GET.get("page"))},
    )  # fmt: skip


@staff_view
def estimate_create(request: HttpRequest, client_id: UUID) -> HttpResponse:
    """A new estimate for a client: lines, discount, validity."""
    location = current_location(request, Capability.BILLING_INVOICE)
    client = client_selectors.client_get(actor=request.user, client_id=client_id)
    patients = list(client_selectors.client_patients(actor=request.user, client=client)[:50])
    errors: list[str] = []
    default_until = today_in(location.time_zone) + dt.timedelta(days=15)
    if request.method == "POST":
        data = request.POST
        patient = next((p for p in patients if str(p.pk) == data.get("patient")), None)
        try:
            valid_until = dt.date.fromisoformat(data.get("valid_until", ""))
        except ValueError:
            valid_until = default_until
        try:
            estimate = services.estimate_create(
                actor=request.user, location=location, client=client, patient=patient,
                lines=posted_lines(data, _products(request, data)), valid_until=valid_until,
                discount_percent=optional_decimal(data.get("discount_percent"), "discount_percent")
                or Decimal(0),
                notes=data.get("notes", "").strip()[:2000],
            )  # fmt: skip
        except (ValidationFailed, Conflict) as error:
            errors.append(error_text(error))
        else:
            messages.success(request, _("Estimate saved."))
            return HttpResponseRedirect(reverse("billing:estimate", args=[estimate.pk]))
    return render_at(
        request, location, "billing/estimate_form.html",
        {"client": client, "patients": patients, "errors": errors,
         "valid_until": default_until, "posted": request.POST or None},
    )  # fmt: skip


@staff_view
def estimate_detail(request: HttpRequest, estimate_id: UUID) -> HttpResponse:
    """One estimate with its lines and totals; accept, convert."""
    estimate = view_selectors.estimate_get(actor=request.user, estimate_id=estimate_id)
    location = estimate.location
    open_statuses = (Estimate.Status.DRAFT, Estimate.Status.SENT, Estimate.Status.ACCEPTED)
    return render_at(
        request, location, "billing/estimate_detail.html",
        {
            **documents.estimate_context(estimate, for_pdf=False),
            "can_convert": estimate.status in open_statuses
            and can(request, Capability.BILLING_INVOICE, location),
            "can_accept": estimate.status in (Estimate.Status.DRAFT, Estimate.Status.SENT)
            and can(request, Capability.BILLING_INVOICE, location),
        },
    )  # fmt: skip


@staff_view
@require_POST
def estimate_accept(request: HttpRequest, estimate_id: UUID) -> HttpResponse:
    estimate = view_selectors.estimate_get(actor=request.user, estimate_id=estimate_id)
    try:
        services.estimate_set_status(
            actor=request.user, estimate=estimate, status=Estimate.Status.ACCEPTED
        )
    except (ValidationFailed, Conflict) as error:
        flash_error(request, error)
    else:
        messages.success(request, _("Estimate accepted."))
    return HttpResponseRedirect(reverse("billing:estimate", args=[estimate.pk]))


@staff_view
@require_POST
def estimate_convert(request: HttpRequest, estimate_id: UUID) -> HttpResponse:
    """Turn the estimate into a draft invoice and open it."""
    estimate = view_selectors.estimate_get(actor=request.user, estimate_id=estimate_id)
    try:
        invoice = services.estimate_convert(actor=request.user, estimate=estimate)
    except (ValidationFailed, Conflict) as error:
        flash_error(request, error)
        return HttpResponseRedirect(reverse("billing:estimate", args=[estimate.pk]))
    messages.success(request, _("Estimate converted into a draft invoice."))
    return HttpResponseRedirect(reverse("billing:invoice", args=[invoice.pk]))


@staff_view
def estimate_pdf(request: HttpRequest, estimate_id: UUID) -> HttpResponse:
    """The estimate as PDF, in the client's language."""
    estimate = view_selectors.estimate_get(actor=request.user, estimate_id=estimate_id)
    response = HttpResponse(documents.estimate_pdf(estimate), content_type="application/pdf")
    number = documents.estimate_number(estimate)
    response["Content-Disposition"] = f'inline; filename="estimate-{number}.pdf"'
    return response
