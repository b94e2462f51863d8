import datetime as dt
from decimal import Decimal

import pytest

from vetrisys.audit.models import AuditEvent
from vetrisys.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from vetrisys.core.timeutil import today_in
from vetrisys.inventory import ledger, services
from vetrisys.inventory.models import (
    Lot,
    Product,
    PurchaseOrder,
    StockBalance,
    StockCount,
    StockMovement,
)
from vetrisys.inventory.reports import fifo_valuation, inventory_report
from vetrisys.inventory.tests.factories import ProductFactory, receive

D = Decimal
PAST = dt.date(2000, 1, 1)


def _on_hand(location, product, lot_number=None) -> Decimal:
    balances = StockBalance.objects.filter(location=location, product=product)
    if lot_number is not None:
        balances = balances.filter(lot__lot_number=lot_number)
    return sum((b.on_hand for b in balances), D(0))


def _expire(product, lot_number) -> None:
    """Time passes: the lot is now past its expiry."""
    Lot.objects.filter(product=product, lot_number=lot_number).update(expires_on=PAST)


def test_receiving_a_lot_puts_it_on_the_shelf_with_its_cost_and_an_audit_event(
    world, pharmacist_a, amoxicillin
):
    move = receive(pharmacist_a, world.location_a, amoxicillin, "100", lot="A1", unit_cost="0.35")

    assert move.kind == "receive"
    assert move.quantity == D("100")
    assert move.unit_cost == D("0.35")
    assert move.actor_id == pharmacist_a.pk
    assert _on_hand(world.location_a, amoxicillin) == D("100")
    [event] = AuditEvent.objects.filter(action="stock.receive")
    assert event.changes["movements"][0]["quantity"] == "100.000"
    assert event.location_id == world.location_a.pk
    assert ledger.verify(organization_id=world.org.pk) == []


@pytest.mark.parametrize("quantity", ["0", "-5", "abc", "1.0001"])
def test_a_receive_of_a_quantity_that_is_not_positive_is_invalid_and_moves_nothing(
    world, pharmacist_a, amoxicillin, quantity
):
    with pytest.raises(ValidationFailed) as raised:
        services.stock_receive(
            actor=pharmacist_a, location=world.location_a, product=amoxicillin,
            quantity=quantity, unit_cost="1", lot="A1", expires_on=dt.date(2099, 1, 1),
        )  # fmt: skip

    assert "quantity" in raised.value.fields
    assert StockMovement.objects.count() == 0
    assert StockBalance.objects.count() == 0


def test_a_lot_that_has_already_expired_cannot_be_received(world, pharmacist_a, amoxicillin):
    with pytest.raises(ValidationFailed) as raised:
        receive(pharmacist_a, world.location_a, amoxicillin, 10, expires_on=PAST)

    assert raised.value.fields == {"expires_on": ["This lot has already expired."]}
    assert StockMovement.objects.count() == 0


def test_medications_need_an_expiry_but_supplies_do_not(world, pharmacist_a, amoxicillin):
    gloves = ProductFactory(organization=world.org, name="Guantes", kind=Product.Kind.SUPPLY)

    with pytest.raises(ValidationFailed):
        receive(pharmacist_a, world.location_a, amoxicillin, 10, expires_on=None)
    receive(pharmacist_a, world.location_a, gloves, 50, lot="", expires_on=None)

    assert _on_hand(world.location_a, gloves) == D(50)


def test_a_service_has_no_stock(world, pharmacist_a):
    consult = ProductFactory(organization=world.org, name="Consulta", kind=Product.Kind.SERVICE)

    with pytest.raises(ValidationFailed) as raised:
        receive(pharmacist_a, world.location_a, consult, 1)

    assert raised.value.fields == {"product": ["A service has no stock."]}


