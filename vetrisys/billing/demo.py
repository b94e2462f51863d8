"""Demo billing: invoices in every state at both locations (draft, issued, partly paid in cash
with change, paid by card and by Yape, void, credited, in installments with one overdue) and a
cashier's closed day.

Idempotent: each demo invoice is known by its note and created only when missing; what is
pending to bill (procedures, dispensed items) is picked up first, then products are added.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from vetrisys.accounts.models import Location, Organization, User
from vetrisys.billing import services
from vetrisys.billing.models import Charge, DayClose, Invoice, PaymentMethod
from vetrisys.billing.services import LineSpec
from vetrisys.clients.models import Client
from vetrisys.core.money import quantize
from vetrisys.core.timeutil import today_in
from vetrisys.inventory.models import Product


@dataclass(frozen=True)
class DemoInvoice:
    """One demo invoice: where, what is on it and what happens to it after it is drafted."""

    note: str
    location: str
    products: tuple[tuple[str, str], ...]  # (sku, quantity)
    outcome: str


DEMO_INVOICES: tuple[DemoInvoice, ...] = (
    DemoInvoice("Demo: borrador en caja", "Miraflores",
                (("SRV-CONS", "1"), ("MED-AMOX250", "14")), "draft"),
    DemoInvoice("Demo: emitida, por cobrar", "Miraflores",
                (("SRV-ECO", "1"),), "issued"),
    DemoInvoice("Demo: pago parcial en efectivo con vuelto", "Miraflores",
                (("SRV-CIRM", "1"), ("MED-MELOXI", "2")), "partial_cash"),
    DemoInvoice("Demo: pagada con tarjeta", "Miraflores",
                (("SRV-VACU", "1"), ("VAC-DHPPI", "1")), "paid_card"),
    DemoInvoice("Demo: pagada con Yape", "Miraflores",
                (("SRV-BANO", "1"), ("AP-NEX-M", "1")), "paid_yape"),
    DemoInvoice("Demo: anulada", "Miraflores",
                (("SRV-CONS", "1"),), "void"),
    DemoInvoice("Demo: con nota de crédito", "Miraflores",
                (("SRV-CONS", "1"), ("FOOD-RC-PUP", "1")), "credit_note"),
    DemoInvoice("Demo: en tres cuotas", "Miraflores",
                (("SRV-CIRM", "1"), ("MED-TRAMA", "2"), ("MED-SUERO", "1")), "plan"),
    DemoInvoice("Demo: borrador Arequipa", "Arequipa",
                (("SRV-CONS", "1"),), "draft"),
    DemoInvoice("Demo: emitida Arequipa", "Arequipa",
                (("SRV-VACU", "1"), ("VAC-RABI", "1")), "issued"),
    DemoInvoice("Demo: pagada con tarjeta Arequipa", "Arequipa",
                (("SRV-ECO", "1"),), "paid_card"),
    DemoInvoice("Demo: pago parcial Arequipa", "Arequipa",
                (("SRV-CONS", "1"), ("AP-DRONT", "2")), "partial_cash"),
)  # fmt: skip


def load(*, organization: Organization, admin: User, locations: list[Location]) -> None:
    """Create the demo invoices that are missing and close the cashier's day once."""
    by_name = {location.name: location for location in locations}
    cashier = User.objects.filter(organization=organization, username="cashier").first()
    products = {p.sku: p for p in Product.objects.filter(organization=organization)}
    owners = list(
        Client.objects.filter(organization=organization, is_active=True).order_by(
            "last_name", "first_name", "id"
        )
    )
    if not owners or not products:
        return
    done = set(Invoice.objects.filter(organization=organization).values_list("notes", flat=True))
    for index, spec in enumerate(DEMO_INVOICES):
        location = by_name.get(spec.location)
        if location is None or spec.note in done:
            continue
        taker = cashier if cashier is not None and spec.location == "Miraflores" else admin
        _create(spec, index, admin, taker, location, owners, products)
    if cashier is not None and "Miraflores" in by_name:
        _close_day(admin, cashier, by_name["Miraflores"])


def _owner_and_charges(
    index: int, location: Location, owners: list[Client]
) -> tuple[Client, list[Charge]]:
    """The owner to bill: one with pending charges here when there is one, else the next."""
    pending = (
        Charge.objects.filter(
            location=location, status=Charge.Status.PENDING, invoice_line__isnull=True
        )
        .select_related("client")
        .order_by("created_at", "id")
        .first()
    )
    if pending is not None:
        client = pending.client
        charges = list(
            Charge.objects.filter(
                location=location,
                client=client,
                status=Charge.Status.PENDING,
                invoice_line__isnull=True,
            )
        )
        return client, charges
    return owners[(index * 3) % len(owners)], []


