"""Reads of inventory, always within the actor's organization and with a bounded query count."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import (
    DecimalField,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.models import Location
from vetrisys.accounts.permissions import has_capability, locations_with, require
from vetrisys.core.errors import NotAllowed, NotFound, ValidationFailed
from vetrisys.core.text import normalize_search
from vetrisys.core.timeutil import today_in
from vetrisys.inventory.models import (
    InventorySettings,
    Lot,
    Product,
    ProductSupplier,
    PurchaseOrder,
    PurchaseOrderLine,
    ReorderRule,
    StockAlert,
    StockBalance,
    StockCount,
    StockCountLine,
    StockMovement,
    Supplier,
)

ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=14, decimal_places=3))
CATALOG_READERS = (
    Capability.INVENTORY_VIEW,
    Capability.PRICES_MANAGE,
    Capability.BILLING_VIEW,
    Capability.APPOINTMENTS_MANAGE,
)


def _uuid(value: Any, field: str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError, ValidationError):
        raise ValidationFailed.for_field(field, _("Not a valid id.")) from None


# ---------------------------------------------------------------- locations


def location_get(*, actor: Any, location_id: Any, field: str = "location") -> Location:
    """A location the actor works at (any of the organization for an admin), else 404."""
    location = Location.objects.visible_to(actor).filter(pk=_uuid(location_id, field)).first()
    if location is None:
        raise NotFound(_("Location not found."))
    return location


def location_in_organization(*, actor: Any, location_id: Any, field: str) -> Location:
    """Any location of the actor's organization (a transfer's destination), else 404."""
    location = Location.objects.filter(
        organization_id=actor.organization_id, pk=_uuid(location_id, field)
    ).first()
    if location is None:
        raise NotFound(_("Location not found."))
    return location


def stock_locations(
    *, actor: Any, capability: Capability = Capability.INVENTORY_VIEW
) -> list[Location]:
    """Locations where the actor holds the capability, by name."""
    ids = locations_with(actor, capability)
    return list(Location.objects.filter(pk__in=ids, organization_id=actor.organization_id))


def organization_locations(*, actor: Any) -> list[Location]:
    """Every location of the actor's organization (destinations of transfers)."""
    return list(Location.objects.filter(organization_id=actor.organization_id, is_active=True))


def warehouse_of(*, actor: Any) -> Location | None:
    """The organization's central warehouse, if one is set."""
    row = (
        InventorySettings.objects.filter(organization_id=actor.organization_id)
        .select_related("warehouse_location")
        .first()
    )
    return row.warehouse_location if row is not None else None


# ---------------------------------------------------------------- products


def _require_catalog(actor: Any) -> None:
    if not any(has_capability(actor, capability) for capability in CATALOG_READERS):
        raise NotAllowed(_("You do not have permission to do this."), code="forbidden")


def product_list(
    *, actor: Any, q: str = "", kind: str = "", is_active: bool | None = True
) -> QuerySet[Product]:
    """The organization's products and services; `q` matches name words, SKU or barcode."""
    _require_catalog(actor)
    products = Product.objects.filter(organization_id=actor.organization_id)
    if is_active is not None:
        products = products.filter(is_active=is_active)
    if kind:
        products = products.filter(kind=kind)
    text = q.strip()
    if text:
        match = Q()
        for word in normalize_search(text).split():
            match &= Q(search_name__contains=word)
        products = products.filter(match | Q(sku__iexact=text) | Q(barcode=text))
    return products.order_by("search_name", "id")


def product_get(*, actor: Any, product_id: Any, field: str = "product") -> Product:
    """One product of the organization, else 404."""
    _require_catalog(actor)
    product = Product.objects.filter(
        organization_id=actor.organization_id, pk=_uuid(product_id, field)
    ).first()
    if product is None:
        raise NotFound(_("Product not found."))
    return product


def product_by_code(*, actor: Any, code: str) -> Product | None:
    """The product a scanner read: its barcode, else its SKU."""
    _require_catalog(actor)
    code = (code or "").strip()
    if not code:
        return None
    products = Product.objects.filter(organization_id=actor.organization_id)
    return products.filter(barcode=code).first() or products.filter(sku__iexact=code).first()