def test_dispensing_takes_the_first_lot_to_expire(world, pharmacist_a, amoxicillin):
    receive(
        pharmacist_a, world.location_a, amoxicillin, 10, lot="LATE", expires_on=dt.date(2099, 6, 1)
    )
    receive(
        pharmacist_a, world.location_a, amoxicillin, 10, lot="SOON", expires_on=dt.date(2098, 1, 1)
    )

    [move] = services.stock_dispense(
        actor=pharmacist_a, location=world.location_a, product=amoxicillin, quantity="4"
    )

    assert move.lot.lot_number == "SOON"
    assert move.quantity == D(-4)
    assert _on_hand(world.location_a, amoxicillin, "SOON") == D(6)
    assert _on_hand(world.location_a, amoxicillin, "LATE") == D(10)


def test_dispensing_skips_expired_lots_and_spans_lots_when_one_is_not_enough(
    world, pharmacist_a, amoxicillin
):
    receive(
        pharmacist_a, world.location_a, amoxicillin, 5, lot="OLD", expires_on=dt.date(2097, 1, 1)
    )
    receive(
        pharmacist_a, world.location_a, amoxicillin, 3, lot="SOON", expires_on=dt.date(2098, 1, 1)
    )
    receive(
        pharmacist_a, world.location_a, amoxicillin, 10, lot="LATE", expires_on=dt.date(2099, 1, 1)
    )
    _expire(amoxicillin, "OLD")

    moves = services.stock_dispense(
        actor=pharmacist_a, location=world.location_a, product=amoxicillin, quantity="7.5"
    )

    assert [(m.lot.lot_number, m.quantity) for m in moves] == [
        ("SOON", D(-3)),
        ("LATE", D("-4.5")),
    ]
    assert _on_hand(world.location_a, amoxicillin, "OLD") == D(5)
    assert _on_hand(world.location_a, amoxicillin, "LATE") == D("5.5")


def test_an_expired_lot_named_explicitly_is_refused(world, pharmacist_a, amoxicillin):
    receive(pharmacist_a, world.location_a, amoxicillin, 5, lot="OLD")
    _expire(amoxicillin, "OLD")

    with pytest.raises(Conflict) as raised:
        services.stock_dispense(
            actor=pharmacist_a, location=world.location_a, product=amoxicillin, quantity=1,
            lot="OLD",
        )  # fmt: skip

    assert raised.value.code == "lot_expired"
    assert raised.value.extra == {"lot": "OLD", "expires_on": "2000-01-01"}
    assert _on_hand(world.location_a, amoxicillin) == D(5)


def test_dispensing_more_than_the_usable_stock_is_a_conflict_and_moves_nothing(
    world, pharmacist_a, amoxicillin
):
    receive(pharmacist_a, world.location_a, amoxicillin, 4, lot="A")
    receive(pharmacist_a, world.location_a, amoxicillin, 2, lot="OLD")
    _expire(amoxicillin, "OLD")
    before = StockMovement.objects.count()

    with pytest.raises(Conflict) as raised:
        services.stock_dispense(
            actor=pharmacist_a, location=world.location_a, product=amoxicillin, quantity=5
        )

    assert raised.value.code == "insufficient_stock"
    assert raised.value.extra == {"on_hand": "4", "requested": "5", "expired_on_hand": "2"}
    assert StockMovement.objects.count() == before
    assert _on_hand(world.location_a, amoxicillin) == D(6)


def test_an_adjustment_needs_a_reason_and_never_takes_stock_below_zero(
    world, pharmacist_a, amoxicillin
):
    receive(pharmacist_a, world.location_a, amoxicillin, 3, lot="A")

    with pytest.raises(ValidationFailed) as no_reason:
        services.stock_adjust(
            actor=pharmacist_a, location=world.location_a, product=amoxicillin, lot="A",
            quantity_delta="-1", reason=" ",
        )  # fmt: skip
    with pytest.raises(Conflict) as below_zero:
        services.stock_adjust(
            actor=pharmacist_a, location=world.location_a, product=amoxicillin, lot="A",
            quantity_delta="-4", reason="Broken blister",
        )  # fmt: skip
    move = services.stock_adjust(
        actor=pharmacist_a, location=world.location_a, product=amoxicillin, lot="A",
        quantity_delta="2", reason="Found in the back",
    )  # fmt: skip

    assert no_reason.value.fields == {"reason": ["Say why."]}
    assert below_zero.value.code == "insufficient_stock"
    assert below_zero.value.extra == {"on_hand": "3", "requested": "4", "lot": "A"}
    assert move.unit_cost == D("1.00")
    assert _on_hand(world.location_a, amoxicillin) == D(5)


