"""HTTP API of inventory: products, stock and its movements, suppliers, orders, counts, report."""

from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from vetrisys.accounts.auth import api_actor
from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.models import Location, User
from vetrisys.accounts.permissions import locations_with
from vetrisys.core.api import ERRORS, Pagination, patch_fields
from vetrisys.core.errors import ValidationFailed
from vetrisys.inventory import reports, selectors, services
from vetrisys.inventory.models import (
    Product,
    PurchaseOrder,
    StockBalance,
    StockCount,
    StockMovement,
    Supplier,
)
from vetrisys.inventory.schemas import (
    AdjustIn,
    CountDetailOut,
    CountIn,
    CountLineIn,
    CountLineOut,
    CountOut,
    DispenseIn,
    InventoryReportOut,
    MovementFilter,
    MovementOut,
    MovementsOut,
    OrderFilter,
    OrderIn,
    OrderOut,
    ProductFilter,
    ProductIn,
    ProductOut,
    ProductPatch,
    ReceiveIn,
    ReportFilter,
    StockFilter,
    StockOut,
    SuggestIn,
    SupplierIn,
    SupplierOut,
    SupplierPatch,
    TransferIn,
    WasteIn,
)

products_router = Router(tags=["inventory"])
stock_router = Router(tags=["inventory"])
suppliers_router = Router(tags=["inventory"])
orders_router = Router(tags=["inventory"])
counts_router = Router(tags=["inventory"])
reports_router = Router(tags=["reports"])


def _location(actor: User, location_id: Any, field: str = "location") -> Location:
    return selectors.location_get(actor=actor, location_id=location_id, field=field)


def _product(actor: User, product_id: Any) -> Product:
    return selectors.product_get(actor=actor, product_id=product_id)


def _moves(moves: list[StockMovement]) -> Status[dict[str, Any]]:
    return Status(201, {"movements": moves})


# ---------------------------------------------------------------- products


@products_router.get("", response={200: list[ProductOut], **ERRORS})
@paginate(Pagination)
def product_list(request: HttpRequest, filters: Query[ProductFilter]) -> QuerySet[Product]:
    return selectors.product_list(actor=api_actor(request), q=filters.q, kind=filters.kind)


@products_router.post("", response={201: ProductOut, **ERRORS})
def product_create(request: HttpRequest, payload: ProductIn) -> Status[Product]:
    fields = payload.model_dump()
    fields["sale_price"] = fields.pop("price")
    return Status(201, services.product_create(actor=api_actor(request), **fields))


@products_router.get("/{product_id}", response={200: ProductOut, **ERRORS})
def product_get(request: HttpRequest, product_id: UUID) -> Product:
    return _product(api_actor(request), product_id)


@products_router.patch("/{product_id}", response={200: ProductOut, **ERRORS})
def product_update(request: HttpRequest, product_id: UUID, payload: ProductPatch) -> Product:
    """Change a product; `reorder_level` (and `reorder_quantity`) apply at `location`, or at the
    one location where the caller keeps stock when they keep stock at only one."""
    actor = api_actor(request)
    product = _product(actor, product_id)
    fields = patch_fields(payload)
    if "price" in fields:
        fields["sale_price"] = fields.pop("price")
    location_id = fields.pop("location", None)
    level = fields.pop("reorder_level", None)
    amount = fields.pop("reorder_quantity", None)
    with transaction.atomic():
        if fields:
            product = services.product_update(actor=actor, product=product, **fields)
        if level is not None or amount is not None:
            if location_id is None:
                managed = locations_with(actor, Capability.INVENTORY_MANAGE)
                if len(managed) != 1:
                    raise ValidationFailed.for_field(
                        "location", _("Say at which location the reorder level applies.")
                    )
                location_id = managed[0]
            if level is None:
                raise ValidationFailed.for_field("reorder_level", _("Give the reorder level."))
            services.reorder_rule_set(
                actor=actor, location=_location(actor, location_id), product=product,
                reorder_level=level, reorder_quantity=amount,
            )  # fmt: skip
    return product


# ---------------------------------------------------------------- stock


@stock_router.get("", response={200: list[StockOut], **ERRORS})
@paginate(Pagination)
def stock_list(request: HttpRequest, filters: Query[StockFilter]) -> QuerySet[StockBalance]:
    actor = api_actor(request)
    product = _product(actor, filters.product) if filters.product else None
    return selectors.stock_on_hand(
        actor=actor, location=_location(actor, filters.location), product=product
    )


@stock_router.get("/movements", response={200: list[MovementOut], **ERRORS})
@paginate(Pagination)
def movement_list(request: HttpRequest, filters: Query[MovementFilter]) -> QuerySet[StockMovement]:
    actor = api_actor(request)
    return selectors.movement_list(
        actor=actor,
        location=_location(actor, filters.location) if filters.location else None,
        product=_product(actor, filters.product) if filters.product else None,
    )


