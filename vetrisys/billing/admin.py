"""Billing in Django's admin: read-only, for operators (every change goes through the
services, which number, total and audit it)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from vetrisys.accounts.admin import ReadOnlyAdmin
from vetrisys.billing.models import (
    Charge,
    ClientCreditEntry,
    CreditNote,
    CreditNoteLine,
    DayClose,
    DayCloseLine,
    DocumentSeries,
    Estimate,
    EstimateLine,
    Installment,
    Invoice,
    InvoiceLine,
    LocationPrice,
    Payment,
    PaymentPlan,
)


class ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class InvoiceLineInline(ReadOnlyInline):
    model = InvoiceLine
    fields = ["description", "quantity", "unit_price", "discount_percent", "tax_rate",
              "net_amount", "tax_amount", "total_amount"]  # fmt: skip


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["received_at", "method", "wallet_provider", "reference", "amount", "received_by"]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "location", "client", "status", "total", "balance", "issued_at"]
    list_filter = ["status", "document_type", "location"]
    search_fields = ["full_number", "client__first_name", "client__last_name"]
    list_select_related = ["location", "client"]
    inlines = [InvoiceLineInline, PaymentInline]


class EstimateLineInline(ReadOnlyInline):
    model = EstimateLine
    fields = ["description", "quantity", "unit_price", "tax_rate", "total_amount"]


@admin.register(Estimate)
class EstimateAdmin(ReadOnlyAdmin):
    list_display = ["id", "location", "client", "status", "total", "valid_until"]
    list_filter = ["status", "location"]
    list_select_related = ["location", "client"]
    inlines = [EstimateLineInline]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "invoice", "method", "amount", "reference", "received_by"]
    list_filter = ["method", "location"]
    list_select_related = ["invoice", "received_by"]


class CreditNoteLineInline(ReadOnlyInline):
    model = CreditNoteLine
    fields = ["description", "quantity", "net_amount", "tax_amount", "total_amount"]


@admin.register(CreditNote)
class CreditNoteAdmin(ReadOnlyAdmin):
    list_display = ["full_number", "invoice", "amount", "outcome", "reason", "issued_at"]
    list_select_related = ["invoice"]
    inlines = [CreditNoteLineInline]


@admin.register(Charge)
class ChargeAdmin(ReadOnlyAdmin):
    list_display = ["description", "location", "client", "quantity", "status", "source"]
    list_filter = ["status", "source", "location"]
    list_select_related = ["location", "client"]


@admin.register(DocumentSeries)
class DocumentSeriesAdmin(ReadOnlyAdmin):
    list_display = ["prefix", "location", "document_type", "next_number", "is_active"]


@admin.register(LocationPrice)
class LocationPriceAdmin(ReadOnlyAdmin):
    list_display = ["product", "location", "price", "valid_from"]
    list_select_related = ["product", "location"]


@admin.register(ClientCreditEntry)
class ClientCreditEntryAdmin(ReadOnlyAdmin):
    list_display = ["client", "kind", "amount", "created_at"]
    list_select_related = ["client"]


class InstallmentInline(ReadOnlyInline):
    model = Installment
    fields = ["sequence", "due_on", "amount", "cumulative_amount"]


@admin.register(PaymentPlan)
class PaymentPlanAdmin(ReadOnlyAdmin):
    list_display = ["invoice", "client", "status", "amount", "created_at"]
    list_select_related = ["invoice", "client"]
    inlines = [InstallmentInline]


class DayCloseLineInline(ReadOnlyInline):
    model = DayCloseLine
    fields = ["method", "expected", "counted", "difference"]


@admin.register(DayClose)
class DayCloseAdmin(ReadOnlyAdmin):
    list_display = ["business_date", "location", "cashier", "expected_total", "counted_total",
                    "difference_total"]  # fmt: skip
    list_select_related = ["location", "cashier"]
    inlines = [DayCloseLineInline]
