"""Writes of the catalog: products (price items), suppliers, reorder rules, the warehouse."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.permissions import has_capability, require
from vetrisys.audit.services import diff, record, snapshot
from vetrisys.core.errors import Conflict, NotAllowed, ValidationFailed
from vetrisys.core.text import normalize_search
from vetrisys.inventory.models import (
    InventorySettings,
    Product,
    ProductSupplier,
    ReorderRule,
    Supplier,
)
from vetrisys.inventory.services.common import check_location, check_product, money, quantity

PRODUCT_FIELDS = [
    "name", "kind", "unit", "pack_size", "sku", "barcode", "sale_price", "tax_rate",
    "controlled_schedule", "is_active",
]  # fmt: skip
PRICE_FIELDS = {"sale_price", "tax_rate"}
SUPPLIER_FIELDS = ["name", "tax_id", "contact_name", "email", "phone", "is_active"]


def _require_catalog(actor: Any, *, prices: bool) -> None:
    """Products are kept by stock keepers; their price (and services, which are only a price)
    by whoever manages prices."""
    if prices:
        require(actor, Capability.PRICES_MANAGE)
    elif not (
        has_capability(actor, Capability.INVENTORY_MANAGE)
        or has_capability(actor, Capability.PRICES_MANAGE)
    ):
        raise NotAllowed(_("You do not have permission to do this."), code="forbidden")


def _text(fields: dict[str, Any], name: str, errors: dict[str, list[str]], limit: int) -> None:
    if name in fields:
        value = str(fields[name] or "").strip()
        if len(value) > limit:
            errors[name] = [_("%(limit)s characters at most.") % {"limit": limit}]
        fields[name] = value


def _clean_product(fields: dict[str, Any], *, product: Product | None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned = dict(fields)
    if "name" in cleaned:
        name = str(cleaned["name"] or "").strip()
        if not name:
            errors["name"] = [_("The product needs a name.")]
        elif len(name) > 200:
            errors["name"] = [_("200 characters at most.")]
        cleaned["name"] = name
        cleaned["search_name"] = normalize_search(name)
    if "kind" in cleaned and cleaned["kind"] not in Product.Kind.values:
        errors["kind"] = [_("Choose a kind.")]
    if product is not None and "kind" in cleaned:
        becomes_service = cleaned["kind"] == Product.Kind.SERVICE
        if becomes_service != (product.kind == Product.Kind.SERVICE) and product.lots.exists():
            errors["kind"] = [_("A product with stock cannot become a service, nor the reverse.")]
    if "unit" in cleaned and cleaned["unit"] not in Product.Unit.values:
        errors["unit"] = [_("Choose a unit.")]
    for name, limit in (("sku", 64), ("barcode", 64), ("controlled_schedule", 20)):
        _text(cleaned, name, errors, limit)
    for name, places in (("sale_price", 2), ("tax_rate", 2)):
        if name in cleaned:
            try:
                cleaned[name] = money(cleaned[name], name, places=places)
            except ValidationFailed as exc:
                errors.update(exc.fields)
    rate = cleaned.get("tax_rate")
    if isinstance(rate, Decimal) and rate > 100:
        errors["tax_rate"] = [_("A rate is a percentage between 0 and 100.")]
    if "pack_size" in cleaned:
        try:
            cleaned["pack_size"] = quantity(cleaned["pack_size"], "pack_size")
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)
    return cleaned


def _check_codes_free(
    organization_id: Any, fields: dict[str, Any], product: Product | None
) -> None:
    for name, code in (("sku", "sku_taken"), ("barcode", "barcode_taken")):
        value = fields.get(name)
        if not value:
            continue
        holders = Product.objects.filter(organization_id=organization_id, **{name: value})
        if product is not None:
            holders = holders.exclude(pk=product.pk)
        holder = holders.only("id", "name").first()
        if holder is not None:
            raise Conflict(
                _("%(code)s is already used by %(name)s.") % {"code": value, "name": holder.name},
                code=code,
                product={"id": str(holder.pk), "name": holder.name},
            )


@transaction.atomic
def product_create(
    *,
    actor: Any,
    name: str,
    kind: str,
    unit: str = Product.Unit.UNIT,
    pack_size: Any = Decimal(1),
    sku: str = "",
    barcode: str = "",
    sale_price: Any = Decimal(0),
    tax_rate: Any = Decimal("18.00"),
    controlled_schedule: str = "",
) -> Product:
    """Add a product (or a service) to the organization's catalog."""
    fields = _clean_product(
        {
            "name": name, "kind": kind, "unit": unit, "pack_size": pack_size, "sku": sku,
            "barcode": barcode, "sale_price": sale_price, "tax_rate": tax_rate,
            "controlled_schedule": controlled_schedule,
        },
        product=None,
    )  # fmt: skip
    _require_catalog(
        actor, prices=fields["kind"] == Product.Kind.SERVICE or fields["sale_price"] > 0
    )
    _check_codes_free(actor.organization_id, fields, None)
    product = Product.objects.create(organization_id=actor.organization_id, **fields)
    record(
        actor=actor,
        action="product.create",
        target=product,
        changes=snapshot(product, PRODUCT_FIELDS),
    )
    return product


