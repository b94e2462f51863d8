import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vetrisys.core.timeutil import today_in
from vetrisys.inventory import services
from vetrisys.inventory.models import StockBalance
from vetrisys.inventory.tests.factories import ProductFactory, receive


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def test_a_scanned_barcode_opens_the_receive_form_and_receiving_shows_on_hand(
    world, pharmacist_a, amoxicillin
):
    http = _as(pharmacist_a)

    scanned = http.get(reverse("inventory:receive"), {"code": "7750000000011"})
    posted = http.post(reverse("inventory:receive"), {
        "product": str(amoxicillin.pk), "lot": "R1", "expires_on": "2099-05-31",
        "quantity": "30", "unit_cost": "0.40", "supplier": "",
    })  # fmt: skip
    stock = http.get(reverse("inventory:stock"))

    assert scanned.status_code == 200
    assert "Amoxicilina 250 mg" in scanned.content.decode()
    assert posted.status_code == 302, posted.content.decode()
    assert StockBalance.objects.get(location=world.location_a).on_hand == Decimal(30)
    assert "R1" in stock.content.decode()


def test_dispensing_more_than_on_hand_shows_the_conflict_and_moves_nothing(
    world, pharmacist_a, amoxicillin
):
    receive(pharmacist_a, world.location_a, amoxicillin, 2)

    response = _as(pharmacist_a).post(reverse("inventory:move"), {
        "product": str(amoxicillin.pk), "action": "dispense", "quantity": "3",
    })  # fmt: skip

    assert response.status_code == 200
    assert "Not enough stock: 2 on hand, 3 requested." in response.content.decode()
    assert StockBalance.objects.get().on_hand == Decimal(2)


@pytest.mark.parametrize("name", ["receptionist_a", "cashier_a"])
def test_people_without_stock_rights_are_refused_the_stock_screens(everyone, name):
    http = _as(everyone[name])

    assert http.get(reverse("inventory:stock")).status_code == 403
    assert http.get(reverse("inventory:receive")).status_code == 403


def test_a_technician_sees_stock_and_receives_it(technician_a):
    http = _as(technician_a)

    assert http.get(reverse("inventory:stock")).status_code == 200
    assert http.get(reverse("inventory:receive")).status_code == 200


def test_a_vet_sees_stock_but_does_not_receive_it(vet_a):
    http = _as(vet_a)

    assert http.get(reverse("inventory:stock")).status_code == 200
    assert http.get(reverse("inventory:receive")).status_code == 403


def test_the_dashboard_shows_low_and_expiring_stock(world, pharmacist_a, amoxicillin):
    receive(
        pharmacist_a,
        world.location_a,
        amoxicillin,
        3,
        lot="SOON",
        expires_on=today_in("America/Lima") + dt.timedelta(days=5),
    )
    services.reorder_rule_set(
        actor=pharmacist_a, location=world.location_a, product=amoxicillin, reorder_level=10
    )

    page = _as(pharmacist_a).get(reverse("dashboard")).content.decode()

    assert "data-stock-card" in page
    assert "Amoxicilina 250 mg · 3 / 10" in page


def test_the_printable_order_lists_its_lines(world, pharmacist_a, amoxicillin):
    supplier = services.supplier_create(actor=pharmacist_a, name="Química Suiza")
    order = services.purchase_order_create(
        actor=pharmacist_a, location=world.location_a, supplier=supplier,
        lines=[services.LineSpec(amoxicillin, 100, "0.30")],
    )  # fmt: skip

    page = _as(pharmacist_a).get(reverse("inventory:order_print", args=[order.pk]))

    assert page.status_code == 200
    assert "PO-000001" in page.content.decode()


PAGES = ["inventory:stock", "inventory:products", "inventory:orders", "inventory:counts",
         "inventory:alerts"]  # fmt: skip


def _grow(world, keeper, n: int, start: int) -> None:
    supplier = services.supplier_create(actor=keeper, name=f"Proveedor {start}")
    for i in range(start, start + n):
        product = ProductFactory(organization=world.org, name=f"Prod {i:03d}")
        receive(
            keeper,
            world.location_a,
            product,
            2,
            lot=f"L{i}",
            expires_on=today_in("America/Lima") + dt.timedelta(days=10),
        )
        services.reorder_rule_set(
            actor=keeper, location=world.location_a, product=product, reorder_level=5
        )
        services.purchase_order_create(
            actor=keeper, location=world.location_a, supplier=supplier,
            lines=[services.LineSpec(product, 1, 1)],
        )  # fmt: skip
        count = services.stock_count_start(actor=keeper, location=world.location_a)
        services.stock_count_cancel(actor=keeper, count=count)
    services.stock_alerts_raise(location=world.location_a)


@pytest.mark.parametrize("page", PAGES)
def test_pages_take_the_same_queries_for_3_and_10_rows(world, pharmacist_a, page):
    http = _as(pharmacist_a)
    _grow(world, pharmacist_a, 3, 0)
    http.get(reverse(page))
    with CaptureQueriesContext(connection) as small:
        assert http.get(reverse(page)).status_code == 200
    _grow(world, pharmacist_a, 7, 100)
    with CaptureQueriesContext(connection) as large:
        assert http.get(reverse(page)).status_code == 200

    assert len(small.captured_queries) == len(large.captured_queries)
