import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vetrisys.audit.models import AuditEvent
from vetrisys.billing import services
from vetrisys.billing.models import Charge, Invoice, Payment
from vetrisys.patients.tests.factories import OwnerFactory


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _charge(world, actor, owner, pet, product, quantity="1") -> Charge:
    return services.charge_add(
        actor=actor, location=world.location_a, client=owner, patient=pet, product=product,
        quantity=Decimal(quantity), source="test", source_id=uuid.uuid4(),
    )  # fmt: skip


def _issued(world, actor, owner, pet, product, quantity="1") -> Invoice:
    invoice = services.invoice_create(
        actor=actor, location=world.location_a, client=owner, patient=pet,
        lines=[services.LineSpec(product=product, quantity=quantity)],
    )  # fmt: skip
    return services.invoice_issue(actor=actor, invoice=invoice)


CHECKOUT = {
    "patient": "", "document_type": "boleta", "discount_percent": "",
    "line-product": [""], "line-description": ["Baño medicado"], "line-quantity": ["1"],
    "line-unit_price": ["25.00"], "line-discount_percent": ["10"], "line-discount_amount": [""],
    "line-tax_rate": ["18"],
    "method": "cash", "amount": "50.00", "cash_tendered": "100.00", "reference": "",
}  # fmt: skip


def test_the_checkout_proposes_the_pending_charges_checked(
    world, cashier_a, admin, owner, pet, consult
):
    charge = _charge(world, admin, owner, pet, consult)

    page = _as(cashier_a).get(reverse("billing:checkout", args=[owner.pk])).content.decode()

    assert "Consulta general" in page
    assert f'value="{charge.pk}" id="charge-{charge.pk}" checked' in page


def test_a_checkout_issues_one_invoice_and_takes_a_partial_cash_payment(
    world, cashier_a, admin, owner, pet, consult
):
    charge = _charge(world, admin, owner, pet, consult)
    events_before = AuditEvent.objects.count()

    response = _as(cashier_a).post(
        reverse("billing:checkout", args=[owner.pk]),
        {**CHECKOUT, "charges": [str(charge.pk)], "patient": str(pet.pk)},
    )

    invoice = Invoice.objects.get()
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == reverse("billing:invoice", args=[invoice.pk])
    # 50.00 + 18 % = 59.00; 25.00 - 10 % = 22.50 + 4.05 = 26.55; total 85.55
    assert (invoice.subtotal, invoice.discount_total, invoice.tax_total, invoice.total) == (
        Decimal("75.00"), Decimal("2.50"), Decimal("13.05"), Decimal("85.55"),
    )  # fmt: skip
    assert invoice.status == Invoice.Status.PARTIALLY_PAID
    assert invoice.full_number == "B001-00000001"
    assert (invoice.paid_total, invoice.balance) == (Decimal("50.00"), Decimal("35.55"))
    payment = Payment.objects.get()
    assert (payment.method, payment.amount, payment.cash_tendered, payment.change_given) == (
        "cash", Decimal("50.00"), Decimal("100.00"), Decimal("50.00"),
    )  # fmt: skip
    assert payment.received_by == cashier_a
    charge.refresh_from_db()
    assert charge.status == Charge.Status.INVOICED
    actions = list(
        AuditEvent.objects.order_by("sequence")[events_before:].values_list("action", flat=True)
    )
    assert actions == ["invoice.create", "invoice.issue", "payment.record"]


def test_an_overpayment_is_refused_and_nothing_is_recorded(
    world, cashier_a, admin, owner, pet, consult
):
    charge = _charge(world, admin, owner, pet, consult)
    events_before = AuditEvent.objects.count()

    response = _as(cashier_a).post(
        reverse("billing:checkout", args=[owner.pk]),
        {**CHECKOUT, "charges": [str(charge.pk)], "amount": "100.00", "cash_tendered": ""},
    )

    assert response.status_code == 422
    assert "That is more than the balance of 85.55." in response.content.decode()
    assert Invoice.objects.count() == 0
    assert Payment.objects.count() == 0
    assert AuditEvent.objects.count() == events_before
    charge.refresh_from_db()
    assert charge.status == Charge.Status.PENDING