@stock_router.post("/receive", response={201: MovementsOut, **ERRORS})
def stock_receive(request: HttpRequest, payload: ReceiveIn) -> Status[dict[str, Any]]:
    actor = api_actor(request)
    supplier = (
        selectors.supplier_get(actor=actor, supplier_id=payload.supplier)
        if payload.supplier
        else None
    )
    line = (
        selectors.order_line_get(actor=actor, line_id=payload.purchase_order_line)
        if payload.purchase_order_line
        else None
    )
    move = services.stock_receive(
        actor=actor, location=_location(actor, payload.location),
        product=_product(actor, payload.product), quantity=payload.quantity,
        unit_cost=payload.unit_cost, lot=payload.lot, expires_on=payload.expires_on,
        supplier=supplier, purchase_order_line=line, reference=payload.reference,
    )  # fmt: skip
    return _moves([move])


@stock_router.post("/adjust", response={201: MovementsOut, **ERRORS})
def stock_adjust(request: HttpRequest, payload: AdjustIn) -> Status[dict[str, Any]]:
    actor = api_actor(request)
    move = services.stock_adjust(
        actor=actor, location=_location(actor, payload.location),
        product=_product(actor, payload.product), lot=payload.lot,
        quantity_delta=payload.quantity_delta, reason=payload.reason,
    )  # fmt: skip
    return _moves([move])


@stock_router.post("/waste", response={201: MovementsOut, **ERRORS})
def stock_waste(request: HttpRequest, payload: WasteIn) -> Status[dict[str, Any]]:
    actor = api_actor(request)
    move = services.stock_waste(
        actor=actor, location=_location(actor, payload.location),
        product=_product(actor, payload.product), lot=payload.lot,
        quantity=payload.quantity, reason=payload.reason,
    )  # fmt: skip
    return _moves([move])


@stock_router.post("/transfer", response={201: MovementsOut, **ERRORS})
def stock_transfer(request: HttpRequest, payload: TransferIn) -> Status[dict[str, Any]]:
    actor = api_actor(request)
    moves = services.stock_transfer(
        actor=actor,
        from_location=_location(actor, payload.from_location, "from_location"),
        to_location=selectors.location_in_organization(
            actor=actor, location_id=payload.to_location, field="to_location"
        ),
        product=_product(actor, payload.product), lot=payload.lot,
        quantity=payload.quantity, reason=payload.reason,
    )  # fmt: skip
    return _moves(moves)


@stock_router.post("/dispense", response={201: MovementsOut, **ERRORS})
def stock_dispense(request: HttpRequest, payload: DispenseIn) -> Status[dict[str, Any]]:
    actor = api_actor(request)
    moves = services.stock_dispense(
        actor=actor, location=_location(actor, payload.location),
        product=_product(actor, payload.product), quantity=payload.quantity,
        lot=payload.lot or None, reference=payload.reference, reason=payload.reason,
    )  # fmt: skip
    return _moves(moves)


# ---------------------------------------------------------------- suppliers


@suppliers_router.get("", response={200: list[SupplierOut], **ERRORS})
@paginate(Pagination)
def supplier_list(request: HttpRequest) -> QuerySet[Supplier]:
    return selectors.supplier_list(actor=api_actor(request))


@suppliers_router.post("", response={201: SupplierOut, **ERRORS})
def supplier_create(request: HttpRequest, payload: SupplierIn) -> Status[Supplier]:
    return Status(201, services.supplier_create(actor=api_actor(request), **payload.model_dump()))


@suppliers_router.patch("/{supplier_id}", response={200: SupplierOut, **ERRORS})
def supplier_update(request: HttpRequest, supplier_id: UUID, payload: SupplierPatch) -> Supplier:
    actor = api_actor(request)
    supplier = selectors.supplier_get(actor=actor, supplier_id=supplier_id)
    return services.supplier_update(actor=actor, supplier=supplier, **patch_fields(payload))


# ---------------------------------------------------------------- purchase orders


@orders_router.get("", response={200: list[OrderOut], **ERRORS})
@paginate(Pagination)
def order_list(request: HttpRequest, filters: Query[OrderFilter]) -> QuerySet[PurchaseOrder]:
    actor = api_actor(request)
    location = _location(actor, filters.location) if filters.location else None
    return selectors.order_list(actor=actor, location=location, status=filters.status)


@orders_router.post("", response={201: OrderOut, **ERRORS})
def order_create(request: HttpRequest, payload: OrderIn) -> Status[PurchaseOrder]:
    actor = api_actor(request)
    lines = [
        services.LineSpec(_product(actor, line.product), line.quantity, line.unit_cost)
        for line in payload.lines
    ]
    order = services.purchase_order_create(
        actor=actor, location=_location(actor, payload.location),
        supplier=selectors.supplier_get(actor=actor, supplier_id=payload.supplier),
        lines=lines, expected_on=payload.expected_on, note=payload.note,
    )  # fmt: skip
    return Status(201, selectors.order_get(actor=actor, order_id=order.pk))


