"""HTTP API of billing: estimates, invoices with their payments, credit notes and receipt,
pending charges, payment plans, receivables and the day close."""

from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from vetrisys.accounts.auth import api_actor
from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.models import Location, User
from vetrisys.accounts.permissions import has_capability
from vetrisys.billing import documents, selectors, services
from vetrisys.billing.models import (
    Charge,
    CreditNote,
    DayClose,
    Estimate,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentPlan,
)
from vetrisys.billing.schemas import (
    ChargeFilter,
    ChargeOut,
    ConvertIn,
    CreditNoteIn,
    CreditNoteOut,
    DayCloseFilter,
    DayCloseIn,
    DayCloseOut,
    EstimateDetailOut,
    EstimateFilter,
    EstimateIn,
    EstimateOut,
    InvoiceDetailOut,
    InvoiceFilter,
    InvoiceIn,
    InvoiceOut,
    InvoicePatch,
    LineIn,
    PaymentIn,
    PaymentOut,
    PaymentPlanIn,
    PaymentPlanOut,
    ReceivableFilter,
    ReceivableOut,
    VoidIn,
)
from vetrisys.clients.models import Client
from vetrisys.core.api import ERRORS, Pagination, patch_fields
from vetrisys.core.errors import NotAllowed, NotFound
from vetrisys.core.pdf import pdf_response
from vetrisys.core.timeutil import today_in
from vetrisys.inventory.models import Product
from vetrisys.patients.models import Patient

router = Router(tags=["billing"])


def _viewer(request: HttpRequest) -> User:
    """The caller, who must see billing somewhere (403 otherwise)."""
    actor = api_actor(request)
    if not has_capability(actor, Capability.BILLING_VIEW):
        raise NotAllowed(_("You do not have permission to do this."), code="forbidden")
    return actor


def _location(actor: Any, location_id: Any) -> Location:
    location = Location.objects.visible_to(actor).filter(pk=location_id).first()
    if location is None:
        raise NotFound(_("Location not found."))
    return location


def _client(actor: Any, client_id: Any) -> Client:
    client: Client | None = Client.objects.filter(
        organization_id=actor.organization_id, pk=client_id
    ).first()
    if client is None:
        raise NotFound(_("Owner not found."))
    return client


def _patient(actor: Any, patient_id: Any) -> Patient | None:
    if patient_id is None:
        return None
    patient = Patient.objects.filter(organization_id=actor.organization_id, pk=patient_id).first()
    if patient is None:
        raise NotFound(_("Patient not found."))
    return patient


def _line_specs(actor: Any, lines: list[LineIn]) -> list[services.LineSpec]:
    ids = {line.price_item for line in lines if line.price_item is not None}
    products = {
        p.pk: p for p in Product.objects.filter(organization_id=actor.organization_id, pk__in=ids)
    }
    if len(products) != len(ids):
        raise NotFound(_("Price item not found."))
    return [
        services.LineSpec(
            product=products[line.price_item] if line.price_item is not None else None,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
            discount_amount=line.discount_amount,
            tax_rate=line.tax_rate,
        )
        for line in lines
    ]


def _invoice(actor: User, invoice_id: UUID) -> Invoice:
    return selectors.invoice_get(actor=actor, invoice_id=invoice_id)


def _detail(actor: User, invoice: Invoice) -> Invoice:
    return _invoice(actor, invoice.pk)


# ---------------------------------------------------------------- estimates


@router.get("/estimates", response={200: list[EstimateOut], **ERRORS})
@paginate(Pagination)
def estimate_list(request: HttpRequest, filters: Query[EstimateFilter]) -> QuerySet[Estimate]:
    actor = _viewer(request)
    return selectors.estimate_list(
        actor=actor,
        location=_location(actor, filters.location) if filters.location else None,
        client=_client(actor, filters.client) if filters.client else None,
    )