def supplier_list(*, actor: Any, is_active: bool | None = True) -> QuerySet[Supplier]:
    """The organization's suppliers."""
    require(actor, Capability.INVENTORY_VIEW)
    suppliers = Supplier.objects.filter(organization_id=actor.organization_id)
    if is_active is not None:
        suppliers = suppliers.filter(is_active=is_active)
    return suppliers.order_by("name", "id")


def supplier_get(*, actor: Any, supplier_id: Any, field: str = "supplier") -> Supplier:
    """One supplier of the organization, else 404."""
    require(actor, Capability.INVENTORY_VIEW)
    supplier = Supplier.objects.filter(
        organization_id=actor.organization_id, pk=_uuid(supplier_id, field)
    ).first()
    if supplier is None:
        raise NotFound(_("Supplier not found."))
    return supplier


def lot_get(*, actor: Any, product: Product, lot_number: str) -> Lot | None:
    """The product's lot with this number, if any."""
    return Lot.objects.filter(product=product, lot_number=(lot_number or "").strip()).first()


# ---------------------------------------------------------------- stock


def _on_hand_at(location: Any) -> Subquery:
    return Subquery(
        StockBalance.objects.filter(location=location, product=OuterRef("pk"))
        .order_by()
        .values("product")
        .annotate(total=Sum("on_hand"))
        .values("total")[:1],
        output_field=DecimalField(max_digits=14, decimal_places=3),
    )


def stock_on_hand(*, actor: Any, location: Location, product: Any = None) -> QuerySet[StockBalance]:
    """On hand per product and lot at a location (lots with stock), first to expire first."""
    require(actor, Capability.INVENTORY_VIEW, location)
    balances = StockBalance.objects.filter(location=location, on_hand__gt=0)
    if product is not None:
        balances = balances.filter(product=product)
    return balances.select_related("product", "lot").order_by(
        "product__search_name", "product_id", "lot__expires_on", "lot__lot_number", "id"
    )


def stock_products(*, actor: Any, location: Location, q: str = "") -> QuerySet[Product]:
    """Stocked products with their total on hand and reorder level at a location."""
    require(actor, Capability.INVENTORY_VIEW, location)
    rule = ReorderRule.objects.filter(location=location, product=OuterRef("pk"))
    return (
        product_list(actor=actor, q=q)
        .exclude(kind=Product.Kind.SERVICE)
        .annotate(
            on_hand=Coalesce(_on_hand_at(location), ZERO),
            reorder_level=Subquery(rule.values("reorder_level")[:1]),
            reorder_quantity=Subquery(rule.values("reorder_quantity")[:1]),
        )
    )


def product_lots_at(
    *, actor: Any, location: Location, products: list[Product]
) -> dict[Any, list[StockBalance]]:
    """The lots with stock of some products at a location (one query), by product id."""
    grouped: dict[Any, list[StockBalance]] = {p.pk: [] for p in products}
    for balance in stock_on_hand(actor=actor, location=location).filter(
        product_id__in=list(grouped)
    ):
        grouped[balance.product_id].append(balance)
    return grouped


def movement_list(
    *, actor: Any, location: Location | None = None, product: Product | None = None
) -> QuerySet[StockMovement]:
    """The ledger, newest first: of a location, of a product, or both."""
    movements = StockMovement.objects.filter(organization_id=actor.organization_id)
    if location is not None:
        require(actor, Capability.INVENTORY_VIEW, location)
        movements = movements.filter(location=location)
    else:
        movements = movements.filter(
            location_id__in=locations_with(actor, Capability.INVENTORY_VIEW)
        )
    if product is not None:
        movements = movements.filter(product=product)
    return movements.select_related("product", "lot", "location", "actor").order_by(
        "-occurred_at", "-id"
    )


# ---------------------------------------------------------------- alerts


