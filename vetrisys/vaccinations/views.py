"""Staff screens of vaccinations: the visit panel, a patient's vaccination card with its
certificate, and the protocols."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.permissions import has_capability
from vetrisys.core.errors import Conflict, ValidationFailed
from vetrisys.core.timeutil import today_in
from vetrisys.core.views import error_text, staff_view
from vetrisys.inventory.models import Product, StockBalance
from vetrisys.patients import selectors as patient_selectors
from vetrisys.records.models import Visit
from vetrisys.vaccinations import documents, lookups, selectors, services
from vetrisys.vaccinations.models import Vaccination, VaccineProtocol

View = Callable[..., HttpResponseBase]
PROTOCOL_NUMBERS = list(services.PROTOCOL_NUMBERS)


def _date(value: str, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed.for_field(field, _("Enter a date.")) from None


# ---------------------------------------------------------------- the visit panel


def visit_panel(request: HttpRequest, visit: Visit) -> dict[str, Any]:
    """The vaccinations given in the visit and, while it is open, the form to add one."""
    actor = request.user
    can_write = not visit.is_signed and has_capability(
        actor, Capability.VACCINATIONS_GIVE, visit.location_id
    )
    context: dict[str, Any] = {
        "visit": visit,
        "vaccinations": list(selectors.vaccination_list(actor=actor, visit=visit)),
        "can_write": can_write,
    }
    if can_write:
        context["vaccines"] = list(
            Product.objects.filter(
                organization_id=visit.organization_id, kind=Product.Kind.VACCINE, is_active=True
            ).order_by("name")
        )
        context["stock_lots"] = list(
            StockBalance.objects.filter(
                location_id=visit.location_id, product__kind=Product.Kind.VACCINE, on_hand__gt=0
            )
            .select_related("lot", "product")
            .order_by("product__name", "lot__expires_on")
        )
        context["routes"] = Vaccination.Route.choices
        context["today"] = today_in(visit.location.time_zone)
    return context


@staff_view
@require_POST
def visit_add(request: HttpRequest, visit_id: UUID) -> HttpResponse:
    """Record a vaccination given in the visit; back to the visit with a message."""
    actor = request.user
    visit = lookups.visit(actor, visit_id)
    back = reverse("records:visit_detail", args=[visit.pk]) + "#vaccinations"
    try:
        services.vaccination_record(
            actor=actor,
            patient=visit.patient,
            product=lookups.product(actor, request.POST.get("product", "")),
            location=visit.location,
            administered_on=_date(request.POST.get("administered_on", ""), "administered_on")
            or today_in(visit.location.time_zone),
            lot=request.POST.get("lot", ""),
            lot_expires_on=_date(request.POST.get("lot_expires_on", ""), "lot_expires_on"),
            visit=visit,
            route=request.POST.get("route", ""),
            site=request.POST.get("site", ""),
            next_due_on=_date(request.POST.get("next_due_on", ""), "next_due_on"),
            notes=request.POST.get("notes", ""),
        )
    except (ValidationFailed, Conflict) as error:
        messages.error(request, error_text(error))
        return HttpResponseRedirect(back)
    messages.success(request, _("Vaccination recorded."))
    return HttpResponseRedirect(back)


# ---------------------------------------------------------------- the patient's card


@staff_view
def patient_card(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    """A patient's vaccinations, where each vaccine stands, and the certificate."""
    actor = request.user
    patient = patient_selectors.patient_get(actor=actor, patient_id=patient_id)
    today = today_in(lookups.home_zone(actor))
    can_read_records = has_capability(actor, Capability.RECORDS_VIEW)
    context = {
        "patient": patient,
        "statuses": selectors.vaccine_status(actor=actor, patient=patient, today=today),
        "vaccinations": (
            list(selectors.vaccination_list(actor=actor, patient=patient)[:200])
            if can_read_records
            else []
        ),
        "can_read_records": can_read_records,
        "today": today,
    }
    return render(request, "vaccinations/patient_card.html", context)


@staff_view
def certificate(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    """The vaccination certificate as PDF, in the owner's language."""
    actor = request.user
    patient = patient_selectors.patient_get(actor=actor, patient_id=patient_id)
    context = documents.certificate_context(
        actor=actor, patient=patient, location=None, today=today_in(lookups.home_zone(actor))
    )
    response = HttpResponse(documents.certificate_pdf(context), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="{documents.certificate_filename(patient)}"'
    )
    return response


# ---------------------------------------------------------------- protocols


@staff_view
def protocol_list(request: HttpRequest) -> HttpResponse:
    """Every protocol the clinic uses, by species, core first."""
    actor = request.user
    context = {
        "protocols": list(selectors.protocol_list(actor=actor, is_active=None)),
        "can_edit": has_capability(actor, Capability.RECORDS_SIGN),
    }
    return render(request, "vaccinations/protocol_list.html", context)


def _number(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationFailed.for_field("min_age_weeks", _("Enter whole numbers.")) from None


@staff_view
def protocol_edit(request: HttpRequest, protocol_id: UUID) -> HttpResponse:
    """Change a protocol's numbers and notes (a seeded one becomes the clinic's own copy)."""
    actor = request.user
    protocol: VaccineProtocol = selectors.protocol_get(actor=actor, protocol_id=protocol_id)
    if request.method == "POST":
        post = request.POST
        try:
            fields: dict[str, Any] = {
                name: _number(post.get(name, "")) for name in PROTOCOL_NUMBERS
            }
            for required in ("min_age_weeks", "primary_doses", "primary_interval_weeks"):
                if fields[required] is None:
                    raise ValidationFailed.for_field(required, _("This field is required."))
            fields.update(
                name_es=post.get("name_es", ""),
                name_en=post.get("name_en", ""),
                diseases=post.get("diseases", ""),
                product_keywords=post.get("product_keywords", ""),
                notes=post.get("notes", ""),
                is_core=post.get("is_core") == "on",
                is_active=post.get("is_active") == "on",
            )
            services.protocol_update(actor=actor, protocol=protocol, **fields)
        except ValidationFailed as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("Protocol saved."))
            return HttpResponseRedirect(reverse("vaccinations:protocols"))
    return render(
        request,
        "vaccinations/protocol_form.html",
        {"protocol": protocol, "can_edit": has_capability(actor, Capability.RECORDS_SIGN)},
    )
