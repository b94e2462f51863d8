"""Factories for inventory tests: products, and stock put on the shelf through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory

from vetrisys.accounts.models import Location, User
from vetrisys.core.text import normalize_search
from vetrisys.inventory import services
from vetrisys.inventory.models import Product, StockMovement


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Producto {n}")
    search_name = factory.LazyAttribute(lambda p: normalize_search(p.name))
    kind = Product.Kind.MEDICATION
    unit = Product.Unit.TABLET
    sale_price = Decimal("10.00")


def receive(
    actor: User,
    location: Location,
    product: Product,
    quantity: Any,
    *,
    lot: str = "L1",
    expires_on: dt.date | None = dt.date(2099, 1, 31),
    unit_cost: Any = "1.00",
) -> StockMovement:
    """Put stock on the shelf the way a pharmacist would."""
    return services.stock_receive(
        actor=actor,
        location=location,
        product=product,
        quantity=Decimal(str(quantity)),
        unit_cost=Decimal(str(unit_cost)),
        lot=lot,
        expires_on=expires_on,
    )
