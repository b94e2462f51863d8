"""Ninja schemas of the inventory API (quantities and money as decimal strings)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from uuid import UUID

from ninja import Schema
from pydantic import Field


class ProductIn(Schema):
    name: str
    kind: str
    unit: str = "unit"
    pack_size: Decimal = Decimal(1)
    sku: str = ""
    barcode: str = ""
    price: Decimal = Decimal(0)
    tax_rate: Decimal = Decimal("18.00")
    controlled_schedule: str = ""


class ProductPatch(Schema):
    name: str | None = None
    kind: str | None = None
    unit: str | None = None
    pack_size: Decimal | None = None
    sku: str | None = None
    barcode: str | None = None
    price: Decimal | None = None
    tax_rate: Decimal | None = None
    controlled_schedule: str | None = None
    is_active: bool | None = None
    reorder_level: Decimal | None = None
    reorder_quantity: Decimal | None = None
    location: UUID | None = None


class ProductOut(Schema):
    id: UUID
    name: str
    kind: str
    unit: str
    pack_size: Decimal
    sku: str
    barcode: str
    price: Decimal = Field(alias="sale_price")
    tax_rate: Decimal
    controlled_schedule: str
    is_active: bool


class ProductFilter(Schema):
    q: str = ""
    kind: str = ""


class ProductRef(Schema):
    id: UUID
    name: str
    unit: str


class StockFilter(Schema):
    location: UUID
    product: UUID | None = None


class StockOut(Schema):
    location: UUID = Field(alias="location_id")
    product: ProductRef
    lot: str
    expires_on: dt.date | None
    on_hand: Decimal

    @staticmethod
    def resolve_lot(obj: Any) -> str:
        return str(obj.lot.lot_number)

    @staticmethod
    def resolve_expires_on(obj: Any) -> dt.date | None:
        expires_on: dt.date | None = obj.lot.expires_on
        return expires_on


class MovementOut(Schema):
    id: UUID
    kind: str
    location: UUID = Field(alias="location_id")
    product: UUID = Field(alias="product_id")
    lot: str
    expires_on: dt.date | None
    quantity: Decimal
    unit_cost: Decimal | None
    reason: str
    reference: str
    transfer_group: UUID | None
    occurred_at: dt.datetime

    @staticmethod
    def resolve_lot(obj: Any) -> str:
        return str(obj.lot.lot_number)

    @staticmethod
    def resolve_expires_on(obj: Any) -> dt.date | None:
        expires_on: dt.date | None = obj.lot.expires_on
        return expires_on


class MovementsOut(Schema):
    movements: list[MovementOut]


class MovementFilter(Schema):
    location: UUID | None = None
    product: UUID | None = None


class ReceiveIn(Schema):
    location: UUID
    product: UUID
    lot: str = ""
    expires_on: dt.date | None = None
    quantity: Decimal
    unit_cost: Decimal
    supplier: UUID | None = None
    purchase_order_line: UUID | None = None
    reference: str = ""


class AdjustIn(Schema):
    location: UUID
    product: UUID
    lot: str = ""
    quantity_delta: Decimal
    reason: str


class WasteIn(Schema):
    location: UUID
    product: UUID
    lot: str = ""
    quantity: Decimal
    reason: str


class TransferIn(Schema):
    from_location: UUID
    to_location: UUID
    product: UUID
    lot: str = ""
    quantity: Decimal
    reason: str = ""


class DispenseIn(Schema):
    location: UUID
    product: UUID
    quantity: Decimal
    lot: str = ""
    reference: str = ""
    reason: str = ""


class SupplierIn(Schema):
    name: str
    tax_id: str = ""
    contact_name: str = ""
    email: str = ""
    phone: str = ""


class SupplierPatch(Schema):
    name: str | None = None
    tax_id: str | None = None
    contact_name: str | None = None
    email: str | None = None
    phone: str | None = None
    is_active: bool | None = None


class SupplierOut(Schema):
    id: UUID
    name: str
    tax_id: str
    contact_name: str
    email: str
    phone: str
    is_active: bool


class OrderLineIn(Schema):
    product: UUID
    quantity: Decimal
    unit_cost: Decimal = Decimal(0)


class OrderIn(Schema):
    location: UUID
    supplier: UUID
    lines: list[OrderLineIn]
    expected_on: dt.date | None = None
    note: str = ""


class OrderLineOut(Schema):
    id: UUID
    product: ProductRef
    quantity_ordered: Decimal
    quantity_received: Decimal
    unit_cost: Decimal


class OrderOut(Schema):
    id: UUID
    number: int
    reference: str
    location: UUID = Field(alias="location_id")
    supplier: SupplierOut
    status: str
    expected_on: dt.date | None
    note: str
    sent_at: dt.datetime | None
    received_at: dt.datetime | None
    lines: list[OrderLineOut]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())


class OrderFilter(Schema):
    location: UUID | None = None
    status: str = ""


class SuggestIn(Schema):
    location: UUID
    supplier: UUID | None = None


class CountIn(Schema):
    location: UUID
    note: str = ""


class CountLineIn(Schema):
    product: UUID
    lot: str = ""
    counted_quantity: Decimal


class CountLineOut(Schema):
    id: UUID
    product: ProductRef
    lot: str
    expected_quantity: Decimal
    counted_quantity: Decimal | None
    variance: Decimal | None

    @staticmethod
    def resolve_lot(obj: Any) -> str:
        return str(obj.lot.lot_number)


class CountOut(Schema):
    id: UUID
    location: UUID = Field(alias="location_id")
    status: str
    note: str
    created_at: dt.datetime
    closed_at: dt.datetime | None


class CountDetailOut(CountOut):
    lines: list[CountLineOut]


class ReportFilter(Schema):
    date_from: dt.date
    date_to: dt.date
    location: UUID | None = None


class UsageOut(Schema):
    product: UUID = Field(alias="product_id")
    name: str
    unit: str
    dispensed: Decimal
    dispensed_cost: Decimal
    wasted: Decimal
    wasted_value: Decimal
    expired_wasted_value: Decimal
    on_hand: Decimal
    stock_value: Decimal


class LowStockOut(Schema):
    location: UUID
    product: ProductRef
    on_hand: Decimal
    reorder_level: Decimal
    reorder_quantity: Decimal


class ExpiringOut(Schema):
    location: UUID
    product: ProductRef
    lot: str
    expires_on: dt.date | None
    on_hand: Decimal
    is_expired: bool


class InventoryReportOut(Schema):
    date_from: dt.date
    date_to: dt.date
    stock_value: Decimal
    wasted_value: Decimal
    products: list[UsageOut]
    low_stock: list[LowStockOut]
    expiring_lots: list[ExpiringOut]
