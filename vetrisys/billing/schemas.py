"""Schemas of the billing API: money as decimal strings with two places, rates and discounts
as percent strings ("18.00"), quantities as decimal strings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from ninja import Field, Schema
from pydantic import AwareDatetime, ConfigDict, PlainSerializer


def _two_places(value: Decimal) -> str:
    return f"{value:.2f}"


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _unit_price(value: Decimal) -> str:
    # Stored with four places; shown with two unless the extra places carry something.
    return f"{value:.2f}" if value == round(value, 2) else f"{value.normalize():f}"


Money = Annotated[Decimal, PlainSerializer(_two_places, return_type=str)]
Rate = Annotated[Decimal, PlainSerializer(_two_places, return_type=str)]
UnitPrice = Annotated[Decimal, PlainSerializer(_unit_price, return_type=str)]
Quantity = Annotated[
    Decimal, PlainSerializer(lambda value: f"{value.normalize():f}", return_type=str)
]
MethodName = Literal["cash", "card", "transfer", "mobile_wallet", "financing", "credit"]


class InputSchema(Schema):
    """Input naming a field the API does not know is refused, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class Ref(Schema):
    id: UUID
    name: str


def _client_ref(obj: Any) -> dict[str, Any]:
    return {"id": obj.client_id, "name": obj.client.full_name}


def _patient_ref(obj: Any) -> dict[str, Any] | None:
    if obj.patient_id is None:
        return None
    return {"id": obj.patient_id, "name": obj.patient.name}


# ---------------------------------------------------------------- lines


class LineIn(InputSchema):
    price_item: UUID | None = None
    description: str = ""
    quantity: Decimal = Decimal(1)
    unit_price: Decimal | None = None
    discount_percent: Decimal | None = None
    discount_amount: Decimal | None = Field(None, description="Instead of discount_percent.")
    tax_rate: Decimal | None = None


class LineOut(Schema):
    id: UUID
    position: int
    price_item: UUID | None = Field(alias="product_id")
    description: str
    quantity: Quantity
    unit_price: UnitPrice
    discount_percent: Rate
    discount_amount: Money
    tax_rate: Rate
    gross_amount: Money
    net_amount: Money
    tax_amount: Money
    total_amount: Money


# ---------------------------------------------------------------- estimates


class EstimateIn(InputSchema):
    client: UUID
    location: UUID
    patient: UUID | None = None
    lines: list[LineIn]
    discount_percent: Decimal = Decimal(0)
    valid_until: dt.date | None = None
    notes: str = ""


class ConvertIn(InputSchema):
    document_type: Literal["boleta", "factura"] = "boleta"


class EstimateFilter(Schema):
    client: UUID | None = None
    location: UUID | None = None


class EstimateOut(Schema):
    id: UUID
    status: str
    location: UUID = Field(alias="location_id")
    client: Ref
    patient: Ref | None
    valid_until: dt.date
    currency: str
    discount_percent: Rate
    subtotal: Money
    discount_total: Money
    tax_total: Money
    total: Money
    invoice: UUID | None = Field(alias="invoice_id")
    notes: str
    created_at: dt.datetime

    @staticmethod
    def resolve_client(obj: Any) -> dict[str, Any]:
        return _client_ref(obj)

    @staticmethod
    def resolve_patient(obj: Any) -> dict[str, Any] | None:
        return _patient_ref(obj)


class EstimateDetailOut(EstimateOut):
    lines: list[LineOut]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())


# ---------------------------------------------------------------- invoices


class InvoiceIn(InputSchema):
    client: UUID
    location: UUID
    patient: UUID | None = None
    lines: list[LineIn] = []
    discount_percent: Decimal = Decimal(0)
    document_type: Literal["boleta", "factura"] = "boleta"
    charges: list[UUID] = Field([], description="Pending charges to bill, placed first.")
    due_on: dt.date | None = None
    notes: str = ""


class InvoicePatch(InputSchema):
    patient: UUID | None = None
    lines: list[LineIn] | None = None
    discount_percent: Decimal | None = None
    document_type: Literal["boleta", "factura"] | None = None
    due_on: dt.date | None = None
    notes: str | None = None


class InvoiceFilter(Schema):
    client: UUID | None = None
    location: UUID | None = None
    status: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = Field(None, description="inclusive")


class PaymentOut(Schema):
    id: UUID
    invoice: UUID = Field(alias="invoice_id")
    amount: Money
    method: str
    wallet_provider: str
    reference: str
    tendered: Money | None = Field(alias="cash_tendered")
    change_given: Money
    kept_as_credit: Money
    received_at: dt.datetime
    received_by: UUID = Field(alias="received_by_id")


class CreditNoteLineOut(Schema):
    invoice_line: UUID | None = Field(alias="invoice_line_id")
    description: str
    quantity: Quantity | None
    net_amount: Money
    tax_amount: Money
    total_amount: Money


class CreditNoteSummaryOut(Schema):
    id: UUID
    invoice: UUID = Field(alias="invoice_id")
    number: str = Field(alias="full_number")
    reason: str
    net_amount: Money
    tax_amount: Money
    amount: Money
    applied_to_balance: Money
    outcome: str
    refunded_amount: Money
    refund_method: str
    credited_to_client: Money
    issued_at: dt.datetime