def _create(
    spec: DemoInvoice,
    index: int,
    admin: User,
    taker: User,
    location: Location,
    owners: list[Client],
    products: dict[str, Product],
) -> None:
    client, charges = _owner_and_charges(index, location, owners)
    patient = client.patients.order_by("name").first()
    lines = [
        LineSpec(product=products[sku], quantity=Decimal(quantity))
        for sku, quantity in spec.products
        if sku in products
    ]
    invoice = services.invoice_create(
        actor=admin, location=location, client=client, patient=patient, lines=lines,
        charges=charges, notes=spec.note,
        discount_percent=Decimal("5.00") if spec.outcome == "plan" else Decimal(0),
    )  # fmt: skip
    if spec.outcome == "draft":
        return
    invoice = services.invoice_issue(actor=admin, invoice=invoice)
    _settle(spec.outcome, invoice, admin, taker, location)


def _settle(outcome: str, invoice: Invoice, admin: User, taker: User, location: Location) -> None:
    total = invoice.total
    if outcome == "partial_cash":
        part = _half_that_sqlite_agrees_with(total)
        services.payment_record(
            actor=taker, invoice=invoice, amount=part, method=PaymentMethod.CASH,
            cash_tendered=part + Decimal("20.00"),
        )  # fmt: skip
    elif outcome == "paid_card":
        services.payment_record(
            actor=taker, invoice=invoice, amount=total, method=PaymentMethod.CARD,
            reference="VISA 4242 AUT 031552",
        )  # fmt: skip
    elif outcome == "paid_yape":
        services.payment_record(
            actor=taker, invoice=invoice, amount=total, method=PaymentMethod.MOBILE_WALLET,
            wallet_provider="yape", reference="YAPE 58213377",
        )  # fmt: skip
    elif outcome == "void":
        services.invoice_void(
            actor=admin, invoice=invoice, reason="Emitida al dueño equivocado; se rehízo."
        )
    elif outcome == "credit_note":
        services.payment_record(
            actor=taker, invoice=invoice, amount=total, method=PaymentMethod.CARD,
            reference="MC 5454 AUT 771203",
        )  # fmt: skip
        food = invoice.lines.order_by("position").last()
        assert food is not None
        credit = food.total_amount
        if _sqlite_agrees(total, total - credit, credit):
            services.credit_note_issue(
                actor=admin, invoice=invoice, reason="Devolución del alimento sin abrir.",
                lines=[services.CreditLineSpec(line=food)],
            )  # fmt: skip
        else:
            amount = credit.quantize(Decimal("1"))
            while amount > 1 and not _sqlite_agrees(total, total - amount, amount):
                amount -= 1
            services.credit_note_issue(
                actor=admin, invoice=invoice, reason="Descuento por devolución parcial.",
                amount=amount,
            )  # fmt: skip
    elif outcome == "plan":
        today = today_in(location.time_zone)
        services.payment_plan_create(
            actor=taker, invoice=invoice, installments=3,
            first_due_on=today - dt.timedelta(days=10),
        )  # fmt: skip


def _half_that_sqlite_agrees_with(total: Decimal) -> Decimal:
    """About half of `total`, in whole soles, such that the balance left is also what SQLite
    computes (it compares the stored amounts as floating point)."""
    part = (total / 2).quantize(Decimal("1"))
    while part > 1 and not _sqlite_agrees(total, part, Decimal(0)):
        part -= 1
    return part


def _sqlite_agrees(total: Decimal, paid: Decimal, credited: Decimal) -> bool:
    """Whether the invoice's balance check holds in floating point as well."""
    return float(total) - float(paid) - float(credited) == float(total - paid - credited)


def _close_day(admin: Any, cashier: User, location: Location) -> None:
    """The cashier's day is closed once, counting a sol short in cash."""
    if DayClose.objects.filter(location=location, cashier=cashier).exists():
        return
    day = today_in(location.time_zone)
    expected = services.expected_amounts(location, cashier, day)
    # Sums come back from SQLite with float noise; the till counts cents.
    counted = {
        method: quantize(amount, location.currency) for method, amount in expected.items() if amount
    }
    if counted.get(PaymentMethod.CASH):
        counted[PaymentMethod.CASH] -= Decimal("1.00")
    services.day_close_create(
        actor=admin, location=location, business_date=day, counted=counted, cashier=cashier,
        notes="Faltó un sol en caja; se revisará el vuelto.",
    )  # fmt: skip
