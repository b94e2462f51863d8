"""Fast checkout: a client's pending charges pre-selected, more lines by scan or free text,
totals computed by the server as the cashier types, then issue and take the money at once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vetrisys.accounts.capabilities import Capability
from vetrisys.billing import selectors, services, totals
from vetrisys.billing.forms import PaymentInput, optional_decimal, posted_lines, posted_payment
from vetrisys.billing.models import Charge, DocumentType, Invoice, PaymentMethod
from vetrisys.billing.prices import current_price
from vetrisys.billing.services.documents import LineSpec, clean_lines
from vetrisys.billing.services.payments import credit_balance
from vetrisys.billing.views.common import (
    current_location,
    error_text,
    render_at,
)
from vetrisys.clients import selectors as client_selectors
from vetrisys.core.errors import Conflict, ValidationFailed
from vetrisys.core.money import quantize
from vetrisys.core.views import staff_view
from vetrisys.inventory import selectors as inventory_selectors
from vetrisys.inventory.models import Product


@staff_view
def checkout_start(request: HttpRequest) -> HttpResponse:
    """Find the client to check out (or come straight from an appointment or a visit)."""
    location = current_location(request, Capability.BILLING_INVOICE)
    query = request.GET.get("q", "").strip()[:100]
    clients = (
        list(client_selectors.client_search(actor=request.user, q=query)[:20]) if query else []
    )
    partial = request.headers.get("HX-Request") == "true"
    template = "billing/partials/_client_results.html" if partial else "billing/checkout_start.html"
    return render_at(request, location, template, {"query": query, "clients": clients})


def _products(request: HttpRequest, data: QueryDict) -> dict[str, Product]:
    ids = [value for value in data.getlist("line-product") if value]
    found = inventory_selectors.product_list(actor=request.user).filter(pk__in=ids[:200])
    return {str(product.pk): product for product in found}


def _charge_specs(charges: list[Charge]) -> list[LineSpec]:
    return [
        LineSpec(
            description=charge.description,
            quantity=charge.quantity,
            product=charge.product,
            unit_price=charge.unit_price,
            tax_rate=charge.tax_rate,
        )
        for charge in charges
    ]


def _chosen_charges(data: QueryDict, pending: list[Charge]) -> list[Charge]:
    chosen = set(data.getlist("charges"))
    return [charge for charge in pending if str(charge.pk) in chosen]


def _change(payment: PaymentInput, currency: str) -> Decimal | None:
    """Cash tendered minus what is paid: the change to hand back (the server says it)."""
    if payment.method != PaymentMethod.CASH or payment.cash_tendered is None:
        return None
    paid = payment.amount or Decimal(0)
    return quantize(payment.cash_tendered - paid, currency)


def _preview(request: HttpRequest, location: Any, pending: list[Charge]) -> dict[str, Any]:
    """The totals of what the form says now, or the reasons it cannot be computed yet."""
    data = request.POST
    specs = _charge_specs(_chosen_charges(data, pending)) + posted_lines(
        data, _products(request, data)
    )
    context: dict[str, Any] = {
        "currency": location.currency,
        "errors": [],
        "line_count": len(specs),
    }
    try:
        discount = optional_decimal(data.get("discount_percent"), "discount_percent") or Decimal(0)
        cleaned = clean_lines(request.user, location, specs)
        if not 0 <= discount <= 100:
            raise ValidationFailed.for_field(
                "discount_percent", _("A percentage cannot be over 100.")
            )
        computed = totals.document_totals(
            [line.as_input() for line in cleaned], discount_percent=discount,
            currency=location.currency,
        )  # fmt: skip
        payment = posted_payment(data)
    except ValidationFailed as error:
        context["errors"] = [error_text(error)]
        return context
    context["totals"] = computed
    context["payment"] = payment
    context["change"] = _change(payment, location.currency)
    if payment.amount is not None:
        context["after_payment"] = computed.total - payment.amount
        context["overpaid"] = max(payment.amount - computed.total, Decimal(0))
    return context


@staff_view
def checkout(request: HttpRequest, client_id: UUID) -> HttpResponse:
    """The checkout screen of one client; posting issues the invoice and takes the payment."""
    location = current_location(request, Capability.BILLING_INVOICE)
    client = client_selectors.client_get(actor=request.user, client_id=client_id)
    pending = list(selectors.pending_charges(actor=request.user, client=client, location=location))
    patients = list(client_selectors.client_patients(actor=request.user, client=client)[:50])
    patient_id = request.POST.get("patient") or request.GET.get("patient") or ""
    patient = next((p for p in patients if str(p.pk) == patient_id), None)
    if patient is None and len({c.patient_id for c in pending}) == 1 and pending[0].patient_id:
        patient = next((p for p in patients if p.pk == pending[0].patient_id), None)
    errors: list[str] = []
    if request.method == "POST":
        try:
            invoice = _issue_and_pay(request, location, client, patient, pending)
        except (ValidationFailed, Conflict) as error:
            errors.append(error_text(error))
        else:
            messages.success(
                request,
                _("%(number)s issued: %(status)s.")
                % {"number": invoice.full_number, "status": invoice.get_status_display()},
            )
            return HttpResponseRedirect(reverse("billing:invoice", args=[invoice.pk]))
    chosen = (
        set(request.POST.getlist("charges")) if request.method == "POST"
        else {str(charge.pk) for charge in pending}
    )  # fmt: skip
    return render_at(
        request,
        location,
        "billing/checkout.html",
        {
            "client": client,
            "patients": patients,
            "patient": patient,
            "pending": pending,
            "chosen": chosen,
            "errors": errors,
            "posted": request.POST if request.method == "POST" else None,
            "document_types": DocumentType.choices[:2],
            "methods": PaymentMethod.choices,
            "credit_balance": credit_balance(client.pk),
            "preview": _preview(request, location, pending) if request.method == "POST" else None,
            "posted_lines": _posted_rows(request) if request.method == "POST" else [],
        },
        status=422 if errors else 200,
    )


def _posted_rows(request: HttpRequest) -> list[dict[str, Any]]:
    """The added lines as typed, to show them again when the post is refused."""
    return [
        {
            "product": spec.product,
            "description": spec.description,
            "quantity": spec.quantity,
            "unit_price": spec.unit_price,
            "discount_percent": spec.discount_percent,
            "discount_amount": spec.discount_amount,
            "tax_rate": spec.tax_rate,
        }
        for spec in posted_lines(request.POST, _products(request, request.POST))
    ]


def _issue_and_pay(
    request: HttpRequest, location: Any, client: Any, patient: Any, pending: list[Charge]
) -> Invoice:
    """Create, issue and (when an amount is given) pay, all or nothing."""
    data = request.POST
    charges = _chosen_charges(data, pending)
    lines = posted_lines(data, _products(request, data))
    if not charges and not lines:
        raise ValidationFailed.for_field("lines", _("Add at least one line."))
    document_type = data.get("document_type", DocumentType.BOLETA)
    payment = posted_payment(data)
    with transaction.atomic():
        invoice = services.invoice_create(
            actor=request.user, location=location, client=client, patient=patient,
            lines=lines, charges=charges, document_type=document_type,
            discount_percent=optional_decimal(data.get("discount_percent"), "discount_percent")
            or Decimal(0),
        )  # fmt: skip
        invoice = services.invoice_issue(actor=request.user, invoice=invoice)
        if payment.amount:
            services.payment_record(
                actor=request.user, invoice=invoice, amount=payment.amount,
                method=payment.method, reference=payment.reference,
                wallet_provider=payment.wallet_provider, cash_tendered=payment.cash_tendered,
                keep_as_credit=payment.keep_change_as_credit,
            )  # fmt: skip
            invoice.refresh_from_db()
    return invoice


@staff_view
@require_POST
def checkout_totals(request: HttpRequest, client_id: UUID) -> HttpResponse:
    """The totals partial, recomputed by the server from what the form says now."""
    location = current_location(request, Capability.BILLING_INVOICE)
    client = client_selectors.client_get(actor=request.user, client_id=client_id)
    pending = list(selectors.pending_charges(actor=request.user, client=client, location=location))
    return render(
        request, "billing/partials/_checkout_totals.html",
        {"preview": _preview(request, location, pending), "location": location},
    )  # fmt: skip


@staff_view
def checkout_line(request: HttpRequest) -> HttpResponse:
    """One new line row: a scanned or searched product at this location's price, or free text."""
    location = current_location(request, Capability.BILLING_INVOICE)
    code = request.GET.get("code", "").strip()[:64]
    description = request.GET.get("description", "").strip()[:300]
    context: dict[str, Any] = {"currency": location.currency, "location": location}
    product: Product | None = None
    if request.GET.get("product"):
        product = inventory_selectors.product_get(
            actor=request.user, product_id=request.GET["product"]
        )
    elif code:
        product = inventory_selectors.product_by_code(actor=request.user, code=code)
        if product is None:
            matches = list(inventory_selectors.product_list(actor=request.user, q=code)[:6])
            if len(matches) != 1:
                return render(
                    request, "billing/partials/_line_choices.html",
                    {"matches": matches, "code": code},
                )  # fmt: skip
            product = matches[0]
    if product is not None:
        context["line"] = {
            "product": product, "description": product.name, "quantity": Decimal(1),
            "unit_price": current_price(location, product), "tax_rate": product.tax_rate,
        }  # fmt: skip
    elif description:
        context["line"] = {
            "product": None, "description": description, "quantity": Decimal(1),
            "unit_price": optional_decimal(request.GET.get("unit_price"), "unit_price")
            or Decimal(0), "tax_rate": location.tax_rate,
        }  # fmt: skip
    else:
        return HttpResponse("")
    return render(request, "billing/partials/_line_row.html", context)