@orders_router.post("/suggest", response={201: list[OrderOut], **ERRORS})
def order_suggest(request: HttpRequest, payload: SuggestIn) -> Status[list[PurchaseOrder]]:
    actor = api_actor(request)
    supplier = (
        selectors.supplier_get(actor=actor, supplier_id=payload.supplier)
        if payload.supplier
        else None
    )
    orders = services.purchase_orders_from_suggestions(
        actor=actor, location=_location(actor, payload.location), supplier=supplier
    )
    ids = [order.pk for order in orders]
    return Status(201, list(selectors.order_list(actor=actor).filter(pk__in=ids)))


@orders_router.get("/{order_id}", response={200: OrderOut, **ERRORS})
def order_get(request: HttpRequest, order_id: UUID) -> PurchaseOrder:
    return selectors.order_get(actor=api_actor(request), order_id=order_id)


@orders_router.post("/{order_id}/send", response={200: OrderOut, **ERRORS})
def order_send(request: HttpRequest, order_id: UUID) -> PurchaseOrder:
    actor = api_actor(request)
    order = selectors.order_get(actor=actor, order_id=order_id)
    services.purchase_order_send(actor=actor, order=order)
    return selectors.order_get(actor=actor, order_id=order_id)


@orders_router.post("/{order_id}/cancel", response={200: OrderOut, **ERRORS})
def order_cancel(request: HttpRequest, order_id: UUID) -> PurchaseOrder:
    actor = api_actor(request)
    order = selectors.order_get(actor=actor, order_id=order_id)
    services.purchase_order_cancel(actor=actor, order=order)
    return selectors.order_get(actor=actor, order_id=order_id)


# ---------------------------------------------------------------- counts


@counts_router.get("", response={200: list[CountOut], **ERRORS})
@paginate(Pagination)
def count_list(request: HttpRequest, location: UUID) -> QuerySet[StockCount]:
    actor = api_actor(request)
    return selectors.count_list(actor=actor, location=_location(actor, location))


@counts_router.post("", response={201: CountOut, **ERRORS})
def count_start(request: HttpRequest, payload: CountIn) -> Status[StockCount]:
    actor = api_actor(request)
    count = services.stock_count_start(
        actor=actor, location=_location(actor, payload.location), note=payload.note
    )
    return Status(201, count)


def _count_detail(count: StockCount) -> dict[str, Any]:
    return {
        "id": count.pk,
        "location_id": count.location_id,
        "status": count.status,
        "note": count.note,
        "created_at": count.created_at,
        "closed_at": count.closed_at,
        "lines": list(selectors.count_lines(count=count)),
    }


@counts_router.get("/{count_id}", response={200: CountDetailOut, **ERRORS})
def count_get(request: HttpRequest, count_id: UUID) -> dict[str, Any]:
    return _count_detail(selectors.count_get(actor=api_actor(request), count_id=count_id))


@counts_router.post("/{count_id}/lines", response={200: CountLineOut, **ERRORS})
def count_enter(request: HttpRequest, count_id: UUID, payload: CountLineIn) -> Any:
    actor = api_actor(request)
    count = selectors.count_get(actor=actor, count_id=count_id)
    return services.stock_count_enter(
        actor=actor, count=count, product=_product(actor, payload.product), lot=payload.lot,
        counted_quantity=payload.counted_quantity,
    )  # fmt: skip


@counts_router.post("/{count_id}/close", response={200: CountDetailOut, **ERRORS})
def count_close(request: HttpRequest, count_id: UUID) -> dict[str, Any]:
    actor = api_actor(request)
    count = selectors.count_get(actor=actor, count_id=count_id)
    services.stock_count_close(actor=actor, count=count)
    return _count_detail(selectors.count_get(actor=actor, count_id=count_id))


# ---------------------------------------------------------------- report


@reports_router.get("/inventory", response={200: InventoryReportOut, **ERRORS})
def inventory_report(request: HttpRequest, filters: Query[ReportFilter]) -> dict[str, Any]:
    actor = api_actor(request)
    location = _location(actor, filters.location) if filters.location else None
    report = reports.inventory_report(
        actor=actor, date_from=filters.date_from, date_to=filters.date_to, location=location
    )
    scope = [location] if location else selectors.stock_locations(actor=actor)
    low, expiring = [], []
    for place in scope[:20]:
        low += [
            {"location": place.pk, **row.__dict__}
            for row in selectors.low_stock_at(location=place, limit=200)
        ]
        expiring += [
            {
                "location": place.pk, "product": row.product, "lot": row.lot.lot_number,
                "expires_on": row.lot.expires_on, "on_hand": row.on_hand,
                "is_expired": row.is_expired,
            }
            for row in selectors.expiring_lots_at(location=place, limit=200)
        ]  # fmt: skip
    return {
        "date_from": report.date_from,
        "date_to": report.date_to,
        "stock_value": report.stock_value,
        "wasted_value": report.wasted_value,
        "products": report.products,
        "low_stock": low,
        "expiring_lots": expiring,
    }