@transaction.atomic
def product_update(*, actor: Any, product: Product, **changes: Any) -> Product:
    """Change a product's fields (its price only with the right to manage prices)."""
    check_product(actor, product, stocked=False)
    unknown = set(changes) - set(PRODUCT_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("Some fields are not valid."),
            fields={name: [_("This field cannot be changed.")] for name in sorted(unknown)},
        )
    fields = _clean_product(changes, product=product)
    before = snapshot(product, PRODUCT_FIELDS)
    prices_change = (
        any(name in fields and fields[name] != before[name] for name in PRICE_FIELDS)
        or product.kind == Product.Kind.SERVICE
    )
    _require_catalog(actor, prices=prices_change)
    _check_codes_free(actor.organization_id, fields, product)
    for name, value in fields.items():
        setattr(product, name, value)
    changed = diff(before, snapshot(product, PRODUCT_FIELDS))
    if not changed:
        return product
    product.bump_version()
    product.save()
    record(actor=actor, action="product.update", target=product, changes=changed)
    return product


@transaction.atomic
def reorder_rule_set(
    *,
    actor: Any,
    location: Any,
    product: Product,
    reorder_level: Any,
    reorder_quantity: Any = None,
) -> ReorderRule:
    """Set when (and how much) to reorder a product at a location."""
    check_location(actor, location, Capability.INVENTORY_MANAGE)
    check_product(actor, product)
    errors: dict[str, list[str]] = {}
    level = quantity_or_zero(reorder_level, "reorder_level", errors)
    amount = (
        quantity_or_zero(reorder_quantity, "reorder_quantity", errors)
        if reorder_quantity is not None
        else None
    )
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)
    rule = ReorderRule.objects.filter(location=location, product=product).first()
    before = {"reorder_level": None, "reorder_quantity": None}
    if rule is None:
        rule = ReorderRule(
            organization_id=actor.organization_id,
            location=location,
            product=product,
            reorder_level=level,
            reorder_quantity=amount if amount is not None else level,
        )
    else:
        before = snapshot(rule, ["reorder_level", "reorder_quantity"])
        rule.reorder_level = level
        if amount is not None:
            rule.reorder_quantity = amount
        rule.bump_version()
    rule.save()
    changed = diff(before, snapshot(rule, ["reorder_level", "reorder_quantity"]))
    if changed:
        record(
            actor=actor,
            action="reorder_rule.set",
            target=product,
            location=location,
            changes=changed,
        )
    return rule


def quantity_or_zero(value: Any, field: str, errors: dict[str, list[str]]) -> Decimal:
    """A quantity of zero or more (collecting the error)."""
    try:
        if str(value).strip() in {"0", "0.0", "0.00", "0.000"}:
            return Decimal(0)
        return quantity(value, field)
    except ValidationFailed as exc:
        errors.update(exc.fields)
        return Decimal(0)


def _clean_supplier(fields: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned = dict(fields)
    if "name" in cleaned:
        cleaned["name"] = str(cleaned["name"] or "").strip()
        if not cleaned["name"]:
            errors["name"] = [_("The supplier needs a name.")]
    for name, limit in (("name", 200), ("tax_id", 20), ("contact_name", 200), ("phone", 40)):
        _text(cleaned, name, errors, limit)
    tax_id = cleaned.get("tax_id")
    if tax_id and not (tax_id.isdigit() and len(tax_id) == 11):
        errors["tax_id"] = [_("A RUC has 11 digits.")]
    if "email" in cleaned:
        email = str(cleaned["email"] or "").strip().lower()
        if email and ("@" not in email or len(email) > 254):
            errors["email"] = [_("Enter a valid email address.")]
        cleaned["email"] = email
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)
    return cleaned


