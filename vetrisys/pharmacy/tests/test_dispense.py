import datetime as dt
import json
import threading
from collections.abc import Callable
from decimal import Decimal as D
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client as HttpClient

from vetrisys.accounts.models import User
from vetrisys.accounts.tests.factories import make_staff
from vetrisys.audit.models import AuditEvent
from vetrisys.billing.models import Charge
from vetrisys.core.errors import Conflict, NotAllowed, ValidationFailed
from vetrisys.inventory import ledger
from vetrisys.inventory.models import Lot, Product, StockBalance, StockMovement
from vetrisys.inventory.tests.factories import ProductFactory, receive
from vetrisys.pharmacy import services
from vetrisys.pharmacy.models import Prescription, PrescriptionDispense

API = "/api/v1"


@pytest.fixture
def technician_a(world) -> User:
    return make_staff(location=world.location_a, role="technician", username="technician_a")


@pytest.fixture
def meloxicam(world) -> Product:
    return ProductFactory(
        organization=world.org, name="Meloxicam 1 mg", kind=Product.Kind.MEDICATION,
        unit=Product.Unit.TABLET, sale_price=D("1.50"),
    )  # fmt: skip


def _prescribe(vet, visit, product, quantity: Any = "14", refills: int = 0) -> Prescription:
    return services.prescription_create(
        actor=vet, visit=visit, product=product, dose="1 tablet", route="oral",
        frequency="every 24 hours", quantity=D(str(quantity)), refills=refills,
    )  # fmt: skip


@pytest.fixture
def prescription(vet_a, visit, meloxicam) -> Prescription:
    return _prescribe(vet_a, visit, meloxicam)


@pytest.fixture
def stocked(world, pharmacist_a, meloxicam) -> None:
    """Two lots at A: EARLY (3, expiring first) and LATE (5)."""
    receive(pharmacist_a, world.location_a, meloxicam, 5, lot="LATE",
            expires_on=dt.date(2099, 12, 31))  # fmt: skip
    receive(pharmacist_a, world.location_a, meloxicam, 3, lot="EARLY",
            expires_on=dt.date(2099, 1, 31))  # fmt: skip


def _balances(location, product) -> dict[str, D]:
    return dict(
        StockBalance.objects.filter(location=location, product=product).values_list(
            "lot__lot_number", "on_hand"
        )
    )


def _state(location, product, prescription) -> tuple[Any, ...]:
    """Everything a dispensing changes."""
    prescription.refresh_from_db()
    return (
        StockMovement.objects.filter(kind="dispense").count(),
        _balances(location, product),
        Charge.objects.count(),
        PrescriptionDispense.objects.count(),
        prescription.dispensed_quantity,
        prescription.status,
        AuditEvent.objects.filter(action="prescription.dispense").count(),
    )


