"""Pending charges: added once per source, priced from the location's list, cancelled while
pending."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from vetrisys.audit.models import AuditEvent
from vetrisys.billing import selectors
from vetrisys.billing.models import Charge, LocationPrice
from vetrisys.billing.services import charge_add, charge_cancel
from vetrisys.core.errors import NotAllowed, NotFound, ValidationFailed
from vetrisys.core.timeutil import now

pytestmark = pytest.mark.django_db


def _add(actor, world, owner, pet, product, source_id=None, **extra):
    return charge_add(
        actor=actor,
        location=world.location_a,
        client=owner,
        patient=pet,
        product=product,
        quantity=extra.pop("quantity", Decimal("2")),
        source="records.procedure",
        source_id=source_id or uuid.uuid4(),
        **extra,
    )


def test_a_charge_copies_the_price_and_rate_and_is_audited(world, vet_a, owner, pet, consult):
    charge = _add(vet_a, world, owner, pet, consult)
    assert (charge.status, charge.unit_price, charge.tax_rate) == (
        "pending",
        Decimal("50.00"),
        Decimal("18.00"),
    )
    assert charge.description == "Consulta general"
    assert AuditEvent.objects.filter(action="charge.add", target_id=str(charge.pk)).count() == 1


def test_the_location_price_overrides_the_catalog(world, admin, vet_a, owner, pet, consult):
    LocationPrice.objects.create(
        organization=world.org, location=world.location_a, product=consult,
        price=Decimal("55.00"), valid_from=now() - dt.timedelta(days=1),
    )  # fmt: skip
    LocationPrice.objects.create(
        organization=world.org, location=world.location_a, product=consult,
        price=Decimal("60.00"), valid_from=now() + dt.timedelta(days=1),
    )  # fmt: skip
    assert _add(vet_a, world, owner, pet, consult).unit_price == Decimal("55.0000")


def test_a_second_call_for_the_same_source_returns_the_same_charge(
    world, vet_a, owner, pet, consult
):
    source_id = uuid.uuid4()
    first = _add(vet_a, world, owner, pet, consult, source_id=source_id)
    second = _add(vet_a, world, owner, pet, consult, source_id=source_id, quantity=Decimal("5"))
    assert second.pk == first.pk
    assert Charge.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "allowed"),
    [("admin", True), ("manager_a", True), ("vet_a", True), ("receptionist_a", True),
     ("cashier_a", True), ("pharmacist_a", True), ("technician_a", True), ("vet_b", False)],
)  # fmt: skip
def test_who_may_add_a_charge(world, everyone, owner, pet, consult, name, allowed):
    actor = everyone[name]
    if allowed:
        assert _add(actor, world, owner, pet, consult).status == "pending"
    else:
        with pytest.raises(NotAllowed):
            _add(actor, world, owner, pet, consult)
        assert Charge.objects.count() == 0


def test_another_organization_gets_not_found(world, outsider, owner, pet, consult):
    with pytest.raises(NotFound):
        _add(outsider, world, owner, pet, consult)
    assert Charge.objects.count() == 0


def test_a_negative_quantity_is_refused(world, vet_a, owner, pet, consult):
    with pytest.raises(ValidationFailed) as error:
        _add(vet_a, world, owner, pet, consult, quantity=Decimal("-1"))
    assert list(error.value.fields) == ["quantity"]
    assert Charge.objects.count() == 0


def test_cancel_cancels_the_pending_charges_of_the_source(world, vet_a, owner, pet, consult):
    source_id = uuid.uuid4()
    _add(vet_a, world, owner, pet, consult, source_id=source_id)
    assert (
        charge_cancel(actor=vet_a, source="records.procedure", source_id=source_id, reason="error")
        == 1
    )
    assert list(Charge.objects.values_list("status", flat=True)) == ["cancelled"]
    assert (
        charge_cancel(actor=vet_a, source="records.procedure", source_id=source_id, reason="x") == 0
    )
    # Cancelled, the source may be charged again.
    assert _add(vet_a, world, owner, pet, consult, source_id=source_id).status == "pending"


def test_pending_charges_lists_the_clients_charges_where_the_actor_sees_billing(
    world, vet_a, receptionist_a, vet_b, owner, pet, consult
):
    charge = _add(vet_a, world, owner, pet, consult)
    assert list(selectors.pending_charges(actor=receptionist_a, client=owner)) == [charge]
    assert list(selectors.pending_charges(actor=vet_b, client=owner)) == []
    assert (
        list(
            selectors.pending_charges(actor=receptionist_a, client=owner, location=world.location_b)
        )
        == []
    )