@router.post("/estimates", response={201: EstimateDetailOut, **ERRORS})
def estimate_create(request: HttpRequest, payload: EstimateIn) -> Status[Estimate]:
    actor = api_actor(request)
    location = _location(actor, payload.location)
    estimate = services.estimate_create(
        actor=actor, location=location, client=_client(actor, payload.client),
        patient=_patient(actor, payload.patient), lines=_line_specs(actor, payload.lines),
        valid_until=payload.valid_until, discount_percent=payload.discount_percent,
        notes=payload.notes,
    )  # fmt: skip
    return Status(201, selectors.estimate_get(actor=actor, estimate_id=estimate.pk))


@router.get("/estimates/{estimate_id}", response={200: EstimateDetailOut, **ERRORS})
def estimate_get(request: HttpRequest, estimate_id: UUID) -> Estimate:
    return selectors.estimate_get(actor=api_actor(request), estimate_id=estimate_id)


@router.post("/estimates/{estimate_id}/convert", response={201: InvoiceDetailOut, **ERRORS})
def estimate_convert(
    request: HttpRequest, estimate_id: UUID, payload: ConvertIn | None = None
) -> Status[Invoice]:
    """The draft invoice the estimate became."""
    actor = api_actor(request)
    estimate = selectors.estimate_get(actor=actor, estimate_id=estimate_id)
    invoice = services.estimate_convert(
        actor=actor,
        estimate=estimate,
        document_type=payload.document_type if payload is not None else "boleta",
    )
    return Status(201, _detail(actor, invoice))


# ---------------------------------------------------------------- invoices


@router.get("/invoices", response={200: list[InvoiceOut], **ERRORS})
@paginate(Pagination)
def invoice_list(request: HttpRequest, filters: Query[InvoiceFilter]) -> QuerySet[Invoice]:
    actor = _viewer(request)
    rows = selectors.invoice_list(
        actor=actor,
        location=_location(actor, filters.location) if filters.location else None,
        client=_client(actor, filters.client) if filters.client else None,
        status=filters.status or None,
    )
    if filters.date_from or filters.date_to:
        # An invoice dates from its issue; a draft from its creation.
        rows = rows.annotate(dated_on=TruncDate(Coalesce("issued_at", "created_at")))
        if filters.date_from:
            rows = rows.filter(dated_on__gte=filters.date_from)
        if filters.date_to:
            rows = rows.filter(dated_on__lte=filters.date_to)
    return rows


@router.post("/invoices", response={201: InvoiceDetailOut, **ERRORS})
def invoice_create(request: HttpRequest, payload: InvoiceIn) -> Status[Invoice]:
    """A draft invoice: the chosen pending charges first, then the lines."""
    actor = api_actor(request)
    location = _location(actor, payload.location)
    client = _client(actor, payload.client)
    organization_id: Any = actor.organization_id
    charges = list(Charge.objects.filter(organization_id=organization_id, pk__in=payload.charges))
    if len(charges) != len(set(payload.charges)):
        raise NotFound(_("Charge not found."))
    invoice = services.invoice_create(
        actor=actor, location=location, client=client,
        patient=_patient(actor, payload.patient), lines=_line_specs(actor, payload.lines),
        charges=charges, document_type=payload.document_type,
        discount_percent=payload.discount_percent, due_on=payload.due_on, notes=payload.notes,
    )  # fmt: skip
    return Status(201, _detail(actor, invoice))


@router.get("/invoices/{invoice_id}", response={200: InvoiceDetailOut, **ERRORS})
def invoice_get(request: HttpRequest, invoice_id: UUID) -> Invoice:
    return _invoice(api_actor(request), invoice_id)


@router.patch("/invoices/{invoice_id}", response={200: InvoiceDetailOut, **ERRORS})
def invoice_update(request: HttpRequest, invoice_id: UUID, payload: InvoicePatch) -> Invoice:
    """Change a draft (409 once issued); `lines` replaces all the lines."""
    actor = api_actor(request)
    invoice = _invoice(actor, invoice_id)
    fields = patch_fields(payload)
    if "patient" in fields:
        fields["patient"] = _patient(actor, fields["patient"])
    if "lines" in fields:
        fields["lines"] = _line_specs(actor, payload.lines or [])
    services.invoice_update(actor=actor, invoice=invoice, **fields)
    return _detail(actor, invoice)