def _as(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _dispense(user: User, prescription, body: dict[str, Any]) -> Any:
    return _as(user).post(
        f"{API}/prescriptions/{prescription.pk}/dispense",
        json.dumps(body),
        content_type="application/json",
    )


# ---------------------------------------------------------------- the service


@pytest.mark.usefixtures("stocked")
def test_dispensing_takes_the_first_expiring_lots_by_default(
    world, pharmacist_a, prescription, meloxicam
):
    dispense = services.prescription_dispense(
        actor=pharmacist_a, prescription=prescription, quantity=4
    )

    moves = list(dispense.movements.select_related("lot").order_by("lot__expires_on"))
    assert [(m.lot.lot_number, m.quantity, m.reference) for m in moves] == [
        ("EARLY", D("-3.000"), str(prescription.pk)),
        ("LATE", D("-1.000"), str(prescription.pk)),
    ]
    assert _balances(world.location_a, meloxicam) == {"EARLY": D(0), "LATE": D(4)}
    prescription.refresh_from_db()
    assert (prescription.dispensed_quantity, prescription.remaining_quantity) == (D(4), D(10))
    assert prescription.status == "active"
    assert (dispense.quantity, dispense.dispensed_by, dispense.location) == (
        D(4), pharmacist_a, world.location_a,
    )  # fmt: skip
    event = AuditEvent.objects.get(action="prescription.dispense")
    assert event.changes["quantity"] == "4.000"
    assert ledger.verify(organization_id=world.org.pk) == []


@pytest.mark.usefixtures("stocked")
def test_a_named_lot_is_taken_as_named(world, pharmacist_a, prescription, meloxicam):
    dispense = services.prescription_dispense(
        actor=pharmacist_a, prescription=prescription, quantity=2, lot="LATE"
    )

    assert [m.lot.lot_number for m in dispense.movements.all()] == ["LATE"]
    assert _balances(world.location_a, meloxicam) == {"EARLY": D(3), "LATE": D(3)}


@pytest.mark.usefixtures("stocked")
def test_the_dispensing_adds_one_pending_charge_at_the_current_price(
    world, pharmacist_a, prescription, meloxicam
):
    dispense = services.prescription_dispense(
        actor=pharmacist_a, prescription=prescription, quantity=4
    )

    charge = Charge.objects.get()
    assert dispense.charge == charge
    assert (charge.product, charge.quantity, charge.unit_price) == (meloxicam, D(4), D("1.50"))
    assert (charge.source, charge.source_id, charge.status) == (
        "inventory.dispense", dispense.pk, Charge.Status.PENDING,
    )  # fmt: skip
    assert (charge.client_id, charge.patient_id, charge.location) == (
        prescription.patient.client_id, prescription.patient_id, world.location_a,
    )  # fmt: skip


@pytest.mark.usefixtures("stocked")
def test_two_dispensings_are_two_charges(pharmacist_a, prescription):
    first = services.prescription_dispense(actor=pharmacist_a, prescription=prescription,
                                           quantity=1)  # fmt: skip
    second = services.prescription_dispense(actor=pharmacist_a, prescription=prescription,
                                            quantity=2)  # fmt: skip

    assert first.charge_id != second.charge_id
    assert sorted(Charge.objects.values_list("quantity", flat=True)) == [D(1), D(2)]


@pytest.mark.usefixtures("stocked")
def test_an_expired_lot_is_refused_and_nothing_changes(
    world, pharmacist_a, prescription, meloxicam
):
    Lot.objects.filter(lot_number="EARLY").update(expires_on=dt.date(2000, 1, 1))
    before = _state(world.location_a, meloxicam, prescription)

    with pytest.raises(Conflict) as raised:
        services.prescription_dispense(
            actor=pharmacist_a, prescription=prescription, quantity=1, lot="EARLY"
        )

    assert raised.value.code == "lot_expired"
    assert _state(world.location_a, meloxicam, prescription) == before


@pytest.mark.usefixtures("stocked")
def test_short_stock_is_refused_and_nothing_changes(world, pharmacist_a, prescription, meloxicam):
    before = _state(world.location_a, meloxicam, prescription)

    with pytest.raises(Conflict) as raised:
        services.prescription_dispense(actor=pharmacist_a, prescription=prescription, quantity=9)

    assert raised.value.code == "insufficient_stock"
    assert raised.value.extra["on_hand"] == "8"
    assert _state(world.location_a, meloxicam, prescription) == before


def test_refills_count_and_no_more_than_the_prescription_leaves(
    world, vet_a, pharmacist_a, visit, meloxicam
):
    receive(pharmacist_a, world.location_a, meloxicam, 50)
    prescription = _prescribe(vet_a, visit, meloxicam, quantity=10, refills=1)
    assert prescription.remaining_quantity == D(20)

    before = _state(world.location_a, meloxicam, prescription)
    with pytest.raises(Conflict) as over:
        services.prescription_dispense(actor=pharmacist_a, prescription=prescription, quantity=21)
    assert (over.value.code, over.value.extra) == (
        "exceeds_prescription", {"remaining": "20.000", "requested": "21.000"},
    )  # fmt: skip
    assert _state(world.location_a, meloxicam, prescription) == before

    services.prescription_dispense(actor=pharmacist_a, prescription=prescription, quantity=20)
    prescription.refresh_from_db()
    assert (prescription.remaining_quantity, prescription.status) == (D(0), "completed")
    with pytest.raises(Conflict) as done:
        services.prescription_dispense(actor=pharmacist_a, prescription=prescription, quantity=1)
    assert done.value.code == "prescription_not_active"
    assert _balances(world.location_a, meloxicam) == {"L1": D(30)}


@pytest.mark.usefixtures("stocked")
@pytest.mark.parametrize("amount", [0, -1, "1.0001", "x"])
def test_a_bad_quantity_is_422(world, pharmacist_a, prescription, meloxicam, amount):
    before = _state(world.location_a, meloxicam, prescription)

    with pytest.raises(ValidationFailed) as raised:
        services.prescription_dispense(
            actor=pharmacist_a, prescription=prescription, quantity=amount
        )

    assert list(raised.value.fields) == ["quantity"]
    assert _state(world.location_a, meloxicam, prescription) == before


@pytest.mark.usefixtures("stocked")
def test_a_vet_cannot_dispense_even_their_own_prescription(world, vet_a, prescription, meloxicam):
    before = _state(world.location_a, meloxicam, prescription)

    with pytest.raises(NotAllowed):
        services.prescription_dispense(actor=vet_a, prescription=prescription, quantity=1)

    assert _state(world.location_a, meloxicam, prescription) == before


# ---------------------------------------------------------------- the API


@pytest.mark.usefixtures("stocked")
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("pharmacist_a", 201), ("technician_a", 201), ("manager_a", 201), ("admin", 201),
        ("vet_a", 403), ("receptionist_a", 403), ("cashier_a", 403), ("vet_b", 403),
        ("outsider", 404),
    ],
)  # fmt: skip
def test_who_may_dispense(request, world, prescription, meloxicam, who, status):
    user = request.getfixturevalue(who)
    before = _state(world.location_a, meloxicam, prescription)

    response = _dispense(user, prescription, {"quantity": "2"})

    assert response.status_code == status, response.content
    after = _state(world.location_a, meloxicam, prescription)
    if status == 201:
        assert after[0] == before[0] + 1
        assert after[1] == {"EARLY": D(1), "LATE": D(5)}
        assert after[2:5] == (before[2] + 1, before[3] + 1, D(2))
    else:
        assert after == before


