from decimal import Decimal

from vetrisys.accounts.models import Location, Organization
from vetrisys.inventory import ledger
from vetrisys.inventory.models import (
    Product,
    PurchaseOrder,
    StockBalance,
    StockMovement,
    Supplier,
)
from vetrisys.inventory.selectors import expiring_lots_at, low_stock_at


def test_the_demo_stock_loads_once_with_low_and_expiring_items(db):
    from vetrisys.config.demo import DEMO_ORGANIZATION, demo_load

    demo_load()
    counts = (Product.objects.count(), StockMovement.objects.count(), PurchaseOrder.objects.count())
    demo_load()

    organization = Organization.objects.get(name=DEMO_ORGANIZATION)
    assert (
        Product.objects.count(),
        StockMovement.objects.count(),
        PurchaseOrder.objects.count(),
    ) == counts
    assert Product.objects.filter(kind="service").count() == 5
    assert Product.objects.filter(organization=organization).count() == 40
    assert Supplier.objects.count() == 2
    assert PurchaseOrder.objects.get().status == "sent"
    assert Product.objects.get(sku="MED-KETA").tax_rate == Decimal("18.00")
    for location in Location.objects.filter(organization=organization):
        assert StockBalance.objects.filter(location=location, on_hand__gt=Decimal(0)).exists()
        assert low_stock_at(location=location)
        assert expiring_lots_at(location=location)
    assert ledger.verify(organization_id=organization.pk) == []
