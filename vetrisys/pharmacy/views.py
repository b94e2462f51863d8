"""Staff screens of prescriptions: the visit panel, and the printable prescription and label."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.permissions import has_capability
from vetrisys.core.errors import Conflict, ValidationFailed
from vetrisys.pharmacy import documents, selectors, services
from vetrisys.pharmacy.models import Prescription
from vetrisys.records.models import Visit
from vetrisys.vaccinations.views import error_text, staff_view


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