@dataclass(frozen=True)
class LowStockRow:
    """A product at or under its reorder level at a location."""

    product: Product
    on_hand: Decimal
    reorder_level: Decimal
    reorder_quantity: Decimal


@dataclass(frozen=True)
class ExpiringRow:
    """A lot with stock that expires within the window (or already has)."""

    product: Product
    lot: Lot
    on_hand: Decimal
    is_expired: bool


def low_stock_at(*, location: Location, limit: int | None = None) -> list[LowStockRow]:
    """Products at or under their reorder level at a location (no permission check: jobs)."""
    rules = (
        ReorderRule.objects.filter(location=location, reorder_level__gt=0, product__is_active=True)
        .annotate(
            on_hand=Coalesce(
                Subquery(
                    StockBalance.objects.filter(location=location, product=OuterRef("product_id"))
                    .order_by()
                    .values("product")
                    .annotate(total=Sum("on_hand"))
                    .values("total")[:1],
                    output_field=DecimalField(max_digits=14, decimal_places=3),
                ),
                ZERO,
            )
        )
        .filter(on_hand__lte=F("reorder_level"))
        .select_related("product")
        .order_by("product__search_name", "product_id")
    )
    if limit is not None:
        rules = rules[:limit]
    return [
        LowStockRow(rule.product, Decimal(rule.on_hand), rule.reorder_level, rule.reorder_quantity)
        for rule in rules
    ]


def expiring_lots_at(
    *,
    location: Location,
    today: dt.date | None = None,
    within_days: int | None = None,
    limit: int | None = None,
) -> list[ExpiringRow]:
    """Lots with stock at a location that expire within the window, soonest first."""
    day = today or today_in(location.time_zone)
    days = settings.INVENTORY_EXPIRY_WARNING_DAYS if within_days is None else within_days
    balances = (
        StockBalance.objects.filter(
            location=location,
            on_hand__gt=0,
            lot__expires_on__isnull=False,
            lot__expires_on__lte=day + dt.timedelta(days=days),
        )
        .select_related("product", "lot")
        .order_by("lot__expires_on", "product__search_name", "id")
    )
    if limit is not None:
        balances = balances[:limit]
    return [
        ExpiringRow(
            b.product, b.lot, b.on_hand, b.lot.expires_on is not None and b.lot.expires_on < day
        )
        for b in balances
    ]


def low_stock(*, actor: Any, location: Location, limit: int | None = None) -> list[LowStockRow]:
    """Products at or under their reorder level at a location."""
    require(actor, Capability.INVENTORY_VIEW, location)
    return low_stock_at(location=location, limit=limit)


def expiring_lots(
    *, actor: Any, location: Location, within_days: int | None = None, limit: int | None = None
) -> list[ExpiringRow]:
    """Lots with stock at a location expiring within the window (expired ones included)."""
    require(actor, Capability.INVENTORY_VIEW, location)
    return expiring_lots_at(location=location, within_days=within_days, limit=limit)


def alert_list(*, actor: Any, location: Location) -> QuerySet[StockAlert]:
    """The daily alerts raised for a location, newest day first."""
    require(actor, Capability.INVENTORY_VIEW, location)
    return (
        StockAlert.objects.filter(location=location)
        .select_related("product", "lot")
        .order_by("-raised_on", "kind", "product__search_name", "id")
    )


@dataclass(frozen=True)
class DashboardStock:
    """What the dashboard card shows for one location."""

    location: Location
    low: list[LowStockRow]
    expiring: list[ExpiringRow]


def dashboard_stock(*, actor: Any, limit: int = 5) -> list[DashboardStock]:
    """Low stock and expiring lots at the actor's locations (at most three, `limit` rows each)."""
    if not has_capability(actor, Capability.INVENTORY_VIEW):
        return []
    cards = []
    for location in stock_locations(actor=actor)[:3]:
        low = low_stock_at(location=location, limit=limit)
        expiring = expiring_lots_at(location=location, limit=limit)
        if low or expiring:
            cards.append(DashboardStock(location, low, expiring))
    return cards


# ---------------------------------------------------------------- ordering