def test_a_transfer_moves_both_legs_under_one_group_and_conserves_quantity(
    world, pharmacist_a, amoxicillin
):
    receive(pharmacist_a, world.location_a, amoxicillin, 10, lot="A", unit_cost="0.40")

    moves = services.stock_transfer(
        actor=pharmacist_a, from_location=world.location_a, to_location=world.location_b,
        product=amoxicillin, quantity=4, lot="A",
    )  # fmt: skip

    out, into = sorted(moves, key=lambda m: m.quantity)
    assert (out.kind, out.location_id, out.quantity) == ("transfer_out", world.location_a.pk, D(-4))
    assert (into.kind, into.location_id, into.quantity) == (
        "transfer_in",
        world.location_b.pk,
        D(4),
    )
    assert out.transfer_group == into.transfer_group is not None
    assert into.unit_cost == D("0.40")
    assert _on_hand(world.location_a, amoxicillin) == D(6)
    assert _on_hand(world.location_b, amoxicillin) == D(4)
    assert ledger.verify(organization_id=world.org.pk) == []


def test_a_transfer_to_the_same_location_or_beyond_the_stock_moves_nothing(
    world, pharmacist_a, amoxicillin
):
    receive(pharmacist_a, world.location_a, amoxicillin, 2, lot="A")

    with pytest.raises(ValidationFailed) as same:
        services.stock_transfer(
            actor=pharmacist_a, from_location=world.location_a, to_location=world.location_a,
            product=amoxicillin, quantity=1,
        )  # fmt: skip
    with pytest.raises(Conflict) as short:
        services.stock_transfer(
            actor=pharmacist_a, from_location=world.location_a, to_location=world.location_b,
            product=amoxicillin, quantity=3, lot="A",
        )  # fmt: skip
    with pytest.raises(NotFound):
        services.stock_transfer(
            actor=pharmacist_a, from_location=world.location_a,
            to_location=world.other_location, product=amoxicillin, quantity=1,
        )  # fmt: skip

    assert list(same.value.fields) == ["to_location"]
    assert short.value.code == "insufficient_stock"
    assert StockMovement.objects.exclude(kind="receive").count() == 0
    assert _on_hand(world.location_a, amoxicillin) == D(2)


def test_conservation_holds_after_a_mixed_sequence(world, pharmacist_a, amoxicillin):
    receive(pharmacist_a, world.location_a, amoxicillin, 20, lot="A")
    receive(
        pharmacist_a, world.location_a, amoxicillin, "7.5", lot="B", expires_on=dt.date(2098, 1, 1)
    )
    services.stock_dispense(
        actor=pharmacist_a, location=world.location_a, product=amoxicillin, quantity=9
    )
    services.stock_waste(
        actor=pharmacist_a, location=world.location_a, product=amoxicillin, quantity="0.5",
        lot="A", reason="Dropped",
    )  # fmt: skip
    services.stock_transfer(
        actor=pharmacist_a, from_location=world.location_a, to_location=world.location_b,
        product=amoxicillin, quantity=5,
    )  # fmt: skip
    services.stock_adjust(
        actor=pharmacist_a, location=world.location_a, product=amoxicillin, lot="A",
        quantity_delta=1, reason="Recount",
    )  # fmt: skip
    services.stock_return(
        actor=pharmacist_a, location=world.location_a, product=amoxicillin, quantity=1,
        lot="A", reason="Damaged box",
    )  # fmt: skip

    assert _on_hand(world.location_a, amoxicillin) == D("13")
    assert _on_hand(world.location_b, amoxicillin) == D("5")
    assert ledger.verify(organization_id=world.org.pk) == []
    StockBalance.objects.filter(location=world.location_b).update(on_hand=D(6))
    [broken] = ledger.verify(organization_id=world.org.pk)
    assert (broken.on_hand, broken.ledger_sum) == (D(6), D(5))