def test_an_overpayment_kept_as_credit_is_accepted(world, cashier_a, admin, owner, pet, consult):
    charge = _charge(world, admin, owner, pet, consult)

    response = _as(cashier_a).post(
        reverse("billing:checkout", args=[owner.pk]),
        {**CHECKOUT, "charges": [str(charge.pk)], "amount": "90.00", "cash_tendered": "",
         "keep_change_as_credit": "on"},
    )  # fmt: skip

    assert response.status_code == 302
    invoice = Invoice.objects.get()
    assert (invoice.status, invoice.balance) == (Invoice.Status.PAID, Decimal("0.00"))
    assert Payment.objects.get().kept_as_credit == Decimal("4.45")


def test_a_negative_quantity_is_refused_with_a_message(world, cashier_a, owner):
    response = _as(cashier_a).post(
        reverse("billing:checkout", args=[owner.pk]), {**CHECKOUT, "line-quantity": ["-1"]}
    )

    assert response.status_code == 422
    assert "Must be greater than zero." in response.content.decode()
    assert Invoice.objects.count() == 0


def test_the_totals_partial_is_computed_by_the_server(world, cashier_a, admin, owner, pet, consult):
    charge = _charge(world, admin, owner, pet, consult, quantity="2")

    response = _as(cashier_a).post(
        reverse("billing:checkout_totals", args=[owner.pk]),
        {**CHECKOUT, "charges": [str(charge.pk)], "amount": "100", "cash_tendered": "150"},
    )

    page = response.content.decode()
    assert "data-total>S/ 144.55<" in page  # 118.00 + 26.55
    assert "data-after-payment>S/ 44.55<" in page
    assert "data-change>S/ 50.00<" in page
    assert Invoice.objects.count() == 0


def test_a_scanned_barcode_becomes_a_line_at_the_location_price(world, cashier_a, amoxicillin):
    amoxicillin.barcode = "7750000000011"
    amoxicillin.save()

    row = _as(cashier_a).get(reverse("billing:checkout_line"), {"code": "7750000000011"})

    assert 'value="Amoxicilina 250 mg"' in row.content.decode()
    assert 'name="line-unit_price" value="1.50"' in row.content.decode()


@pytest.mark.parametrize(
    ("name", "status"),
    [("admin", 200), ("manager_a", 200), ("receptionist_a", 200), ("cashier_a", 200),
     ("vet_a", 403), ("pharmacist_a", 403), ("technician_a", 403), ("vet_b", 403),
     ("outsider", 404)],
)  # fmt: skip
def test_who_may_open_the_checkout(everyone, owner, name, status):
    response = _as(everyone[name]).get(reverse("billing:checkout", args=[owner.pk]))

    assert response.status_code == status


@pytest.mark.parametrize(
    ("name", "status"),
    [("admin", 200), ("manager_a", 200), ("receptionist_a", 200), ("cashier_a", 200),
     ("vet_a", 200), ("pharmacist_a", 404), ("technician_a", 404), ("vet_b", 404),
     ("outsider", 404)],
)  # fmt: skip
def test_who_may_see_an_invoice_and_its_receipt(world, everyone, owner, pet, consult, name, status):
    invoice = _issued(world, everyone["admin"], owner, pet, consult)
    http = _as(everyone[name])

    assert http.get(reverse("billing:invoice", args=[invoice.pk])).status_code == status
    assert http.get(reverse("billing:receipt_print", args=[invoice.pk])).status_code == status


def test_a_cashier_cannot_void_and_nothing_changes(world, cashier_a, admin, owner, pet, consult):
    invoice = _issued(world, admin, owner, pet, consult)

    response = _as(cashier_a).post(
        reverse("billing:invoice_void", args=[invoice.pk]), {"reason": "error"}
    )

    assert response.status_code == 403
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.ISSUED


