"""Demo catalog and stock for a Peruvian clinic: products and services in PEN with IGV 18 %,
two suppliers, lots at both locations (some low, some close to expiry) and a sent order.

Idempotent: products are found by SKU, suppliers by name, and stock is received only into a
location that has none yet, so loading twice adds nothing. Everything goes through services.
"""

# The catalog below is a table, one product per line.
# ruff: noqa: E501

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from vetrisys.accounts.models import Location, Organization, User
from vetrisys.core.timeutil import today_in
from vetrisys.inventory import services
from vetrisys.inventory.models import Product, PurchaseOrder, StockMovement, Supplier

K = Product.Kind
U = Product.Unit


@dataclass(frozen=True)
class DemoProduct:
    """A catalog line: stock kept in `unit`, bought in packs of `pack`."""

    sku: str
    name: str
    kind: str
    unit: str
    price: str
    cost: str = "0"
    pack: str = "1"
    barcode: str = ""
    schedule: str = ""
    stock: int = 0
    reorder: int = 0


CATALOG: tuple[DemoProduct, ...] = (
    DemoProduct("VAC-DHPPI", "Nobivac DHPPi", K.VACCINE, U.DOSE, "55.00", "21.50", "10", "8713184000011", stock=40, reorder=15),
    DemoProduct("VAC-RABI", "Rabisin antirrábica", K.VACCINE, U.DOSE, "35.00", "9.80", "10", "3661103000012", stock=30, reorder=10),
    DemoProduct("VAC-FELO", "Felocell CVR", K.VACCINE, U.DOSE, "60.00", "24.00", "25", "5414736000013", stock=6, reorder=10),
    DemoProduct("VAC-LEPTO", "Nobivac Lepto", K.VACCINE, U.DOSE, "45.00", "15.00", "10", "8713184000028", stock=20, reorder=8),
    DemoProduct("VAC-PUPPY", "Nobivac Puppy DP", K.VACCINE, U.DOSE, "50.00", "18.00", "10", "8713184000035", stock=12, reorder=5),
    DemoProduct("MED-AMOX250", "Amoxicilina 250 mg tab", K.MEDICATION, U.TABLET, "1.50", "0.35", "100", "7751234000014", stock=300, reorder=100),
    DemoProduct("MED-AMOXCL", "Amoxicilina + ácido clavulánico 500 mg tab", K.MEDICATION, U.TABLET, "3.20", "1.10", "14", "7751234000021", stock=84, reorder=28),
    DemoProduct("MED-MELOX", "Meloxicam 1.5 mg/mL suspensión oral", K.MEDICATION, U.ML, "1.20", "0.40", "32", "7751234000038", stock=96, reorder=64),
    DemoProduct("MED-MELOXI", "Meloxicam 5 mg/mL inyectable", K.MEDICATION, U.ML, "4.50", "1.60", "20", "7751234000045", stock=40, reorder=20),
    DemoProduct("MED-TRAMA", "Tramadol 50 mg/mL inyectable", K.MEDICATION, U.ML, "6.00", "2.10", "10", "7751234000052", "IIIB", stock=20, reorder=10),
    DemoProduct("MED-KETA", "Ketamina 50 mg/mL", K.MEDICATION, U.ML, "8.00", "3.20", "10", "7751234000069", "IIIA", stock=30, reorder=20),
    DemoProduct("MED-ENRO", "Enrofloxacino 50 mg tab", K.MEDICATION, U.TABLET, "2.00", "0.60", "10", "7751234000076", stock=120, reorder=40),
    DemoProduct("MED-METRO", "Metronidazol 250 mg tab", K.MEDICATION, U.TABLET, "1.00", "0.25", "100", "7751234000083", stock=4, reorder=50),
    DemoProduct("MED-PRED", "Prednisolona 5 mg tab", K.MEDICATION, U.TABLET, "0.80", "0.20", "20", "7751234000090", stock=60, reorder=20),
    DemoProduct("MED-OMEP", "Omeprazol 20 mg cáps", K.MEDICATION, U.CAPSULE, "1.20", "0.30", "28", "7751234000106", stock=56, reorder=28),
    DemoProduct("MED-MARO", "Maropitant (Cerenia) 10 mg/mL", K.MEDICATION, U.ML, "12.00", "5.50", "20", "7751234000113", stock=20, reorder=10),
    DemoProduct("MED-DEXA", "Dexametasona 2 mg/mL inyectable", K.MEDICATION, U.ML, "2.50", "0.70", "50", "7751234000120", stock=50, reorder=20),
    DemoProduct("MED-FURO", "Furosemida 40 mg tab", K.MEDICATION, U.TABLET, "0.90", "0.22", "20", "7751234000137", stock=40, reorder=20),
    DemoProduct("MED-SUERO", "Cloruro de sodio 0.9 % 1 L", K.MEDICATION, U.UNIT, "18.00", "6.50", "12", "7751234000144", stock=24, reorder=12),
    DemoProduct("MED-PROPO", "Propofol 10 mg/mL", K.MEDICATION, U.ML, "5.00", "2.00", "20", "7751234000151", stock=60, reorder=40),
    DemoProduct("AP-NEX-S", "NexGard 2-4 kg", K.MEDICATION, U.TABLET, "45.00", "27.00", "3", "3661103000029", stock=12, reorder=6),
    DemoProduct("AP-NEX-M", "NexGard 10-25 kg", K.MEDICATION, U.TABLET, "55.00", "33.00", "3", "3661103000036", stock=9, reorder=6),
    DemoProduct("AP-BRAV-M", "Bravecto 10-20 kg", K.MEDICATION, U.TABLET, "120.00", "78.00", "1", "8713184000042", stock=8, reorder=4),
    DemoProduct("AP-BRAV-L", "Bravecto 20-40 kg", K.MEDICATION, U.TABLET, "135.00", "88.00", "1", "8713184000059", stock=2, reorder=4),
    DemoProduct("AP-DRONT", "Drontal Plus (antiparasitario interno)", K.MEDICATION, U.TABLET, "12.00", "5.00", "2", "4007221000017", stock=30, reorder=10),
    DemoProduct("AP-FRONT", "Frontline pipeta gato", K.MEDICATION, U.PIPETTE, "35.00", "18.00", "3", "3661103000043", stock=15, reorder=6),
    DemoProduct("FOOD-RC-PUP", "Royal Canin Medium Puppy 3 kg", K.FOOD, U.BAG, "145.00", "98.00", "1", "3182550000015", stock=10, reorder=4),
    DemoProduct("FOOD-RC-REN", "Royal Canin Renal gato 2 kg", K.FOOD, U.BAG, "160.00", "110.00", "1", "3182550000022", stock=3, reorder=4),
    DemoProduct("FOOD-HILLS-ID", "Hill's i/d lata 370 g", K.FOOD, U.UNIT, "14.00", "8.50", "12", "0052742000013", stock=24, reorder=12),
    DemoProduct("FOOD-PP-EN", "Pro Plan EN gastroenteric 2 kg", K.FOOD, U.BAG, "150.00", "102.00", "1", "7613035000019", stock=5, reorder=3),
    DemoProduct("SUP-JER3", "Jeringas 3 mL", K.SUPPLY, U.UNIT, "0.80", "0.18", "100", "7750000100012", stock=400, reorder=100),
    DemoProduct("SUP-JER5", "Jeringas 5 mL", K.SUPPLY, U.UNIT, "0.90", "0.22", "100", "7750000100029", stock=200, reorder=100),
    DemoProduct("SUP-GUANT", "Guantes de nitrilo talla M", K.SUPPLY, U.PAIR, "0.60", "0.15", "50", "7750000100036", stock=150, reorder=100),
    DemoProduct("SUP-GASA", "Gasas estériles 10x10", K.SUPPLY, U.UNIT, "0.50", "0.10", "100", "7750000100043", stock=300, reorder=100),
    DemoProduct("SUP-CATE", "Catéter IV 22G", K.SUPPLY, U.UNIT, "5.00", "1.40", "50", "7750000100050", stock=50, reorder=25),
    DemoProduct("SRV-CONS", "Consulta general", K.SERVICE, U.SESSION, "60.00"),
    DemoProduct("SRV-VACU", "Vacunación (aplicación)", K.SERVICE, U.SESSION, "20.00"),
    DemoProduct("SRV-CIRM", "Cirugía menor", K.SERVICE, U.SESSION, "350.00"),
    DemoProduct("SRV-ECO", "Ecografía abdominal", K.SERVICE, U.SESSION, "120.00"),
    DemoProduct("SRV-BANO", "Baño y corte", K.SERVICE, U.SESSION, "50.00"),
)  # fmt: skip

