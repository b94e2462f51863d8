"""Writes of inventory. Each checks the capability, validates, writes the ledger and the audit
event in one transaction."""

from vetrisys.inventory.services.alerts import stock_alerts_raise, stock_alerts_raise_everywhere
from vetrisys.inventory.services.catalog import (
    product_create,
    product_supplier_set,
    product_update,
    reorder_rule_set,
    supplier_create,
    supplier_update,
    warehouse_set,
)
from vetrisys.inventory.services.counts import (
    stock_count_cancel,
    stock_count_close,
    stock_count_enter,
    stock_count_start,
)
from vetrisys.inventory.services.orders import (
    LineSpec,
    purchase_order_cancel,
    purchase_order_create,
    purchase_order_send,
    purchase_orders_from_suggestions,
)
from vetrisys.inventory.services.stock import (
    fefo_picks,
    lot_cost,
    stock_adjust,
    stock_dispense,
    stock_receive,
    stock_return,
    stock_transfer,
    stock_waste,
)

__all__ = [
    "LineSpec",
    "fefo_picks",
    "lot_cost",
    "product_create",
    "product_supplier_set",
    "product_update",
    "purchase_order_cancel",
    "purchase_order_create",
    "purchase_order_send",
    "purchase_orders_from_suggestions",
    "reorder_rule_set",
    "stock_adjust",
    "stock_alerts_raise",
    "stock_alerts_raise_everywhere",
    "stock_count_cancel",
    "stock_count_close",
    "stock_count_enter",
    "stock_count_start",
    "stock_dispense",
    "stock_receive",
    "stock_return",
    "stock_transfer",
    "stock_waste",
    "supplier_create",
    "supplier_update",
    "warehouse_set",
]
