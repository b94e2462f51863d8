"""Staff screens of prescriptions: the visit panel, the pharmacy queue and the dispensing
screen, and the printable prescription and label."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.permissions import has_capability, require
from vetrisys.core.errors import Conflict, NotFound, ValidationFailed
from vetrisys.core.views import error_text, staff_view
from vetrisys.inventory.models import StockBalance
from vetrisys.pharmacy import documents, selectors, services
from vetrisys.pharmacy.models import Prescription
from vetrisys.records.models import Visit


def visit_panel(request: HttpRequest, visit: Visit) -> dict[str, Any]:
    """The prescriptions written in the visit and, while it is open, the form to add one."""
    actor = request.user
    can_write = (
        not visit.is_signed
        and has_capability(actor, Capability.RECORDS_WRITE, visit.location_id)
        and has_capability(actor, Capability.PRESCRIPTIONS_WRITE, visit.location_id)
    )
    context: dict[str, Any] = {
        "visit": visit,
        "prescriptions": list(selectors.prescription_list(actor=actor, visit=visit)),
        "can_write": can_write,
        "can_dispense": has_capability(actor, Capability.PHARMACY_DISPENSE, visit.location_id),
    }
    if can_write:
        context["medications"] = list(selectors.medications(actor=actor))
        context["routes"] = Prescription.Route.choices
    return context


def _int(value: str, field: str, default: int | None) -> int | None:
    value = value.strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ValidationFailed.for_field(field, _("Enter a whole number.")) from None


@staff_view
@require_POST
def visit_add(request: HttpRequest, visit_id: UUID) -> HttpResponse:
    """Prescribe in the visit; back to the visit with a message."""
    actor = request.user
    visit = selectors.visit_for_prescription(actor=actor, visit_id=visit_id)
    back = reverse("records:visit_detail", args=[visit.pk]) + "#prescriptions"
    post = request.POST
    try:
        quantity: Decimal | str = post.get("quantity", "").strip()
        try:
            quantity = Decimal(quantity) if quantity else ""
        except InvalidOperation:
            raise ValidationFailed.for_field("quantity", _("Enter a number.")) from None
        services.prescription_create(
            actor=actor,
            visit=visit,
            product=selectors.product_for_prescription(
                actor=actor, product_id=post.get("product", "")
            ),
            dose=post.get("dose", ""),
            route=post.get("route", ""),
            frequency=post.get("frequency", ""),
            duration_days=_int(post.get("duration_days", ""), "duration_days", None),
            quantity=quantity or None,
            refills=_int(post.get("refills", ""), "refills", 0) or 0,
            instructions=post.get("instructions", ""),
        )
    except (ValidationFailed, Conflict) as error:
        messages.error(request, error_text(error))
        return HttpResponseRedirect(back)
    messages.success(request, _("Prescription written."))
    return HttpResponseRedirect(back)


def _pdf(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@staff_view
def prescription_pdf(request: HttpRequest, prescription_id: UUID) -> HttpResponse:
    """The printable prescription (PDF) in the owner's language."""
    found = selectors.prescription_get(actor=request.user, prescription_id=prescription_id)
    return _pdf(documents.prescription_pdf(found), documents.filename(found, "prescription"))


@staff_view
def label_pdf(request: HttpRequest, prescription_id: UUID) -> HttpResponse:
    """The dispensing label (PDF) in the owner's language."""
    found = selectors.prescription_get(actor=request.user, prescription_id=prescription_id)
    return _pdf(documents.label_pdf(found), documents.filename(found, "label"))


def _location(request: HttpRequest) -> Any:
    """The location the pharmacy works at: the one chosen in the navigation bar."""
    location = getattr(request, "location", None)
    if location is None:
        raise NotFound(_("Location not found."))
    return location


@staff_view
def queue(request: HttpRequest) -> HttpResponse:
    """Active prescriptions of the current location with something left to dispense."""
    location = _location(request)
    rows = list(selectors.dispense_queue(actor=request.user, location=location)[:200])
    return render(request, "pharmacy/queue.html", {"location": location, "rows": rows})


def _on_hand(location: Any, product: Any) -> Decimal:
    total = StockBalance.objects.filter(location=location, product=product).aggregate(
        total=Sum("on_hand")
    )["total"]
    return Decimal(total or 0)


@staff_view
def dispense(request: HttpRequest, prescription_id: UUID) -> HttpResponse:
    """Dispense a prescription at the current location: the quantity and, optionally, the lot
    (the first to expire is preselected); back here with what is left on hand."""
    actor = request.user
    location = _location(request)
    require(actor, Capability.PHARMACY_DISPENSE, location)
    prescription = selectors.prescription_get(actor=actor, prescription_id=prescription_id)
    here = reverse("pharmacy:dispense", args=[prescription.pk])
    if request.method == "POST":
        try:
            done = services.prescription_dispense(
                actor=actor,
                prescription=prescription,
                quantity=request.POST.get("quantity", ""),
                lot=request.POST.get("lot", "") or None,
                location=location,
            )
        except (ValidationFailed, Conflict, NotFound) as error:
            messages.error(request, error_text(error))
        else:
            messages.success(
                request,
                _("Dispensed %(quantity)s of %(name)s. On hand now: %(on_hand)s.")
                % {
                    "quantity": done.quantity.normalize(),
                    "name": prescription.product.name,
                    "on_hand": _on_hand(location, prescription.product).normalize(),
                },
            )
        return HttpResponseRedirect(here)
    lots = selectors.dispense_lots(location=location, product=prescription.product)
    first = next((b for b in lots if not getattr(b, "is_expired", False)), None)
    return render(
        request,
        "pharmacy/dispense.html",
        {
            "location": location,
            "prescription": prescription,
            "lots": lots,
            "first_lot": first.lot.lot_number if first else "",
            "on_hand": _on_hand(location, prescription.product),
            "dispenses": list(
                prescription.dispenses.select_related("dispensed_by").order_by("-dispensed_at")[:20]
            ),
        },
    )