@router.post("/invoices/{invoice_id}/issue", response={200: InvoiceDetailOut, **ERRORS})
def invoice_issue(request: HttpRequest, invoice_id: UUID) -> Invoice:
    """Number the draft from its location's series; it never changes afterwards."""
    actor = api_actor(request)
    invoice = services.invoice_issue(actor=actor, invoice=_invoice(actor, invoice_id))
    return _detail(actor, invoice)


@router.post("/invoices/{invoice_id}/void", response={200: InvoiceDetailOut, **ERRORS})
def invoice_void(request: HttpRequest, invoice_id: UUID, payload: VoidIn) -> Invoice:
    actor = api_actor(request)
    invoice = services.invoice_void(
        actor=actor, invoice=_invoice(actor, invoice_id), reason=payload.reason
    )
    return _detail(actor, invoice)


@router.post("/invoices/{invoice_id}/payments", response={201: PaymentOut, **ERRORS})
def payment_create(request: HttpRequest, invoice_id: UUID, payload: PaymentIn) -> Status[Payment]:
    """Money against an issued invoice; 409 when it would overpay (unless the excess is kept
    as the owner's credit) or the invoice is not issued."""
    actor = api_actor(request)
    payment = services.payment_record(
        actor=actor, invoice=_invoice(actor, invoice_id), amount=payload.amount,
        method=payload.method, reference=payload.reference,
        wallet_provider=payload.wallet_provider, cash_tendered=payload.tendered,
        keep_as_credit=payload.keep_change_as_credit, received_at=payload.received_at,
    )  # fmt: skip
    return Status(201, payment)


@router.post("/invoices/{invoice_id}/credit-notes", response={201: CreditNoteOut, **ERRORS})
def credit_note_create(
    request: HttpRequest, invoice_id: UUID, payload: CreditNoteIn
) -> Status[CreditNote]:
    """Correct an issued invoice by `lines` (of the invoice) or by an `amount`."""
    actor = api_actor(request)
    invoice = _invoice(actor, invoice_id)
    rows = {line.pk: line for line in InvoiceLine.objects.filter(invoice=invoice)}
    specs = []
    for item in payload.lines:
        if item.line not in rows:
            raise NotFound(_("Invoice line not found."))
        specs.append(services.CreditLineSpec(line=rows[item.line], quantity=item.quantity))
    note = services.credit_note_issue(
        actor=actor, invoice=invoice, reason=payload.reason, amount=payload.amount,
        lines=specs, outcome=payload.outcome, refund_method=payload.refund_method,
    )  # fmt: skip
    return Status(201, note)


@router.get("/invoices/{invoice_id}/receipt.pdf", response={200: None, **ERRORS})
def receipt_pdf(request: HttpRequest, invoice_id: UUID) -> HttpResponse:
    """The receipt as PDF, in the owner's language."""
    invoice = _invoice(api_actor(request), invoice_id)
    with translation.override(documents.client_language(invoice.client)):
        return pdf_response(
            "billing/receipt_pdf.html",
            documents.receipt_context(invoice),
            filename=documents.receipt_filename(invoice),
        )


# ---------------------------------------------------------------- payment plans


def _plan_out(plan: PaymentPlan) -> dict[str, Any]:
    invoice = plan.invoice
    covered = invoice.paid_total + invoice.credited_total - plan.settled_before
    today = today_in(invoice.location.time_zone)
    return {
        "id": plan.pk,
        "invoice_id": plan.invoice_id,
        "status": plan.status,
        "amount": plan.amount,
        "settled_before": plan.settled_before,
        "created_at": plan.created_at,
        "installments": [
            {
                "sequence": row.sequence,
                "due_on": row.due_on,
                "amount": row.amount,
                "cumulative_amount": row.cumulative_amount,
                "is_covered": row.cumulative_amount <= covered,
                "is_overdue": row.cumulative_amount > covered and row.due_on < today,
            }
            for row in plan.installments.all()
        ],
    }