class CreditNoteOut(CreditNoteSummaryOut):
    lines: list[CreditNoteLineOut]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())


class InvoiceOut(Schema):
    id: UUID
    number: str | None
    document_type: str
    status: str
    location: UUID = Field(alias="location_id")
    client: Ref
    patient: Ref | None
    currency: str
    discount_percent: Rate
    subtotal: Money
    discount_total: Money
    tax_total: Money
    total: Money
    paid_total: Money
    credited_total: Money
    balance: Money
    due_on: dt.date | None
    issued_at: dt.datetime | None
    void_reason: str
    created_at: dt.datetime

    @staticmethod
    def resolve_number(obj: Any) -> str | None:
        return str(obj.full_number) or None

    @staticmethod
    def resolve_client(obj: Any) -> dict[str, Any]:
        return _client_ref(obj)

    @staticmethod
    def resolve_patient(obj: Any) -> dict[str, Any] | None:
        return _patient_ref(obj)


class InvoiceDetailOut(InvoiceOut):
    notes: str
    lines: list[LineOut]
    payments: list[PaymentOut]
    credit_notes: list[CreditNoteSummaryOut]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())

    @staticmethod
    def resolve_payments(obj: Any) -> list[Any]:
        return list(obj.payments.all())

    @staticmethod
    def resolve_credit_notes(obj: Any) -> list[Any]:
        return list(obj.credit_notes.all())


class VoidIn(InputSchema):
    reason: str


class PaymentIn(InputSchema):
    amount: Decimal
    method: MethodName
    reference: str = ""
    tendered: Decimal | None = Field(None, description="Cash handed over; the change is given.")
    keep_change_as_credit: bool = Field(
        False, description="Keep what exceeds the balance as the owner's credit."
    )
    wallet_provider: Literal["", "yape", "plin", "other"] = ""
    received_at: AwareDatetime | None = Field(None, description="Default: now.")


class CreditLineIn(InputSchema):
    line: UUID
    quantity: Decimal | None = Field(None, description="Default: the whole line.")


class CreditNoteIn(InputSchema):
    reason: str
    amount: Decimal | None = None
    lines: list[CreditLineIn] = []
    outcome: Literal["credit", "refund"] = "credit"
    refund_method: str = ""


# ---------------------------------------------------------------- charges, plans, receivables


class ChargeFilter(Schema):
    client: UUID | None = None
    location: UUID | None = None


class ChargeOut(Schema):
    id: UUID
    location: UUID = Field(alias="location_id")
    client: UUID = Field(alias="client_id")
    patient: Ref | None
    price_item: UUID = Field(alias="product_id")
    description: str
    quantity: Quantity
    unit_price: UnitPrice
    tax_rate: Rate
    source: str
    source_id: UUID
    status: str
    invoice_line: UUID | None = Field(alias="invoice_line_id")
    created_at: dt.datetime

    @staticmethod
    def resolve_patient(obj: Any) -> dict[str, Any] | None:
        return _patient_ref(obj)


class PaymentPlanIn(InputSchema):
    installments: int = Field(ge=1, le=36)
    first_due_on: dt.date


class InstallmentOut(Schema):
    sequence: int
    due_on: dt.date
    amount: Money
    cumulative_amount: Money
    is_covered: bool
    is_overdue: bool


class PaymentPlanOut(Schema):
    id: UUID
    invoice: UUID = Field(alias="invoice_id")
    status: str
    amount: Money
    settled_before: Money
    created_at: dt.datetime
    installments: list[InstallmentOut]


class ReceivableFilter(Schema):
    location: UUID | None = None
    on: dt.date | None = Field(None, description="Aging as of this day (default: today).")


class ReceivableOut(Schema):
    client: Ref
    invoices: int
    outstanding: Money
    current: Money
    days_1_30: Money
    days_31_60: Money
    days_61_90: Money
    days_over_90: Money

    @staticmethod
    def resolve_client(obj: Any) -> dict[str, Any]:
        name = f"{obj['client__first_name']} {obj['client__last_name']}".strip()
        return {"id": obj["client_id"], "name": name}


# ---------------------------------------------------------------- day close


class DayCloseIn(InputSchema):
    location: UUID
    business_date: dt.date
    counted: dict[MethodName, Decimal]
    cashier: UUID | None = Field(None, description="Default: the caller.")
    notes: str = ""


class DayCloseFilter(Schema):
    location: UUID | None = None


class DayCloseLineOut(Schema):
    method: str
    expected: Money
    counted: Money
    difference: Money


class DayCloseOut(Schema):
    id: UUID
    location: UUID = Field(alias="location_id")
    cashier: Ref
    business_date: dt.date
    expected_total: Money
    counted_total: Money
    difference_total: Money
    notes: str
    closed_at: dt.datetime
    closed_by: UUID = Field(alias="closed_by_id")
    lines: list[DayCloseLineOut]

    @staticmethod
    def resolve_cashier(obj: Any) -> dict[str, Any]:
        return {"id": obj.cashier_id, "name": obj.cashier.display_name}

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())
