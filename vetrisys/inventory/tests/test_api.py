import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client as HttpClient

from vetrisys.accounts.models import User
from vetrisys.core.timeutil import today_in
from vetrisys.inventory import services
from vetrisys.inventory.models import StockBalance, StockMovement
from vetrisys.inventory.tests.factories import ProductFactory, receive

API = "/api/v1"


def _as(user: User | None) -> HttpClient:
    http = HttpClient()
    if user is not None:
        http.force_login(user)
    return http


def _post(http: HttpClient, path: str, body: dict[str, Any]) -> Any:
    return http.post(f"{API}{path}", json.dumps(body, default=str), content_type="application/json")


def _patch(http: HttpClient, path: str, body: dict[str, Any]) -> Any:
    return http.patch(
        f"{API}{path}", json.dumps(body, default=str), content_type="application/json"
    )


def _receive_body(world, product, **changes: Any) -> dict[str, Any]:
    body = {
        "location": str(world.location_a.pk), "product": str(product.pk), "lot": "L-77",
        "expires_on": "2099-12-31", "quantity": "10", "unit_cost": "0.50",
    }  # fmt: skip
    return {**body, **changes}


def test_a_product_is_created_and_listed_with_its_price_and_tax(manager_a):
    http = _as(manager_a)

    created = _post(http, "/products", {
        "name": "Meloxicam 1.5 mg/mL", "kind": "medication", "unit": "ml", "sku": "MLX-15",
        "barcode": "7750000000028", "price": "45.00", "tax_rate": "18.00", "pack_size": "10",
    })  # fmt: skip
    listed = http.get(f"{API}/products", {"q": "melox"})

    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["price"], body["tax_rate"], body["pack_size"]) == ("45.00", "18.00", "10.000")
    assert listed.json()["count"] == 1
    assert listed.json()["items"][0]["sku"] == "MLX-15"


def test_patching_the_reorder_level_applies_at_the_callers_location(
    world, pharmacist_a, amoxicillin
):
    response = _patch(_as(pharmacist_a), f"/products/{amoxicillin.pk}", {"reorder_level": "30"})

    assert response.status_code == 200, response.content
    rule = amoxicillin.reorder_rules.get()
    assert (rule.location, rule.reorder_level, rule.reorder_quantity) == (
        world.location_a, Decimal(30), Decimal(30),
    )  # fmt: skip


def test_receive_then_dispense_through_the_api(world, pharmacist_a, amoxicillin):
    http = _as(pharmacist_a)

    received = _post(http, "/stock/receive", _receive_body(world, amoxicillin))
    dispensed = _post(http, "/stock/dispense", {
        "location": str(world.location_a.pk), "product": str(amoxicillin.pk), "quantity": "3",
    })  # fmt: skip
    stock = http.get(f"{API}/stock", {"location": str(world.location_a.pk)})

    assert received.status_code == 201, received.content
    assert dispensed.status_code == 201, dispensed.content
    [move] = dispensed.json()["movements"]
    assert (move["kind"], move["lot"], move["quantity"]) == ("dispense", "L-77", "-3.000")
    assert stock.json() == {
        "items": [{
            "location": str(world.location_a.pk),
            "product": {"id": str(amoxicillin.pk), "name": "Amoxicilina 250 mg", "unit": "tablet"},
            "lot": "L-77", "expires_on": "2099-12-31", "on_hand": "7.000",
        }],
        "count": 1,
    }  # fmt: skip


def test_dispensing_too_much_answers_409_with_the_stock_on_hand(world, pharmacist_a, amoxicillin):
    receive(pharmacist_a, world.location_a, amoxicillin, 2)

    response = _post(_as(pharmacist_a), "/stock/dispense", {
        "location": str(world.location_a.pk), "product": str(amoxicillin.pk), "quantity": "5",
    })  # fmt: skip

    assert response.status_code == 409
    assert response.json() == {
        "message": "Not enough stock: 2 on hand, 5 requested.",
        "code": "insufficient_stock",
        "extra": {"on_hand": "2", "requested": "5", "expired_on_hand": "0"},
    }
    assert StockMovement.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"quantity": "-1"}, "quantity"), ({"expires_on": "2001-01-01"}, "expires_on")],
)
def test_bad_receives_answer_422_with_the_field(world, pharmacist_a, amoxicillin, changes, field):
    response = _post(
        _as(pharmacist_a), "/stock/receive", _receive_body(world, amoxicillin, **changes)
    )

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert list(response.json()["extra"]["fields"]) == [field]
    assert StockMovement.objects.count() == 0