@pytest.mark.usefixtures("stocked")
def test_the_api_answers_201_with_the_movements_and_the_charge(pharmacist_a, prescription):
    response = _dispense(pharmacist_a, prescription, {"quantity": "4", "lot": None})

    assert response.status_code == 201, response.content
    body = response.json()
    dispense = PrescriptionDispense.objects.get()
    assert body["id"] == str(dispense.pk)
    assert body["prescription"] == str(prescription.pk)
    assert body["charge"] == str(Charge.objects.get().pk)
    assert (body["quantity"], body["dispensed_quantity"], body["remaining_quantity"]) == (
        "4.000", "4.000", "10.000",
    )  # fmt: skip
    assert body["status"] == "active"
    assert [(m["kind"], m["lot"], m["quantity"]) for m in body["movements"]] == [
        ("dispense", "EARLY", "-3.000"), ("dispense", "LATE", "-1.000"),
    ]  # fmt: skip
    assert {m["reference"] for m in body["movements"]} == {str(prescription.pk)}


@pytest.mark.usefixtures("stocked")
@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"quantity": "9"}, 409, "insufficient_stock"),
        ({"quantity": "15"}, 409, "exceeds_prescription"),
        ({"quantity": "1", "lot": "NOPE"}, 404, "lot_not_found"),
        ({"quantity": "0"}, 422, "invalid"),
        ({}, 422, "invalid"),
    ],
)
def test_the_api_refusals_have_the_error_shape(
    world, pharmacist_a, prescription, meloxicam, body, status, code
):
    before = _state(world.location_a, meloxicam, prescription)

    response = _dispense(pharmacist_a, prescription, body)

    assert response.status_code == status, response.content
    answer = response.json()
    assert set(answer) == {"message", "code", "extra"}
    assert answer["code"] == code
    if status == 422:
        assert list(answer["extra"]["fields"]) == ["quantity"]
    assert _state(world.location_a, meloxicam, prescription) == before