@dataclass(frozen=True)
class Suggestion:
    """A product to reorder: how much, from whom, at what cost."""

    product: Product
    on_hand: Decimal
    reorder_level: Decimal
    quantity: Decimal
    supplier: Supplier | None
    unit_cost: Decimal | None


def reorder_suggestions(*, actor: Any, location: Location) -> list[Suggestion]:
    """Products at or under their reorder level at a location, with the usual supplier (the
    one last bought from) and its last cost; quantities are the rule's reorder quantity."""
    require(actor, Capability.INVENTORY_VIEW, location)
    rows = low_stock_at(location=location)
    links: dict[Any, ProductSupplier] = {}
    for link in (
        ProductSupplier.objects.filter(product_id__in=[r.product.pk for r in rows])
        .select_related("supplier")
        .order_by("product_id", "-updated_at")
    ):
        links.setdefault(link.product_id, link)
    suggestions = []
    for row in rows:
        usual = links.get(row.product.pk)
        amount = row.reorder_quantity
        suggestions.append(
            Suggestion(
                product=row.product,
                on_hand=row.on_hand,
                reorder_level=row.reorder_level,
                quantity=amount,
                supplier=usual.supplier if usual else None,
                unit_cost=usual.last_cost if usual else None,
            )
        )
    return suggestions


def order_list(
    *, actor: Any, location: Location | None = None, status: str = ""
) -> QuerySet[PurchaseOrder]:
    """Purchase orders of the actor's stock locations, newest first."""
    orders = PurchaseOrder.objects.filter(organization_id=actor.organization_id)
    if location is not None:
        require(actor, Capability.INVENTORY_VIEW, location)
        orders = orders.filter(location=location)
    else:
        orders = orders.filter(location_id__in=locations_with(actor, Capability.INVENTORY_VIEW))
    if status:
        orders = orders.filter(status=status)
    return (
        orders.select_related("supplier", "location")
        .prefetch_related(
            Prefetch("lines", queryset=PurchaseOrderLine.objects.select_related("product"))
        )
        .order_by("-number")
    )


def order_get(*, actor: Any, order_id: Any) -> PurchaseOrder:
    """One purchase order at a location the actor sees stock of, else 404."""
    order = order_list(actor=actor).filter(pk=_uuid(order_id, "order")).first()
    if order is None:
        raise NotFound(_("Purchase order not found."))
    return order


def order_line_get(*, actor: Any, line_id: Any) -> PurchaseOrderLine:
    """One line of a purchase order the actor sees, else 404."""
    line = (
        PurchaseOrderLine.objects.filter(
            pk=_uuid(line_id, "purchase_order_line"),
            order__organization_id=actor.organization_id,
            order__location_id__in=locations_with(actor, Capability.INVENTORY_VIEW),
        )
        .select_related("order", "order__supplier", "product")
        .first()
    )
    if line is None:
        raise NotFound(_("Purchase order line not found."))
    return line


# ---------------------------------------------------------------- counts


def count_list(*, actor: Any, location: Location) -> QuerySet[StockCount]:
    """Stocktakes of a location, newest first."""
    require(actor, Capability.INVENTORY_VIEW, location)
    return (
        StockCount.objects.filter(location=location)
        .select_related("started_by", "closed_by", "location")
        .order_by("-created_at", "-id")
    )


def count_get(*, actor: Any, count_id: Any) -> StockCount:
    """One stocktake at a location the actor sees stock of, else 404."""
    count = (
        StockCount.objects.filter(
            pk=_uuid(count_id, "count"),
            organization_id=actor.organization_id,
            location_id__in=locations_with(actor, Capability.INVENTORY_VIEW),
        )
        .select_related("location", "started_by", "closed_by")
        .first()
    )
    if count is None:
        raise NotFound(_("Count not found."))
    return count


def count_lines(*, count: StockCount) -> QuerySet[StockCountLine]:
    """The lines of a count, by product and lot, with the variance report's figures."""
    return count.lines.select_related("product", "lot").order_by(
        "product__search_name", "lot__expires_on", "lot__lot_number", "id"
    )