SUPPLIERS = (
    ("Distribuidora Veterinaria del Perú S.A.C.", "20512345678", "Rosa Quispe", "ventas@dvperu.example", "01 421 5566"),
    ("Química Suiza Animal Health", "20100085225", "Jorge Salazar", "pedidos@qsah.example", "01 211 4000"),
)  # fmt: skip


def _products(admin: User, organization: Organization) -> list[tuple[DemoProduct, Product]]:
    existing = {p.sku: p for p in Product.objects.filter(organization=organization)}
    loaded = []
    for spec in CATALOG:
        product = existing.get(spec.sku)
        if product is None:
            product = services.product_create(
                actor=admin, name=spec.name, kind=spec.kind, unit=spec.unit,
                pack_size=Decimal(spec.pack), sku=spec.sku, barcode=spec.barcode,
                sale_price=Decimal(spec.price), tax_rate=Decimal("18.00"),
                controlled_schedule=spec.schedule,
            )  # fmt: skip
        loaded.append((spec, product))
    return loaded


def _suppliers(admin: User, organization: Organization) -> list[Supplier]:
    found = []
    for name, ruc, contact, email, phone in SUPPLIERS:
        supplier = Supplier.objects.filter(organization=organization, name=name).first()
        if supplier is None:
            supplier = services.supplier_create(
                actor=admin, name=name, tax_id=ruc, contact_name=contact, email=email, phone=phone
            )
        found.append(supplier)
    return found