def test_a_transfer_to_the_same_location_answers_422(world, pharmacist_a, amoxicillin):
    receive(pharmacist_a, world.location_a, amoxicillin, 2)

    response = _post(_as(pharmacist_a), "/stock/transfer", {
        "from_location": str(world.location_a.pk), "to_location": str(world.location_a.pk),
        "product": str(amoxicillin.pk), "quantity": "1",
    })  # fmt: skip

    assert response.status_code == 422
    assert list(response.json()["extra"]["fields"]) == ["to_location"]


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("admin", 201), ("manager_a", 201), ("pharmacist_a", 201), ("technician_a", 201),
        ("vet_a", 403), ("receptionist_a", 403), ("cashier_a", 403), ("vet_b", 404),
        ("outsider", 404),
    ],
)  # fmt: skip
def test_who_may_receive_stock(world, everyone, amoxicillin, name, status):
    response = _post(_as(everyone[name]), "/stock/receive", _receive_body(world, amoxicillin))

    assert response.status_code == status, response.content
    assert StockBalance.objects.count() == (1 if status == 201 else 0)


def test_nobody_signed_out_sees_the_stock(world):
    response = _as(None).get(f"{API}/stock", {"location": str(world.location_a.pk)})

    assert response.status_code == 401


def _stock_rows(world, pharmacist_a, n: int) -> None:
    for i in range(n):
        product = ProductFactory(organization=world.org, name=f"Prod {i:02d}")
        receive(pharmacist_a, world.location_a, product, 5, lot=f"L{i}")


@pytest.mark.parametrize(
    "path",
    ["/products", "/stock", "/stock/movements", "/suppliers", "/purchase-orders", "/stock-counts"],
)
def test_list_endpoints_take_the_same_queries_for_3_and_10_rows(
    world, pharmacist_a, django_assert_num_queries, path
):
    http = _as(pharmacist_a)
    params = {"location": str(world.location_a.pk)}
    supplier_number = [0]

    def grow(n: int) -> None:
        _stock_rows(world, pharmacist_a, n)
        for _ in range(n):
            supplier_number[0] += 1
            supplier = services.supplier_create(actor=pharmacist_a, name=f"S{supplier_number[0]}")
            product = ProductFactory(organization=world.org)
            services.purchase_order_create(
                actor=pharmacist_a, location=world.location_a, supplier=supplier,
                lines=[services.LineSpec(product, 1, 1)],
            )  # fmt: skip
        for _ in range(n):
            count = services.stock_count_start(actor=pharmacist_a, location=world.location_a)
            services.stock_count_cancel(actor=pharmacist_a, count=count)

    grow(3)
    http.get(f"{API}{path}", params)
    pharmacist_a = User.objects.get(pk=pharmacist_a.pk)
    import django.db

    with django.db.connection.cursor():
        pass
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(django.db.connection) as small:
        first = http.get(f"{API}{path}", params)
    grow(7)
    with CaptureQueriesContext(django.db.connection) as large:
        second = http.get(f"{API}{path}", params)

    assert first.status_code == second.status_code == 200
    assert second.json()["count"] >= 10
    assert len(small.captured_queries) == len(large.captured_queries)


def test_the_inventory_report_gives_usage_and_value(world, manager_a, pharmacist_a, amoxicillin):
    receive(pharmacist_a, world.location_a, amoxicillin, 10, unit_cost="2.00")
    services.stock_dispense(
        actor=pharmacist_a, location=world.location_a, product=amoxicillin, quantity=4
    )
    today = today_in("America/Lima")

    response = _as(manager_a).get(f"{API}/reports/inventory", {
        "date_from": str(today - dt.timedelta(days=1)),
        "date_to": str(today + dt.timedelta(days=1)),
        "location": str(world.location_a.pk),
    })  # fmt: skip

    assert response.status_code == 200, response.content
    body = response.json()
    [row] = body["products"]
    assert (row["dispensed"], row["dispensed_cost"], row["stock_value"]) == ("4", "8.00", "12.00")
    assert body["stock_value"] == "12.00"