@router.get("/invoices/{invoice_id}/payment-plan", response={200: PaymentPlanOut, **ERRORS})
def payment_plan_get(request: HttpRequest, invoice_id: UUID) -> dict[str, Any]:
    """The invoice's active plan: each installment covered, due or overdue."""
    actor = api_actor(request)
    invoice = _invoice(actor, invoice_id)
    plan = (
        selectors.payment_plan_list(actor=actor, invoice=invoice)
        .filter(status=PaymentPlan.Status.ACTIVE)
        .select_related("invoice__location")
        .first()
    )
    if plan is None:
        raise NotFound(_("This invoice has no payment plan."))
    return _plan_out(plan)


@router.post("/invoices/{invoice_id}/payment-plan", response={201: PaymentPlanOut, **ERRORS})
def payment_plan_create(
    request: HttpRequest, invoice_id: UUID, payload: PaymentPlanIn
) -> Status[dict[str, Any]]:
    """Split the invoice's balance into monthly installments."""
    actor = api_actor(request)
    plan = services.payment_plan_create(
        actor=actor,
        invoice=_invoice(actor, invoice_id),
        installments=payload.installments,
        first_due_on=payload.first_due_on,
    )
    found = (
        selectors.payment_plan_list(actor=actor).select_related("invoice__location").get(pk=plan.pk)
    )
    return Status(201, _plan_out(found))


# ---------------------------------------------------------------- charges and receivables


@router.get("/charges", response={200: list[ChargeOut], **ERRORS})
@paginate(Pagination)
def charge_list(request: HttpRequest, filters: Query[ChargeFilter]) -> QuerySet[Charge]:
    """Pending charges: what was performed or dispensed and is not invoiced yet."""
    actor = _viewer(request)
    rows = selectors.charge_list(
        actor=actor, client=_client(actor, filters.client) if filters.client else None
    )
    if filters.location:
        rows = rows.filter(location=_location(actor, filters.location))
    return rows


@router.get("/receivables", response={200: list[ReceivableOut], **ERRORS})
@paginate(Pagination)
def receivable_list(request: HttpRequest, filters: Query[ReceivableFilter]) -> QuerySet[Any]:
    """Per owner: the open balance and its aging (current, 1-30, 31-60, 61-90, over 90 days)."""
    actor = _viewer(request)
    return selectors.receivables(
        actor=actor,
        location=_location(actor, filters.location) if filters.location else None,
        on=filters.on,
    )


# ---------------------------------------------------------------- day close


@router.get("/day-closes", response={200: list[DayCloseOut], **ERRORS})
@paginate(Pagination)
def day_close_list(request: HttpRequest, filters: Query[DayCloseFilter]) -> QuerySet[DayClose]:
    actor = _viewer(request)
    return selectors.day_close_list(
        actor=actor, location=_location(actor, filters.location) if filters.location else None
    )


@router.post("/day-closes", response={201: DayCloseOut, **ERRORS})
def day_close_create(request: HttpRequest, payload: DayCloseIn) -> Status[DayClose]:
    """Close a cashier's day at a location: counted against expected, per method."""
    actor = api_actor(request)
    cashier = None
    if payload.cashier is not None:
        organization_id: Any = actor.organization_id
        cashier = User.objects.filter(organization_id=organization_id, pk=payload.cashier).first()
        if cashier is None:
            raise NotFound(_("Cashier not found."))
    counted = {str(method): amount for method, amount in payload.counted.items()}
    close = services.day_close_create(
        actor=actor, location=_location(actor, payload.location),
        business_date=payload.business_date, counted=counted, cashier=cashier,
        notes=payload.notes,
    )  # fmt: skip
    return Status(201, selectors.day_close_list(actor=actor).get(pk=close.pk))