def _stock(
    admin: User,
    location: Location,
    catalog: list[tuple[DemoProduct, Product]],
    suppliers: list[Supplier],
    share: Decimal,
) -> None:
    if StockMovement.objects.filter(location=location).exists():
        return
    today = today_in(location.time_zone)
    for index, (spec, product) in enumerate(catalog):
        if spec.kind == K.SERVICE:
            continue
        supplier = suppliers[index % len(suppliers)]
        total = (Decimal(spec.stock) * share).quantize(Decimal(1))
        expires = spec.kind in (K.MEDICATION, K.VACCINE, K.FOOD)
        # Every fifth product has its older lot expiring inside the warning window.
        soon = (
            today + dt.timedelta(days=20 + index)
            if index % 5 == 0
            else today + dt.timedelta(days=200 + 7 * index)
        )
        later = today + dt.timedelta(days=540 + 3 * index)
        halves = [
            (f"{spec.sku[-4:]}-{today:%y}A", soon, total // 2),
            (f"{spec.sku[-4:]}-{today:%y}B", later, total - total // 2),
        ]
        for lot, expires_on, quantity in halves:
            if quantity <= 0:
                continue
            services.stock_receive(
                actor=admin, location=location, product=product, quantity=quantity,
                unit_cost=Decimal(spec.cost), lot=lot if expires else "",
                expires_on=expires_on if expires else None, supplier=supplier,
            )  # fmt: skip
        if spec.reorder:
            services.reorder_rule_set(
                actor=admin, location=location, product=product,
                reorder_level=Decimal(spec.reorder) * share,
                reorder_quantity=Decimal(spec.pack) * 2,
            )  # fmt: skip
    # A little history: the week's dispensing.
    for spec, product in catalog[:12]:
        if spec.kind != K.SERVICE and spec.stock > 10:
            services.stock_dispense(
                actor=admin, location=location, product=product, quantity=2, reference="demo"
            )


def _sent_order(admin: User, location: Location, suppliers: list[Supplier]) -> None:
    if PurchaseOrder.objects.filter(location=location).exists():
        return
    orders = services.purchase_orders_from_suggestions(
        actor=admin, location=location, supplier=suppliers[0]
    )
    for order in orders[:1]:
        services.purchase_order_send(actor=admin, order=order)


@transaction.atomic
def load(*, organization: Organization, admin: User, locations: list[Location]) -> None:
    """The catalog, the suppliers, stock at each location and a sent purchase order."""
    catalog = _products(admin, organization)
    suppliers = _suppliers(admin, organization)
    for number, location in enumerate(locations):
        _stock(admin, location, catalog, suppliers, Decimal(1) if number == 0 else Decimal("0.5"))
    if locations:
        _sent_order(admin, locations[0], suppliers)
