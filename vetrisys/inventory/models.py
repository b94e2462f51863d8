"""Products (the price items), suppliers, lots, the stock-movement ledger and what derives from
it: balances per location and lot, counts, purchase orders and alerts."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vetrisys.core.ids import uuid7
from vetrisys.core.models import BaseModel

QUANTITY_DIGITS = 14
QUANTITY_PLACES = 3
COST_DIGITS = 14
COST_PLACES = 4
PRICE_DIGITS = 12
PRICE_PLACES = 2


class Product(BaseModel):
    """Something the clinic sells or uses: a stocked item, or a service (a price item without
    stock). Its sale price excludes tax; billing copies price and rate onto each document."""

    class Kind(models.TextChoices):
        MEDICATION = "medication", _("Medication")
        VACCINE = "vaccine", _("Vaccine")
        FOOD = "food", _("Food")
        SUPPLY = "supply", _("Supply")
        SERVICE = "service", _("Service")

    class Unit(models.TextChoices):
        UNIT = "unit", _("unit")
        TABLET = "tablet", _("tablet")
        CAPSULE = "capsule", _("capsule")
        ML = "ml", _("mL")
        LITRE = "l", _("L")
        DOSE = "dose", _("dose")
        VIAL = "vial", _("vial")
        AMPOULE = "ampoule", _("ampoule")
        PIPETTE = "pipette", _("pipette")
        G = "g", _("g")
        KG = "kg", _("kg")
        BOX = "box", _("box")
        BAG = "bag", _("bag")
        PAIR = "pair", _("pair")
        SESSION = "session", _("session")

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="products"
    )
    name = models.CharField(_("name"), max_length=200)
    search_name = models.CharField(max_length=200, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices, default=Unit.UNIT)
    pack_size = models.DecimalField(
        _("units per purchase pack"),
        max_digits=QUANTITY_DIGITS,
        decimal_places=QUANTITY_PLACES,
        default=Decimal(1),
    )
    sku = models.CharField(_("SKU"), max_length=64, blank=True)
    barcode = models.CharField(_("barcode"), max_length=64, blank=True)
    sale_price = models.DecimalField(
        _("sale price (without tax)"),
        max_digits=PRICE_DIGITS,
        decimal_places=PRICE_PLACES,
        default=Decimal(0),
    )
    tax_rate = models.DecimalField(
        _("tax rate (%)"), max_digits=5, decimal_places=2, default=Decimal("18.00")
    )
    controlled_schedule = models.CharField(_("controlled-drug schedule"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "sku"],
                condition=~Q(sku=""),
                name="product_unique_sku_per_org",
            ),
            models.UniqueConstraint(
                fields=["organization", "barcode"],
                condition=~Q(barcode=""),
                name="product_unique_barcode_per_org",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["medication", "vaccine", "food", "supply", "service"]),
                name="product_kind_known",
            ),
            models.CheckConstraint(condition=Q(pack_size__gt=0), name="product_pack_size_positive"),
            models.CheckConstraint(
                condition=Q(sale_price__gte=0), name="product_sale_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(tax_rate__gte=0) & Q(tax_rate__lte=100), name="product_tax_rate_percent"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "search_name"], name="product_org_search_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_stocked(self) -> bool:
        """Whether the product has stock (every kind but a service)."""
        return self.kind != self.Kind.SERVICE

    @property
    def is_controlled(self) -> bool:
        """Whether the product is on a controlled-drug schedule."""
        return bool(self.controlled_schedule)


class InventorySettings(BaseModel):
    """An organization's inventory settings: which location is the central warehouse."""

    organization = models.OneToOneField(
        "accounts.Organization", on_delete=models.PROTECT, related_name="inventory_settings"
    )
    warehouse_location = models.ForeignKey(
        "accounts.Location",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("central warehouse"),
    )

    class Meta:
        verbose_name = _("inventory settings")
        verbose_name_plural = _("inventory settings")