def test_the_database_refuses_a_negative_balance(world, pharmacist_a, amoxicillin):
    from django.db import IntegrityError, transaction

    receive(pharmacist_a, world.location_a, amoxicillin, 1)

    with pytest.raises(IntegrityError), transaction.atomic():
        StockBalance.objects.filter(location=world.location_a).update(on_hand=D(-1))


def test_a_count_corrects_the_variances_on_closing(world, pharmacist_a, amoxicillin):
    receive(pharmacist_a, world.location_a, amoxicillin, 10, lot="A")
    receive(pharmacist_a, world.location_a, amoxicillin, 5, lot="B")
    count = services.stock_count_start(actor=pharmacist_a, location=world.location_a)
    services.stock_count_enter(
        actor=pharmacist_a, count=count, product=amoxicillin, lot="A", counted_quantity="8"
    )
    services.stock_count_enter(
        actor=pharmacist_a, count=count, product=amoxicillin, lot="B", counted_quantity="5"
    )
    # A dispense during the count is kept: the correction is against the stock at closing.
    services.stock_dispense(
        actor=pharmacist_a, location=world.location_a, product=amoxicillin, quantity=1, lot="B"
    )

    moves = services.stock_count_close(actor=pharmacist_a, count=count)

    assert [(m.kind, m.lot.lot_number, m.quantity) for m in moves] == [
        ("count_correction", "A", D(-2)),
        ("count_correction", "B", D(1)),
    ]
    lines = {line.lot.lot_number: line for line in count.lines.select_related("lot")}
    assert (lines["A"].expected_quantity, lines["A"].variance) == (D(10), D(-2))
    assert (lines["B"].expected_quantity, lines["B"].variance) == (D(4), D(1))
    count.refresh_from_db()
    assert count.status == StockCount.Status.CLOSED
    assert _on_hand(world.location_a, amoxicillin) == D(13)
    with pytest.raises(Conflict):
        services.stock_count_close(actor=pharmacist_a, count=count)


def test_only_one_count_is_open_at_a_location(world, pharmacist_a):
    services.stock_count_start(actor=pharmacist_a, location=world.location_a)

    with pytest.raises(Conflict) as raised:
        services.stock_count_start(actor=pharmacist_a, location=world.location_a)

    assert raised.value.code == "count_open"


def test_a_purchase_order_goes_from_draft_to_sent_to_partially_received_to_received(
    world, pharmacist_a, amoxicillin
):
    supplier = services.supplier_create(
        actor=pharmacist_a, name="Distribuidora Vet Perú", tax_id="20512345678"
    )
    order = services.purchase_order_create(
        actor=pharmacist_a, location=world.location_a, supplier=supplier,
        lines=[services.LineSpec(amoxicillin, "100", "0.30")],
    )  # fmt: skip
    line = order.lines.get()
    assert (order.number, order.reference, order.status) == (1, "PO-000001", "draft")

    with pytest.raises(Conflict) as not_sent:
        services.stock_receive(
            actor=pharmacist_a, location=world.location_a, product=amoxicillin, quantity=10,
            unit_cost="0.30", lot="P1", expires_on=dt.date(2099, 1, 1), purchase_order_line=line,
        )  # fmt: skip
    services.purchase_order_send(actor=pharmacist_a, order=order)
    services.stock_receive(
        actor=pharmacist_a, location=world.location_a, product=amoxicillin, quantity=60,
        unit_cost="0.30", lot="P1", expires_on=dt.date(2099, 1, 1), purchase_order_line=line,
    )  # fmt: skip
    order.refresh_from_db()
    assert order.status == "partially_received"
    with pytest.raises(Conflict) as over:
        services.stock_receive(
            actor=pharmacist_a, location=world.location_a, product=amoxicillin, quantity=41,
            unit_cost="0.30", lot="P1", expires_on=dt.date(2099, 1, 1), purchase_order_line=line,
        )  # fmt: skip
    move = services.stock_receive(
        actor=pharmacist_a, location=world.location_a, product=amoxicillin, quantity=40,
        unit_cost="0.30", lot="P1", expires_on=dt.date(2099, 1, 1), purchase_order_line=line,
    )  # fmt: skip

    order.refresh_from_db()
    assert not_sent.value.code == "wrong_status"
    assert over.value.code == "over_receipt"
    assert order.status == "received"
    assert move.reference == "PO-000001"
    assert _on_hand(world.location_a, amoxicillin) == D(100)
    with pytest.raises(Conflict):
        services.purchase_order_cancel(actor=pharmacist_a, order=order)


