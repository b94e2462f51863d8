"""Payments against issued invoices, and the client credit ledger they may draw on."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.audit.services import record
from vetrisys.billing.models import ClientCreditEntry, Invoice, Payment, PaymentMethod
from vetrisys.billing.services.common import (
    check_location,
    client_balance_add,
    decimal,
    locked,
    raise_if,
)
from vetrisys.billing.services.invoices import lock_invoice, refresh_status
from vetrisys.billing.services.revenue import shares_payment
from vetrisys.clients.models import Client
from vetrisys.core.errors import Conflict
from vetrisys.core.timeutil import now

PAYABLE = {Invoice.Status.ISSUED, Invoice.Status.PARTIALLY_PAID}


def credit_balance(client: Any) -> Decimal:
    """The client's credit: the sum of their credit ledger."""
    total: Decimal | None = ClientCreditEntry.objects.filter(client=client).aggregate(
        total=Sum("amount")
    )["total"]
    return total if total is not None else Decimal("0.00")


@transaction.atomic
def payment_record(
    *,
    actor: Any,
    invoice: Invoice,
    amount: Any,
    method: str,
    reference: str = "",
    wallet_provider: str = "",
    cash_tendered: Any = None,
    keep_as_credit: bool = False,
    received_at: dt.datetime | None = None,
) -> Payment:
    """Take money against an issued invoice. More than the balance is refused (409
    `overpayment`) unless the excess is kept as the client's credit."""
    check_location(actor, invoice.location, Capability.BILLING_PAYMENTS)
    errors: dict[str, list[str]] = {}
    money = decimal(amount, "amount", errors, places=2, positive=True)
    if method not in PaymentMethod.values:
        errors["method"] = [_("Choose a payment method.")]
    provider = (wallet_provider or "").strip().lower()
    if provider and (
        method != PaymentMethod.MOBILE_WALLET or provider not in Payment.WalletProvider.values
    ):
        errors["wallet_provider"] = [_("Yape or Plin, for a mobile wallet payment.")]
    tendered: Decimal | None = None
    if cash_tendered not in (None, ""):
        tendered = decimal(cash_tendered, "cash_tendered", errors, places=2)
        if method != PaymentMethod.CASH:
            errors["cash_tendered"] = [_("Only cash is tendered.")]
        elif money and tendered < money:
            errors["cash_tendered"] = [_("Less cash than the amount paid.")]
    text = (reference or "").strip()
    if len(text) > 100:
        errors["reference"] = [_("100 characters at most.")]
    raise_if(errors)
    invoice = lock_invoice(invoice)
    if invoice.status not in PAYABLE:
        raise Conflict(
            _("Only an issued invoice with a balance can be paid."),
            code="invoice_not_payable",
            status=invoice.status,
        )
    excess = max(money - invoice.balance, Decimal("0.00"))
    if excess and (not keep_as_credit or method == PaymentMethod.CREDIT):
        raise Conflict(
            _("That is more than the balance of %(balance)s.") % {"balance": invoice.balance},
            code="overpayment",
            balance=str(invoice.balance),
        )
    if method == PaymentMethod.CREDIT:
        locked(Client.objects.filter(pk=invoice.client_id)).get()
        available = credit_balance(invoice.client_id)
        if available < money:
            raise Conflict(
                _("The owner has only %(credit)s of credit.") % {"credit": available},
                code="insufficient_credit",
                credit=str(available),
            )
    applied = money - excess
    payment = Payment.objects.create(
        organization_id=invoice.organization_id,
        location_id=invoice.location_id,
        invoice=invoice,
        client_id=invoice.client_id,
        amount=money,
        method=method,
        wallet_provider=provider,
        reference=text,
        cash_tendered=tendered,
        change_given=(tendered - money) if tendered is not None else Decimal("0.00"),
        kept_as_credit=excess,
        received_at=received_at or now(),
        received_by=actor,
    )
    if method == PaymentMethod.CREDIT:
        ClientCreditEntry.objects.create(
            organization_id=invoice.organization_id,
            client_id=invoice.client_id,
            kind=ClientCreditEntry.Kind.SPENT,
            amount=-money,
            payment=payment,
            created_by=actor,
        )
    if excess:
        ClientCreditEntry.objects.create(
            organization_id=invoice.organization_id,
            client_id=invoice.client_id,
            kind=ClientCreditEntry.Kind.OVERPAYMENT,
            amount=excess,
            payment=payment,
            created_by=actor,
        )
    shares_payment(invoice, payment)
    previous = invoice.status
    invoice.paid_total += applied
    refresh_status(invoice)
    invoice.bump_version()
    invoice.save()
    client_balance_add(invoice.client_id, -applied)
    record(
        actor=actor,
        action="payment.record",
        target=payment,
        location=invoice.location_id,
        changes={
            "invoice": invoice.full_number,
            "amount": money,
            "method": method,
            "wallet_provider": provider,
            "reference": text,
            "change_given": payment.change_given,
            "kept_as_credit": excess,
            "status": [previous, invoice.status],
            "balance": invoice.balance,
        },
    )
    return payment