def _check_supplier_name_free(actor: Any, name: str, supplier: Supplier | None) -> None:
    taken = Supplier.objects.filter(organization_id=actor.organization_id, name__iexact=name)
    if supplier is not None:
        taken = taken.exclude(pk=supplier.pk)
    if taken.exists():
        raise Conflict(_("A supplier with this name already exists."), code="supplier_exists")


@transaction.atomic
def supplier_create(
    *,
    actor: Any,
    name: str,
    tax_id: str = "",
    contact_name: str = "",
    email: str = "",
    phone: str = "",
) -> Supplier:
    """Add a supplier."""
    require(actor, Capability.INVENTORY_MANAGE)
    fields = _clean_supplier(
        {"name": name, "tax_id": tax_id, "contact_name": contact_name, "email": email,
         "phone": phone}
    )  # fmt: skip
    _check_supplier_name_free(actor, fields["name"], None)
    supplier = Supplier.objects.create(organization_id=actor.organization_id, **fields)
    record(
        actor=actor,
        action="supplier.create",
        target=supplier,
        changes=snapshot(supplier, SUPPLIER_FIELDS),
    )
    return supplier


@transaction.atomic
def supplier_update(*, actor: Any, supplier: Supplier, **changes: Any) -> Supplier:
    """Change a supplier's details."""
    require(actor, Capability.INVENTORY_MANAGE)
    if supplier.organization_id != actor.organization_id:
        from vetrisys.core.errors import NotFound

        raise NotFound(_("Supplier not found."))
    unknown = set(changes) - set(SUPPLIER_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("Some fields are not valid."),
            fields={name: [_("This field cannot be changed.")] for name in sorted(unknown)},
        )
    fields = _clean_supplier(changes)
    if "name" in fields:
        _check_supplier_name_free(actor, fields["name"], supplier)
    before = snapshot(supplier, SUPPLIER_FIELDS)
    for name, value in fields.items():
        setattr(supplier, name, value)
    changed = diff(before, snapshot(supplier, SUPPLIER_FIELDS))
    if changed:
        supplier.bump_version()
        supplier.save()
        record(actor=actor, action="supplier.update", target=supplier, changes=changed)
    return supplier


@transaction.atomic
def product_supplier_set(
    *,
    actor: Any,
    product: Product,
    supplier: Supplier,
    supplier_sku: str = "",
    last_cost: Any = None,
) -> ProductSupplier:
    """Record that a supplier sells a product (its code, the last price paid)."""
    require(actor, Capability.INVENTORY_MANAGE)
    check_product(actor, product)
    if supplier.organization_id != actor.organization_id:
        from vetrisys.core.errors import NotFound

        raise NotFound(_("Supplier not found."))
    cost = money(last_cost, "last_cost") if last_cost is not None else None
    link, _created = ProductSupplier.objects.get_or_create(
        product=product,
        supplier=supplier,
        defaults={"organization_id": actor.organization_id},
    )
    link.supplier_sku = (supplier_sku or "").strip()[:64]
    if cost is not None:
        link.last_cost = cost
    link.save()
    record(
        actor=actor,
        action="product_supplier.set",
        target=product,
        changes={"supplier": supplier.name, "supplier_sku": link.supplier_sku, "last_cost": cost},
    )
    return link


@transaction.atomic
def warehouse_set(*, actor: Any, location: Any) -> InventorySettings:
    """Make a location the organization's central warehouse (None: no warehouse)."""
    require(actor, Capability.ORGANIZATION_MANAGE)
    if location is not None:
        check_location(actor, location, Capability.INVENTORY_VIEW)
    settings_row, _created = InventorySettings.objects.get_or_create(
        organization_id=actor.organization_id
    )
    before = settings_row.warehouse_location_id
    settings_row.warehouse_location = location
    settings_row.save()
    record(
        actor=actor,
        action="inventory.warehouse_set",
        target=settings_row,
        changes={"warehouse_location": [before, getattr(location, "pk", None)]},
    )
    return settings_row