class Supplier(BaseModel):
    """A company the clinic buys from."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="suppliers"
    )
    name = models.CharField(_("name"), max_length=200)
    tax_id = models.CharField(_("tax id (RUC)"), max_length=20, blank=True)
    contact_name = models.CharField(_("contact"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="supplier_unique_name_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ProductSupplier(BaseModel):
    """A supplier of one product: its code for it and the last price paid."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="supplies")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="supplies")
    supplier_sku = models.CharField(_("supplier's code"), max_length=64, blank=True)
    last_cost = models.DecimalField(
        _("last unit cost"),
        max_digits=COST_DIGITS,
        decimal_places=COST_PLACES,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("product supplier")
        verbose_name_plural = _("product suppliers")
        constraints = [
            models.UniqueConstraint(fields=["product", "supplier"], name="product_supplier_unique")
        ]


class ReorderRule(BaseModel):
    """When to reorder a product at a location, and how much."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    location = models.ForeignKey("accounts.Location", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="reorder_rules")
    reorder_level = models.DecimalField(
        _("reorder level"), max_digits=QUANTITY_DIGITS, decimal_places=QUANTITY_PLACES
    )
    reorder_quantity = models.DecimalField(
        _("reorder quantity"),
        max_digits=QUANTITY_DIGITS,
        decimal_places=QUANTITY_PLACES,
        default=Decimal(0),
    )

    class Meta:
        verbose_name = _("reorder rule")
        verbose_name_plural = _("reorder rules")
        constraints = [
            models.UniqueConstraint(
                fields=["location", "product"], name="reorder_rule_unique_per_location"
            ),
            models.CheckConstraint(
                condition=Q(reorder_level__gte=0) & Q(reorder_quantity__gte=0),
                name="reorder_rule_not_negative",
            ),
        ]


class Lot(BaseModel):
    """A batch of a product with its expiry; stock without a batch number uses the blank lot."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="lots")
    lot_number = models.CharField(_("lot"), max_length=64, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    class Meta:
        ordering = ["expires_on", "lot_number"]
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        constraints = [
            models.UniqueConstraint(fields=["product", "lot_number"], name="lot_unique_per_product")
        ]

    def __str__(self) -> str:
        return self.lot_number or str(_("(no lot)"))


class PurchaseOrder(BaseModel):
    """An order to a supplier for stock delivered to one location."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        PARTIALLY_RECEIVED = "partially_received", _("Partially received")
        RECEIVED = "received", _("Received")
        CANCELLED = "cancelled", _("Cancelled")

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="purchase_orders"
    )
    location = models.ForeignKey("accounts.Location", on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="orders")
    number = models.PositiveIntegerField(_("number"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    expected_on = models.DateField(_("expected on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], name="purchase_order_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=["draft", "sent", "partially_received", "received", "cancelled"]
                ),
                name="purchase_order_status_known",
            ),
        ]
        indexes = [
            models.Index(fields=["location", "status"], name="purchase_order_loc_status_idx")
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """The order number as printed: PO-000042."""
        return f"PO-{self.number:06d}"


class PurchaseOrderLine(BaseModel):
    """One product on a purchase order, in units of the product (not packs)."""

    order = models.ForeignKey(PurchaseOrder, on_delete=models.PROTECT, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity_ordered = models.DecimalField(
        _("quantity ordered"), max_digits=QUANTITY_DIGITS, decimal_places=QUANTITY_PLACES
    )
    quantity_received = models.DecimalField(
        _("quantity received"),
        max_digits=QUANTITY_DIGITS,
        decimal_places=QUANTITY_PLACES,
        default=Decimal(0),
    )
    unit_cost = models.DecimalField(
        _("unit cost"), max_digits=COST_DIGITS, decimal_places=COST_PLACES, default=Decimal(0)
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")
        constraints = [
            models.UniqueConstraint(fields=["order", "product"], name="po_line_unique_product"),
            models.CheckConstraint(
                condition=Q(quantity_ordered__gt=0)
                & Q(quantity_received__gte=0)
                & Q(unit_cost__gte=0),
                name="po_line_quantities_valid",
            ),
        ]

    @property
    def quantity_outstanding(self) -> Decimal:
        """What is still to be delivered (never negative)."""
        return max(self.quantity_ordered - self.quantity_received, Decimal(0))


class StockMovement(models.Model):
    """One append-only entry of the stock ledger: a signed quantity of one lot at one location.
    Never updated or deleted; on PostgreSQL a trigger refuses both."""

    class Kind(models.TextChoices):
        RECEIVE = "receive", _("Received")
        DISPENSE = "dispense", _("Dispensed")
        ADJUST = "adjust", _("Adjustment")
        TRANSFER_OUT = "transfer_out", _("Transfer out")
        TRANSFER_IN = "transfer_in", _("Transfer in")
        WASTE = "waste", _("Waste")
        RETURN = "return", _("Returned to supplier")
        COUNT_CORRECTION = "count_correction", _("Count correction")

    INBOUND = ("receive", "transfer_in")
    OUTBOUND = ("dispense", "transfer_out", "waste", "return")

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    location = models.ForeignKey("accounts.Location", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="movements")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    quantity = models.DecimalField(
        _("quantity"), max_digits=QUANTITY_DIGITS, decimal_places=QUANTITY_PLACES
    )
    unit_cost = models.DecimalField(
        _("unit cost"), max_digits=COST_DIGITS, decimal_places=COST_PLACES, null=True, blank=True
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    purchase_order_line = models.ForeignKey(
        PurchaseOrderLine,
        on_delete=models.PROTECT,
        related_name="movements",
        null=True,
        blank=True,
    )
    transfer_group = models.UUIDField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True, editable=False)

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["receive", "transfer_in"], quantity__gt=0)
                    | Q(kind__in=["dispense", "transfer_out", "waste", "return"], quantity__lt=0)
                    | (Q(kind__in=["adjust", "count_correction"]) & ~Q(quantity=0))
                ),
                name="stock_movement_sign_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(unit_cost__isnull=True) | Q(unit_cost__gte=0),
                name="stock_movement_cost_not_negative",
            ),
        ]
        indexes = [
            models.Index(
                fields=["location", "product", "occurred_at"], name="stock_move_loc_prod_idx"
            ),
            models.Index(fields=["organization", "occurred_at"], name="stock_move_org_time_idx"),
            # Usage over a period at one location (the inventory report).
            models.Index(fields=["location", "occurred_at"], name="stock_move_loc_time_idx"),
            # FIFO cost layers: a location's inbound movements per product, newest first.
            models.Index(
                fields=["location", "product", "-occurred_at", "-id"],
                include=["quantity", "unit_cost"],
                condition=Q(quantity__gt=0),
                name="stock_move_inbound_idx",
            ),
            models.Index(fields=["lot"], name="stock_move_lot_idx"),
            models.Index(
                fields=["transfer_group"],
                condition=Q(transfer_group__isnull=False),
                name="stock_move_transfer_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity}"


class StockBalance(models.Model):
    """On hand of one lot at one location: the cached sum of its movements, written in the same
    transaction as each movement. The database refuses a negative balance."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    location = models.ForeignKey("accounts.Location", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="balances")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="balances")
    on_hand = models.DecimalField(
        _("on hand"),
        max_digits=QUANTITY_DIGITS,
        decimal_places=QUANTITY_PLACES,
        default=Decimal(0),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("stock balance")
        verbose_name_plural = _("stock balances")
        constraints = [
            models.UniqueConstraint(
                fields=["location", "product", "lot"], name="stock_balance_unique_lot"
            ),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_balance_not_negative"),
        ]
        indexes = [
            models.Index(fields=["product", "location"], name="stock_balance_prod_loc_idx"),
        ]

    def __str__(self) -> str:
        return str(self.on_hand)


class StockCount(BaseModel):
    """A stocktake at one location: counted quantities per lot, corrected on closing."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    location = models.ForeignKey("accounts.Location", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("stock count")
        verbose_name_plural = _("stock counts")
        constraints = [
            models.UniqueConstraint(
                fields=["location"],
                condition=Q(status="open"),
                name="stock_count_one_open_per_location",
            )
        ]


class StockCountLine(BaseModel):
    """One lot in a stocktake: what the system expected and what was counted."""

    count = models.ForeignKey(StockCount, on_delete=models.PROTECT, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="+")
    expected_quantity = models.DecimalField(
        _("expected"),
        max_digits=QUANTITY_DIGITS,
        decimal_places=QUANTITY_PLACES,
        default=Decimal(0),
    )
    counted_quantity = models.DecimalField(
        _("counted"),
        max_digits=QUANTITY_DIGITS,
        decimal_places=QUANTITY_PLACES,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("stock count line")
        verbose_name_plural = _("stock count lines")
        constraints = [
            models.UniqueConstraint(fields=["count", "lot"], name="stock_count_line_unique_lot"),
            models.CheckConstraint(
                condition=Q(counted_quantity__isnull=True) | Q(counted_quantity__gte=0),
                name="stock_count_line_counted_not_negative",
            ),
        ]

    @property
    def variance(self) -> Decimal | None:
        """Counted minus expected, or None while not counted."""
        if self.counted_quantity is None:
            return None
        return self.counted_quantity - self.expected_quantity


class StockAlert(BaseModel):
    """A low-stock or expiry notice for the stock keepers of a location, one per day and kind."""

    class Kind(models.TextChoices):
        LOW_STOCK = "low_stock", _("Low stock")
        EXPIRING = "expiring", _("Expiring soon")
        EXPIRED = "expired", _("Expired on the shelf")

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    location = models.ForeignKey("accounts.Location", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    raised_on = models.DateField(_("raised on"))
    on_hand = models.DecimalField(
        _("on hand"), max_digits=QUANTITY_DIGITS, decimal_places=QUANTITY_PLACES
    )
    threshold = models.DecimalField(
        _("reorder level"),
        max_digits=QUANTITY_DIGITS,
        decimal_places=QUANTITY_PLACES,
        null=True,
        blank=True,
    )
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    class Meta:
        ordering = ["-raised_on", "kind"]
        verbose_name = _("stock alert")
        verbose_name_plural = _("stock alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["raised_on", "location", "product", "kind"],
                name="stock_alert_unique_per_day",
            )
        ]
        indexes = [
            models.Index(fields=["location", "-raised_on"], name="stock_alert_loc_day_idx"),
        ]