def test_suggested_orders_take_the_reorder_quantity_from_the_usual_supplier(
    world, pharmacist_a, amoxicillin
):
    supplier = services.supplier_create(actor=pharmacist_a, name="Química Suiza")
    services.product_supplier_set(
        actor=pharmacist_a, product=amoxicillin, supplier=supplier, last_cost="0.32"
    )
    plenty = ProductFactory(organization=world.org, name="Meloxicam")
    receive(pharmacist_a, world.location_a, amoxicillin, 5)
    receive(pharmacist_a, world.location_a, plenty, 50)
    services.reorder_rule_set(
        actor=pharmacist_a, location=world.location_a, product=amoxicillin,
        reorder_level="20", reorder_quantity="200",
    )  # fmt: skip
    services.reorder_rule_set(
        actor=pharmacist_a, location=world.location_a, product=plenty, reorder_level="10"
    )

    [order] = services.purchase_orders_from_suggestions(
        actor=pharmacist_a, location=world.location_a
    )

    [line] = order.lines.all()
    assert (order.supplier, order.status) == (supplier, PurchaseOrder.Status.DRAFT)
    assert (line.product, line.quantity_ordered, line.unit_cost) == (amoxicillin, D(200), D("0.32"))


def test_fifo_valuation_values_what_is_left_at_the_newest_costs(world, pharmacist_a, amoxicillin):
    receive(
        pharmacist_a,
        world.location_a,
        amoxicillin,
        10,
        lot="A",
        unit_cost="2.00",
        expires_on=dt.date(2098, 1, 1),
    )
    receive(pharmacist_a, world.location_a, amoxicillin, 10, lot="B", unit_cost="3.00")
    receive(pharmacist_a, world.location_a, amoxicillin, 4, lot="C", unit_cost="3.50")
    services.stock_dispense(
        actor=pharmacist_a, location=world.location_a, product=amoxicillin, quantity=15
    )
    services.stock_waste(
        actor=pharmacist_a, location=world.location_a, product=amoxicillin, quantity=2,
        lot="B", reason="Expired",
    )  # fmt: skip

    value = fifo_valuation(location_ids=[world.location_a.pk])
    today = today_in("America/Lima")
    report = inventory_report(
        actor=_manager(world), date_from=today - dt.timedelta(days=1),
        date_to=today + dt.timedelta(days=1), location=world.location_a,
    )  # fmt: skip

    [(on_hand, stock_value)] = value.values()
    # 7 left: the newest layers are 4 at 3.50 and 3 of the 10 at 3.00.
    assert (on_hand, stock_value) == (D(7), D("23.0000"))
    [row] = report.products
    assert (row.dispensed, row.dispensed_cost) == (D(15), D("35.00"))
    assert (row.wasted, row.wasted_value) == (D(2), D("6.00"))
    assert row.stock_value == D("23.00")


def _manager(world):
    from vetrisys.accounts.tests.factories import make_staff

    return make_staff(location=world.location_a, role="manager", username="manager_report")