@pytest.mark.usefixtures("stocked")
def test_an_expired_lot_through_the_api_is_409(world, pharmacist_a, prescription, meloxicam):
    Lot.objects.filter(lot_number="EARLY").update(expires_on=dt.date(2000, 1, 1))

    response = _dispense(pharmacist_a, prescription, {"quantity": "1", "lot": "EARLY"})

    assert response.status_code == 409
    assert response.json()["code"] == "lot_expired"
    assert response.json()["extra"] == {"lot": "EARLY", "expires_on": "2000-01-01"}


# ---------------------------------------------------------------- the race (PostgreSQL)


def _race(calls: list[Callable[[], Any]]) -> list[Any]:
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # the outcome is what the test asserts
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are a PostgreSQL matter")
def test_12_dispensings_of_1_with_10_on_hand_dispense_exactly_10(
    world, vet_a, pharmacist_a, visit, meloxicam
):
    receive(pharmacist_a, world.location_a, meloxicam, 10)
    prescriptions = [_prescribe(vet_a, visit, meloxicam, quantity=1) for _ in range(12)]

    results = _race(
        [
            (
                lambda p=p: services.prescription_dispense(
                    actor=pharmacist_a, prescription=p, quantity=1
                )
            )
            for p in prescriptions
        ]
    )

    done = [r for r in results if isinstance(r, PrescriptionDispense)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert (len(done), len(refused)) == (10, 2), results
    assert {r.code for r in refused} == {"insufficient_stock"}
    assert _balances(world.location_a, meloxicam) == {"L1": D(0)}
    assert StockMovement.objects.filter(kind="dispense").count() == 10
    assert Charge.objects.count() == PrescriptionDispense.objects.count() == 10
    assert (
        sorted(Prescription.objects.values_list("dispensed_quantity", flat=True))
        == [D(0)] * 2 + [D(1)] * 10
    )
    assert ledger.verify(organization_id=world.org.pk) == []


# ---------------------------------------------------------------- the screens


@pytest.mark.usefixtures("stocked")
def test_the_queue_lists_what_is_left_to_dispense_and_the_screen_dispenses_it(
    world, pharmacist_a, prescription, meloxicam
):
    http = _as(pharmacist_a)

    queue = http.get("/pharmacy/queue/")
    page = http.get(f"/pharmacy/prescriptions/{prescription.pk}/dispense/")
    done = http.post(
        f"/pharmacy/prescriptions/{prescription.pk}/dispense/",
        {"quantity": "2", "lot": "EARLY"},
        follow=True,
    )

    assert queue.status_code == 200
    assert f"/pharmacy/prescriptions/{prescription.pk}/dispense/" in queue.content.decode()
    assert page.status_code == 200
    assert '<option value="EARLY" selected>' in page.content.decode()
    assert done.status_code == 200
    assert "On hand now: 6." in done.content.decode()
    assert _balances(world.location_a, meloxicam) == {"EARLY": D(1), "LATE": D(5)}
    prescription.refresh_from_db()
    assert prescription.dispensed_quantity == D(2)


@pytest.mark.usefixtures("stocked")
def test_the_screen_shows_a_refusal_as_a_message_and_nothing_moves(
    world, pharmacist_a, prescription, meloxicam
):
    before = _state(world.location_a, meloxicam, prescription)

    done = _as(pharmacist_a).post(
        f"/pharmacy/prescriptions/{prescription.pk}/dispense/", {"quantity": "15"}, follow=True
    )

    assert "That is more than the 14 left on the prescription." in done.content.decode()
    assert _state(world.location_a, meloxicam, prescription) == before


def test_a_fully_dispensed_prescription_leaves_the_queue(
    world, pharmacist_a, prescription, meloxicam
):
    receive(pharmacist_a, world.location_a, meloxicam, 20)
    services.prescription_dispense(actor=pharmacist_a, prescription=prescription, quantity=14)

    queue = _as(pharmacist_a).get("/pharmacy/queue/")

    assert str(prescription.pk) not in queue.content.decode()


@pytest.mark.usefixtures("stocked")
def test_vets_and_cashiers_have_no_dispensing_screen(vet_a, cashier_a, prescription):
    for user in (vet_a, cashier_a):
        http = _as(user)
        assert http.get("/pharmacy/queue/").status_code == 403
        assert http.get(f"/pharmacy/prescriptions/{prescription.pk}/dispense/").status_code == 403
