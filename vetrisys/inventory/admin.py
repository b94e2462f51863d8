"""Inventory in Django's admin: read-only, for operators (changes go through the screens)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from vetrisys.inventory.models import Product, StockBalance, StockMovement


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "unit", "sku", "barcode", "sale_price", "tax_rate"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "sku", "barcode"]


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "kind", "product", "lot", "location", "quantity", "reference"]
    list_filter = ["kind"]
    list_select_related = ["product", "lot", "location"]
    ordering = ["-occurred_at"]


@admin.register(StockBalance)
class StockBalanceAdmin(ReadOnlyAdmin):
    list_display = ["location", "product", "lot", "on_hand"]
    list_select_related = ["product", "lot", "location"]