def test_a_manager_voids_with_a_reason(world, manager_a, admin, owner, pet, consult):
    invoice = _issued(world, admin, owner, pet, consult)

    response = _as(manager_a).post(
        reverse("billing:invoice_void", args=[invoice.pk]), {"reason": "Cliente equivocado"}
    )

    assert response.status_code == 302
    invoice.refresh_from_db()
    assert (invoice.status, invoice.void_reason) == (Invoice.Status.VOID, "Cliente equivocado")


def test_paying_the_rest_on_the_invoice_page_marks_it_paid(
    world, cashier_a, admin, owner, pet, consult
):
    invoice = _issued(world, admin, owner, pet, consult)
    http = _as(cashier_a)

    http.post(reverse("billing:invoice_pay", args=[invoice.pk]), {"method": "cash", "amount": "20"})
    http.post(
        reverse("billing:invoice_pay", args=[invoice.pk]),
        {"method": "mobile_wallet", "wallet_provider": "yape", "amount": "39.00",
         "reference": "OP-123"},
    )  # fmt: skip
    page = http.get(reverse("billing:invoice", args=[invoice.pk])).content.decode()

    invoice.refresh_from_db()
    assert (invoice.status, invoice.balance) == (Invoice.Status.PAID, Decimal("0.00"))
    assert "Mobile wallet (Yape)" in page
    assert "OP-123" in page


def test_the_invoice_page_speaks_english_or_spanish(world, cashier_a, admin, owner, pet, consult):
    invoice = _issued(world, admin, owner, pet, consult)
    url = reverse("billing:invoice", args=[invoice.pk])

    cashier_a.language = "en"
    cashier_a.save()
    english = _as(cashier_a).get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    cashier_a.language = "es"
    cashier_a.save()
    spanish = _as(cashier_a).get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "Balance" in english
    assert "Saldo" in spanish
    assert "Balance</th>" not in spanish


def _grow(world, admin, n: int, start: int, consult) -> None:
    for i in range(start, start + n):
        owner = OwnerFactory(organization=world.org, first_name=f"Dueño {i}")
        invoice = services.invoice_create(
            actor=admin, location=world.location_a, client=owner,
            lines=[services.LineSpec(product=consult)],
        )  # fmt: skip
        invoice = services.invoice_issue(actor=admin, invoice=invoice)
        services.estimate_create(
            actor=admin, location=world.location_a, client=owner,
            lines=[services.LineSpec(product=consult)],
        )  # fmt: skip


def _count(http, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert http.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "page", ["billing:invoices", "billing:estimates", "billing:receivables", "billing:prices",
             "billing:plans"],
)  # fmt: skip
def test_list_pages_take_the_same_number_of_queries_for_3_and_10_rows(
    world, admin, manager_a, consult, page
):
    http = _as(manager_a)
    _grow(world, admin, 3, 0, consult)
    few = _count(http, reverse(page))
    _grow(world, admin, 7, 3, consult)
    page_html = http.get(reverse(page)).content.decode()

    assert _count(http, reverse(page)) == few
    if page != "billing:plans":
        assert "Dueño 9" in page_html or "Consulta general" in page_html


def test_invoices_are_filtered_by_status(world, admin, manager_a, owner, pet, consult):
    issued = _issued(world, admin, owner, pet, consult)
    draft = services.invoice_create(
        actor=admin, location=world.location_a, client=owner,
        lines=[services.LineSpec(product=consult)],
    )  # fmt: skip

    page = _as(manager_a).get(reverse("billing:invoices"), {"status": "issued"}).content.decode()

    assert reverse("billing:invoice", args=[issued.pk]) in page
    assert reverse("billing:invoice", args=[draft.pk]) not in page


def test_an_invoice_of_another_organization_is_not_found(
    world, outsider, admin, owner, pet, consult
):
    invoice = _issued(world, admin, owner, pet, consult)
    http = _as(outsider)

    assert http.get(reverse("billing:receipt_pdf", args=[invoice.pk])).status_code == 404
    assert (
        http.post(
            reverse("billing:invoice_pay", args=[invoice.pk]), {"method": "cash", "amount": "1"}
        ).status_code
        == 404
    )
    assert Payment.objects.count() == 0
