"""Invoices: the list with its filters, one invoice with what may be done to it now, its
receipt (print view, PDF, email) and the actions: issue, pay, void, credit note, plan."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vetrisys.accounts.capabilities import Capability
from vetrisys.billing import documents, emails, services, view_selectors
from vetrisys.billing.forms import (
    CreditNoteForm,
    PaymentForm,
    PaymentPlanForm,
    VoidForm,
    optional_decimal,
)
from vetrisys.billing.models import Invoice, PaymentMethod
from vetrisys.billing.services.credit_notes import CreditLineSpec
from vetrisys.billing.views.common import (
    PAGE_SIZE,
    can,
    current_location,
    flash_error,
    query_string,
    render_at,
)
from vetrisys.clients import selectors as client_selectors
from vetrisys.core.errors import Conflict, ValidationFailed
from vetrisys.core.views import staff_view


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@staff_view
def invoice_list(request: HttpRequest) -> HttpResponse:
    """Invoices of the current location, filtered by status, dates and client."""
    location = current_location(request)
    status = request.GET.get("status", "")
    client_id = request.GET.get("client", "")
    client = (
        client_selectors.client_get(actor=request.user, client_id=client_id) if client_id else None
    )
    rows = view_selectors.invoice_list(
        actor=request.user, location=location,
        status=status if status in Invoice.Status.values else "",
        date_from=_date(request.GET.get("date_from")), date_to=_date(request.GET.get("date_to")),
        client=client,
    )  # fmt: skip
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_at(
        request, location, "billing/invoices.html",
        {
            "page_obj": page, "statuses": Invoice.Status.choices, "status": status,
            "client": client, "date_from": request.GET.get("date_from", ""),
            "date_to": request.GET.get("date_to", ""),
            "query_string": query_string(request, "status", "client", "date_from", "date_to"),
        },
    )  # fmt: skip


def _actions(request: HttpRequest, invoice: Invoice) -> dict[str, bool]:
    """What the screen offers: the status allows it and the person holds the capability."""
    location = invoice.location
    status = invoice.status
    open_statuses = (Invoice.Status.ISSUED, Invoice.Status.PARTIALLY_PAID)
    has_payments = invoice.paid_total > 0
    may_invoice = can(request, Capability.BILLING_INVOICE, location)
    may_pay = can(request, Capability.BILLING_PAYMENTS, location)
    may_void = can(request, Capability.BILLING_VOID, location)
    voidable = (Invoice.Status.DRAFT, Invoice.Status.ISSUED)
    return {
        "issue": status == Invoice.Status.DRAFT and may_invoice,
        "pay": status in open_statuses and may_pay,
        "void": status in voidable and not has_payments and may_void,
        "credit_note": status in (*open_statuses, Invoice.Status.PAID) and may_void,
        "plan": status in open_statuses and invoice.balance > 0 and may_pay,
        "receipt": status != Invoice.Status.DRAFT,
    }


@staff_view
def invoice_detail(request: HttpRequest, invoice_id: UUID) -> HttpResponse:
    """One invoice: lines, totals, payments, credit notes, plan, and the actions allowed."""
    invoice = view_selectors.invoice_get(actor=request.user, invoice_id=invoice_id)
    context = documents.receipt_context(invoice, for_pdf=False)
    return render_at(
        request, invoice.location, "billing/invoice_detail.html",
        {
            **context,
            "actions": _actions(request, invoice),
            "payment_form": PaymentForm(initial={"method": PaymentMethod.CASH}),
            "void_form": VoidForm(),
            "credit_form": CreditNoteForm(),
            "plan_form": PaymentPlanForm(),
            "plan": view_selectors.invoice_active_plan(invoice=invoice),
            "invoice_lines": list(invoice.lines.all()),
        },
    )  # fmt: skip


def _back(invoice: Invoice) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("billing:invoice", args=[invoice.pk]))


@staff_view
@require_POST
def invoice_issue(request: HttpRequest, invoice_id: UUID) -> HttpResponse:
    invoice = view_selectors.invoice_get(actor=request.user, invoice_id=invoice_id)
    try:
        invoice = services.invoice_issue(actor=request.user, invoice=invoice)
    except (ValidationFailed, Conflict) as error:
        flash_error(request, error)
    else:
        messages.success(request, _("%(number)s issued.") % {"number": invoice.full_number})
    return _back(invoice)


@staff_view
@require_POST
def invoice_pay(request: HttpRequest, invoice_id: UUID) -> HttpResponse:
    """Take a payment (cash with change, card/transfer/wallet with a reference)."""
    invoice = view_selectors.invoice_get(actor=request.user, invoice_id=invoice_id)
    data = request.POST
    try:
        amount = optional_decimal(data.get("amount"), "amount")
        if amount is None:
            raise ValidationFailed.for_field("amount", _("Enter the amount."))
        payment = services.payment_record(
            actor=request.user, invoice=invoice, amount=amount,
            method=data.get("method", PaymentMethod.CASH),
            reference=data.get("reference", "").strip()[:100],
            wallet_provider=data.get("wallet_provider", "").strip()[:10],
            cash_tendered=optional_decimal(data.get("cash_tendered"), "cash_tendered"),
            keep_as_credit=data.get("keep_change_as_credit") == "on",
        )  # fmt: skip
    except (ValidationFailed, Conflict) as error:
        flash_error(request, error)
    else:
        text = _("Payment of %(amount)s recorded.") % {"amount": payment.amount}
        if payment.change_given:
            text += " " + _("Change: %(change)s.") % {"change": payment.change_given}
        messages.success(request, text)
    return _back(invoice)


@staff_view
@require_POST
def invoice_void(request: HttpRequest, invoice_id: UUID) -> HttpResponse:
    invoice = view_selectors.invoice_get(actor=request.user, invoice_id=invoice_id)
    try:
        services.invoice_void(
            actor=request.user, invoice=invoice, reason=request.POST.get("reason", "")
        )
    except (ValidationFailed, Conflict) as error:
        flash_error(request, error)
    else:
        messages.success(request, _("Invoice voided."))
    return _back(invoice)


@staff_view
@require_POST
def invoice_credit_note(request: HttpRequest, invoice_id: UUID) -> HttpResponse:
    """A credit note for an amount, or for chosen lines (each with the quantity to credit)."""
    invoice = view_selectors.invoice_get(actor=request.user, invoice_id=invoice_id)
    data = request.POST
    try:
        amount = optional_decimal(data.get("amount"), "amount")
        lines = []
        for line in invoice.lines.all():
            quantity = optional_decimal(data.get(f"credit-{line.pk}"), f"credit-{line.pk}")
            if quantity:
                lines.append(CreditLineSpec(line=line, quantity=quantity))
        note = services.credit_note_issue(
            actor=request.user, invoice=invoice, reason=data.get("reason", ""),
            amount=amount, lines=lines,
            outcome=data.get("outcome", "credit"),
            refund_method=data.get("refund_method", ""),
        )  # fmt: skip
    except (ValidationFailed, Conflict) as error:
        flash_error(request, error)
    else:
        messages.success(
            request, _("Credit note %(number)s issued.") % {"number": note.full_number}
        )
    return _back(invoice)


@staff_view
@require_POST
def invoice_plan(request: HttpRequest, invoice_id: UUID) -> HttpResponse:
    """Split the balance into installments."""
    invoice = view_selectors.invoice_get(actor=request.user, invoice_id=invoice_id)
    form = PaymentPlanForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(str(m) for ms in form.errors.values() for m in ms))
        return _back(invoice)
    try:
        services.payment_plan_create(
            actor=request.user, invoice=invoice,
            installments=form.cleaned_data["installments"],
            first_due_on=form.cleaned_data["first_due_on"],
        )  # fmt: skip
    except (ValidationFailed, Conflict) as error:
        flash_error(request, error)
    else:
        messages.success(request, _("Payment plan created."))
    return _back(invoice)


# ---------------------------------------------------------------- the receipt


@staff_view
def receipt_print(request: HttpRequest, invoice_id: UUID) -> HttpResponse:
    """The receipt as a page to print from the browser (no navigation, print styles)."""
    invoice = view_selectors.invoice_get(actor=request.user, invoice_id=invoice_id)
    context: dict[str, Any] = documents.receipt_context(invoice, for_pdf=False)
    context.update(
        back_url=reverse("billing:invoice", args=[invoice.pk]),
        pdf_url=reverse("billing:receipt_pdf", args=[invoice.pk]),
        autoprint=request.GET.get("print") == "1",
    )
    return render(request, "billing/receipt_pdf.html", context)


@staff_view
def receipt_pdf(request: HttpRequest, invoice_id: UUID) -> HttpResponse:
    """The receipt as PDF, in the client's language."""
    invoice = view_selectors.invoice_get(actor=request.user, invoice_id=invoice_id)
    response = HttpResponse(documents.receipt_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{documents.receipt_filename(invoice)}"'
    return response


@staff_view
@require_POST
def receipt_email(request: HttpRequest, invoice_id: UUID) -> HttpResponse:
    """Email the receipt PDF to the client (sent once the transaction commits)."""
    invoice = view_selectors.invoice_get(actor=request.user, invoice_id=invoice_id)
    try:
        address = emails.receipt_email(actor=request.user, invoice=invoice)
    except (ValidationFailed, Conflict) as error:
        flash_error(request, error)
    else:
        messages.success(request, _("The receipt is on its way to %(email)s.") % {"email": address})
    return _back(invoice)
