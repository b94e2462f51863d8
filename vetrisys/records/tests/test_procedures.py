"""Procedures performed in a visit become pending charges, and removing one cancels its charge,
in the same transaction as the procedure."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from vetrisys.audit.models import AuditEvent
from vetrisys.billing import selectors as billing_selectors
from vetrisys.billing.models import Charge, LocationPrice
from vetrisys.billing.services import invoice_create_from_charges, invoice_issue
from vetrisys.core.errors import Conflict, NotAllowed, ValidationFailed
from vetrisys.core.timeutil import now
from vetrisys.records import services
from vetrisys.records.models import Procedure
from vetrisys.records.services import procedures as procedure_services


@pytest.fixture
def consult_price(world, consult_service):
    """Miraflores charges 55.00 for the consult (the catalog says 10.00); 18 % IGV."""
    consult_service.tax_rate = Decimal("18.00")
    consult_service.save()
    LocationPrice.objects.create(
        organization=world.org, location=world.location_a, product=consult_service,
        price=Decimal("55.00"), valid_from=now() - dt.timedelta(days=1),
    )  # fmt: skip
    return consult_service


def test_a_procedure_creates_exactly_one_pending_charge(
    world, vet_a, receptionist_a, visit, rocky, consult_price
):
    procedure = services.procedure_add(
        actor=vet_a, visit=visit, product=consult_price, quantity="2", notes="Control"
    )
    charge = Charge.objects.get()
    assert (
        charge.status, charge.source, charge.source_id, charge.product_id, charge.quantity,
        charge.unit_price, charge.tax_rate, charge.client_id, charge.patient_id,
        charge.location_id, charge.description, charge.created_by_id,
    ) == (
        "pending", "records.procedure", procedure.pk, consult_price.pk, Decimal("2.000"),
        Decimal("55.0000"), Decimal("18.00"), rocky.client_id, rocky.pk,
        world.location_a.pk, "Consulta general", vet_a.pk,
    )  # fmt: skip
    assert (procedure.quantity, procedure.notes, procedure.performed_by_id) == (
        Decimal("2"),
        "Control",
        vet_a.pk,
    )
    pending = billing_selectors.pending_charges(actor=receptionist_a, client=rocky.client)
    assert list(pending) == [charge]


def test_adding_and_removing_are_audited_with_the_charge(vet_a, visit, consult_price):
    procedure = services.procedure_add(actor=vet_a, visit=visit, product=consult_price)
    services.procedure_remove(actor=vet_a, procedure=procedure, reason="Error de registro")
    charge = Charge.objects.get()
    assert list(
        AuditEvent.objects.filter(
            action__in=[
                "records.procedure.add", "charge.add", "charge.cancel", "records.procedure.remove",
            ]
        ).order_by("sequence").values_list("action", "target_id")
    ) == [
        ("charge.add", str(charge.pk)),
        ("records.procedure.add", str(visit.pk)),
        ("charge.cancel", str(charge.pk)),
        ("records.procedure.remove", str(visit.pk)),
    ]  # fmt: skip


def test_a_failed_charge_leaves_neither_procedure_nor_charge(
    monkeypatch, vet_a, visit, consult_price
):
    def broken_charge_add(**kwargs):
        raise RuntimeError("billing is down")

    monkeypatch.setattr(procedure_services, "charge_add", broken_charge_add)
    events = AuditEvent.objects.count()
    with pytest.raises(RuntimeError):
        services.procedure_add(actor=vet_a, visit=visit, product=consult_price)
    assert Procedure.objects.count() == 0
    assert Charge.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_a_failed_cancel_keeps_the_procedure_and_its_charge(
    monkeypatch, vet_a, visit, consult_price
):
    procedure = services.procedure_add(actor=vet_a, visit=visit, product=consult_price)

    def broken_charge_cancel(**kwargs):
        raise RuntimeError("billing is down")

    monkeypatch.setattr(procedure_services, "charge_cancel", broken_charge_cancel)
    with pytest.raises(RuntimeError):
        services.procedure_remove(actor=vet_a, procedure=procedure)
    procedure.refresh_from_db()
    assert procedure.removed_at is None
    assert list(Charge.objects.values_list("status", flat=True)) == ["pending"]


def test_invalid_quantity_or_foreign_product_charges_nothing(world, vet_a, visit, consult_price):
    from vetrisys.inventory.tests.factories import ProductFactory

    with pytest.raises(ValidationFailed) as error:
        services.procedure_add(actor=vet_a, visit=visit, product=consult_price, quantity="0")
    assert error.value.fields == {"quantity": ["The quantity must be above 0."]}
    foreign = ProductFactory(organization=world.other_org, name="Consulta ajena")
    with pytest.raises(ValidationFailed) as error:
        services.procedure_add(actor=vet_a, visit=visit, product=foreign)
    assert error.value.fields == {"price_item": ["Choose an active item of the price list."]}
    assert Procedure.objects.count() == 0
    assert Charge.objects.count() == 0


def test_removing_from_an_open_visit_cancels_the_charge(vet_a, visit, rocky, consult_price):
    procedure = services.procedure_add(actor=vet_a, visit=visit, product=consult_price)
    removed = services.procedure_remove(actor=vet_a, procedure=procedure, reason="No se hizo")
    assert (removed.removed_by_id, removed.removal_reason) == (vet_a.pk, "No se hizo")
    assert removed.removed_at is not None
    charge = Charge.objects.get()
    assert (charge.status, charge.cancelled_reason) == ("cancelled", "No se hizo")
    assert list(billing_selectors.pending_charges(actor=vet_a, client=rocky.client)) == []
    with pytest.raises(Conflict) as error:
        services.procedure_remove(actor=vet_a, procedure=procedure)
    assert error.value.code == "already_removed"
    assert Charge.objects.filter(status="cancelled").count() == 1


def test_after_signing_removing_is_409_and_the_charge_stays(vet_a, visit, consult_price):
    procedure = services.procedure_add(actor=vet_a, visit=visit, product=consult_price)
    services.visit_sign(actor=vet_a, visit=visit)
    with pytest.raises(Conflict) as error:
        services.procedure_remove(actor=vet_a, procedure=procedure)
    assert error.value.code == "visit_signed"
    with pytest.raises(Conflict) as error:
        services.procedure_add(actor=vet_a, visit=visit, product=consult_price)
    assert error.value.code == "visit_signed"
    procedure.refresh_from_db()
    assert procedure.removed_at is None
    assert list(Charge.objects.values_list("status", "source_id")) == [("pending", procedure.pk)]


def test_an_invoiced_charge_cannot_be_removed(world, admin, vet_a, visit, rocky, consult_price):
    procedure = services.procedure_add(actor=vet_a, visit=visit, product=consult_price)
    draft = invoice_create_from_charges(actor=admin, location=world.location_a, client=rocky.client)
    invoice_issue(actor=admin, invoice=draft)
    events = AuditEvent.objects.count()
    with pytest.raises(Conflict) as error:
        services.procedure_remove(actor=vet_a, procedure=procedure, reason="Tarde")
    assert error.value.code == "charge_invoiced"
    procedure.refresh_from_db()
    assert (procedure.removed_at, procedure.removal_reason) == (None, "")
    assert list(Charge.objects.values_list("status", flat=True)) == ["invoiced"]
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("name", ["receptionist_a", "vet_b"])
def test_who_may_not_perform_a_procedure(people, visit, consult_price, name):
    with pytest.raises(NotAllowed):
        services.procedure_add(actor=people[name], visit=visit, product=consult_price)
    assert Procedure.objects.count() == 0
    assert Charge.objects.count() == 0
