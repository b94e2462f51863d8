import uuid
from decimal import Decimal
from pathlib import Path

from django.test import Client as HttpClient
from django.urls import reverse

from vetrisys.billing import documents, selectors, services
from vetrisys.billing.models import Invoice

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


def _receipt_invoice(world, admin, cashier, owner, pet, consult, amoxicillin) -> Invoice:
    org = world.org
    org.legal_name = "Veterinaria Huellitas S.A.C."
    org.tax_id = "20601234567"
    org.save()
    world.location_a.address = "Av. Larco 345, Miraflores, Lima"
    world.location_a.save()
    services.charge_add(
        actor=admin, location=world.location_a, client=owner, patient=pet, product=consult,
        quantity=Decimal(1), source="test", source_id=uuid.uuid4(),
    )  # fmt: skip
    invoice = services.invoice_create(
        actor=cashier, location=world.location_a, client=owner, patient=pet,
        charges=list(selectors.pending_charges(actor=cashier, client=owner)),
        lines=[
            services.LineSpec(product=amoxicillin, quantity="14", discount_percent="10"),
            services.LineSpec(description="Baño medicado", quantity="1", unit_price="25.00",
                              tax_rate="0"),
        ],
    )  # fmt: skip
    invoice = services.invoice_issue(actor=cashier, invoice=invoice)
    services.payment_record(
        actor=cashier, invoice=invoice, amount="40.00", method="cash", cash_tendered="50.00"
    )
    services.payment_record(
        actor=cashier, invoice=invoice, amount="20.00", method="mobile_wallet",
        wallet_provider="yape", reference="OP-889911",
    )  # fmt: skip
    return Invoice.objects.get(pk=invoice.pk)


def test_the_receipt_pdf_is_a_pdf_with_the_clinic_and_the_figures(
    world, admin, cashier_a, owner, pet, consult, amoxicillin
):
    invoice = _receipt_invoice(world, admin, cashier_a, owner, pet, consult, amoxicillin)
    http = HttpClient()
    http.force_login(cashier_a)

    response = http.get(reverse("billing:receipt_pdf", args=[invoice.pk]))
    html = http.get(reverse("billing:receipt_print", args=[invoice.pk])).content.decode()

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert f'filename="receipt-{invoice.full_number}.pdf"' in response["Content-Disposition"]
    for text in ("Veterinaria Huellitas S.A.C.", "RUC 20601234567", invoice.full_number,
                 "Rosa Huamán", "Firulais", "Amoxicilina 250 mg", "Baño medicado",
                 "Mobile wallet (Yape)", "OP-889911"):  # fmt: skip
        assert text in html, text
    assert f"data-balance>S/ {invoice.balance:,.2f}<" in html


def test_the_receipt_is_written_in_the_client_language(
    world, admin, cashier_a, owner, pet, consult, amoxicillin
):
    invoice = _receipt_invoice(world, admin, cashier_a, owner, pet, consult, amoxicillin)
    context = documents.receipt_context(invoice)
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("es"):
        spanish = render_to_string("billing/receipt_pdf.html", context)
    with translation.override("en"):
        english = render_to_string("billing/receipt_pdf.html", context)

    assert "Paciente" in spanish
    assert "Patient" in english
    owner.language = "en"
    assert documents.client_language(owner) == "en"


def test_a_rendered_receipt_page_is_saved_for_a_look(
    world, admin, cashier_a, owner, pet, consult, amoxicillin
):
    invoice = _receipt_invoice(world, admin, cashier_a, owner, pet, consult, amoxicillin)

    pdf = documents.receipt_pdf(invoice)

    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "receipt.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF-")


def test_the_estimate_and_statement_pdfs_render(
    world, admin, cashier_a, owner, pet, consult, amoxicillin
):
    invoice = _receipt_invoice(world, admin, cashier_a, owner, pet, consult, amoxicillin)
    estimate = services.estimate_create(
        actor=cashier_a, location=world.location_a, client=owner, patient=pet,
        lines=[services.LineSpec(product=consult, quantity="2")],
    )  # fmt: skip
    http = HttpClient()
    http.force_login(cashier_a)

    estimate_pdf = http.get(reverse("billing:estimate_pdf", args=[estimate.pk]))
    statement_pdf = http.get(reverse("billing:statement_pdf", args=[owner.pk]))
    statement = http.get(reverse("billing:statement", args=[owner.pk])).content.decode()

    assert estimate_pdf.content.startswith(b"%PDF-")
    assert statement_pdf.content.startswith(b"%PDF-")
    assert invoice.full_number in statement
    assert f"data-balance>S/ {invoice.balance:,.2f}<" in statement
