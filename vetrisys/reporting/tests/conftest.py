"""Fixtures of the reporting tests: an owner and a pet, price items, and a way to sell at a
chosen instant."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from vetrisys.billing.models import CreditNote, Invoice
from vetrisys.billing.services import (
    LineSpec,
    credit_note_issue,
    invoice_create,
    invoice_issue,
    payment_record,
    revenue_shares_rebuild,
)
from vetrisys.clients.models import Client
from vetrisys.inventory.models import Product
from vetrisys.inventory.tests.factories import ProductFactory
from vetrisys.patients.models import Patient
from vetrisys.patients.tests.factories import OwnerFactory, PatientFactory

LIMA = ZoneInfo("America/Lima")


def lima(day: dt.date, clock: str = "10:00") -> dt.datetime:
    """An aware instant from a day and "HH:MM" in Lima."""
    hour, minute = (int(part) for part in clock.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LIMA)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Labels are asserted in English (the project's default language is Spanish)."""
    with translation.override("en"):
        yield


@pytest.fixture
def owner(world: Any) -> Client:
    return OwnerFactory(organization=world.org, first_name="Rosa", last_name="Huamán")


@pytest.fixture
def pet(owner: Client) -> Patient:
    return PatientFactory(client=owner, name="Firulais")


@pytest.fixture
def consult(world: Any) -> Product:
    return ProductFactory(
        organization=world.org,
        name="Consulta general",
        kind=Product.Kind.SERVICE,
        unit=Product.Unit.SESSION,
        sale_price=Decimal("50.00"),
        tax_rate=Decimal("18.00"),
    )


@pytest.fixture
def amoxicillin(world: Any) -> Product:
    return ProductFactory(
        organization=world.org,
        name="Amoxicilina 250 mg",
        sale_price=Decimal("12.50"),
        tax_rate=Decimal("18.00"),
    )


@pytest.fixture
def nail_trim(world: Any) -> Product:
    return ProductFactory(
        organization=world.org,
        name="Corte de uñas",
        kind=Product.Kind.SERVICE,
        unit=Product.Unit.SESSION,
        sale_price=Decimal("20.00"),
        tax_rate=Decimal("0.00"),
    )


def sell(
    actor: Any,
    location: Any,
    client: Client,
    lines: list[LineSpec],
    *,
    issued_at: dt.datetime,
    discount_percent: str = "0",
    patient: Any = None,
) -> Invoice:
    """An invoice issued through the billing services, then dated `issued_at`."""
    invoice = invoice_create(
        actor=actor,
        location=location,
        client=client,
        patient=patient,
        lines=lines,
        discount_percent=Decimal(discount_percent),
    )
    invoice = invoice_issue(actor=actor, invoice=invoice)
    Invoice.objects.filter(pk=invoice.pk).update(issued_at=issued_at)
    revenue_shares_rebuild(invoice_ids=[invoice.pk])
    return Invoice.objects.get(pk=invoice.pk)


def pay(actor: Any, invoice: Invoice, amount: str, at: dt.datetime) -> None:
    """A cash payment received at `at`."""
    payment_record(
        actor=actor, invoice=invoice, amount=Decimal(amount), method="cash", received_at=at
    )


def credit(
    actor: Any, invoice: Invoice, amount: str, at: dt.datetime, *, refund: bool = False
) -> CreditNote:
    """A credit note of `amount`, dated `at` (refunded in cash when `refund`)."""
    note = credit_note_issue(
        actor=actor,
        invoice=invoice,
        reason="Error de cobro",
        amount=Decimal(amount),
        outcome=CreditNote.Outcome.REFUND if refund else CreditNote.Outcome.CREDIT,
        refund_method="cash" if refund else "",
    )
    CreditNote.objects.filter(pk=note.pk).update(issued_at=at)
    revenue_shares_rebuild(invoice_ids=[invoice.pk])
    return CreditNote.objects.get(pk=note.pk)