@pytest.mark.parametrize(
    ("name", "may_manage", "may_dispense"),
    [
        ("admin", True, True),
        ("manager_a", True, True),
        ("pharmacist_a", True, True),
        ("technician_a", True, True),
        ("vet_a", False, False),
        ("receptionist_a", False, False),
        ("cashier_a", False, False),
        ("vet_b", False, False),
    ],
)
def test_only_stock_keepers_receive_and_only_dispensers_dispense(
    world, everyone, amoxicillin, name, may_manage, may_dispense
):
    keeper = everyone["pharmacist_a"]
    receive(keeper, world.location_a, amoxicillin, 10)
    actor = everyone[name]
    before = StockMovement.objects.count()

    if may_manage:
        receive(actor, world.location_a, amoxicillin, 1, lot="X")
    else:
        with pytest.raises(NotAllowed):
            receive(actor, world.location_a, amoxicillin, 1, lot="X")
        assert StockMovement.objects.count() == before
    if may_dispense:
        services.stock_dispense(
            actor=actor, location=world.location_a, product=amoxicillin, quantity=1
        )
    else:
        count = StockMovement.objects.count()
        with pytest.raises(NotAllowed):
            services.stock_dispense(
                actor=actor, location=world.location_a, product=amoxicillin, quantity=1
            )
        assert StockMovement.objects.count() == count


def test_another_organization_cannot_touch_the_stock(world, everyone, amoxicillin):
    outsider = everyone["outsider"]

    with pytest.raises(NotFound):
        receive(outsider, world.location_a, amoxicillin, 1)
    with pytest.raises(NotFound):
        receive(outsider, world.other_location, amoxicillin, 1)

    assert StockMovement.objects.count() == 0


def test_movements_cannot_be_changed_on_postgresql(world, pharmacist_a, amoxicillin):
    from django.db import DatabaseError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    receive(pharmacist_a, world.location_a, amoxicillin, 1)

    with pytest.raises(DatabaseError), transaction.atomic():
        StockMovement.objects.update(quantity=D(2))
    with pytest.raises(DatabaseError), transaction.atomic():
        StockMovement.objects.all().delete()


def test_product_price_changes_need_the_price_right(world, pharmacist_a, manager_a, amoxicillin):
    services.product_update(actor=pharmacist_a, product=amoxicillin, name="Amoxicilina 250 mg tab")

    with pytest.raises(NotAllowed):
        services.product_update(actor=pharmacist_a, product=amoxicillin, sale_price="2.00")
    services.product_update(actor=manager_a, product=amoxicillin, sale_price="2.00", tax_rate="0")

    amoxicillin.refresh_from_db()
    assert (amoxicillin.name, amoxicillin.sale_price, amoxicillin.tax_rate) == (
        "Amoxicilina 250 mg tab", D("2.00"), D("0.00"),
    )  # fmt: skip


def test_barcodes_and_skus_are_unique_in_the_organization(world, manager_a, amoxicillin):
    with pytest.raises(Conflict) as raised:
        services.product_create(
            actor=manager_a, name="Otro", kind="medication", barcode="7750000000011"
        )

    assert raised.value.code == "barcode_taken"


def test_daily_alerts_are_raised_once_per_day(world, pharmacist_a, amoxicillin, settings):
    from vetrisys.inventory.models import StockAlert

    receive(
        pharmacist_a,
        world.location_a,
        amoxicillin,
        3,
        lot="SOON",
        expires_on=today_in("America/Lima") + dt.timedelta(days=10),
    )
    services.reorder_rule_set(
        actor=pharmacist_a, location=world.location_a, product=amoxicillin, reorder_level="5"
    )

    first = services.stock_alerts_raise(location=world.location_a)
    again = services.stock_alerts_raise(location=world.location_a)

    assert (first, again) == (2, 0)
    assert sorted(StockAlert.objects.values_list("kind", flat=True)) == ["expiring", "low_stock"]


def test_the_stock_verify_command_reports_conservation(world, pharmacist_a, amoxicillin):
    from io import StringIO

    from django.core.management import CommandError, call_command

    receive(pharmacist_a, world.location_a, amoxicillin, 4)
    out = StringIO()
    call_command("stock_verify", stdout=out)
    StockBalance.objects.update(on_hand=D(5))

    assert out.getvalue() == "stock conserved: 1 balances match the ledger\n"
    with pytest.raises(CommandError, match="1 balance"):
        call_command("stock_verify")
