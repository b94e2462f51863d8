"""Payment plans: an invoice's balance split into scheduled installments."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.audit.services import record
from vetrisys.billing.models import Installment, Invoice, PaymentPlan
from vetrisys.billing.services.common import check_location
from vetrisys.billing.services.invoices import lock_invoice
from vetrisys.core.errors import Conflict, ValidationFailed
from vetrisys.core.money import CURRENCY_PLACES

MAX_INSTALLMENTS = 36


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def split(balance: Decimal, count: int, currency: str) -> list[Decimal]:
    """`count` amounts summing exactly to `balance`; the last one absorbs the rounding."""
    unit = Decimal(1).scaleb(-CURRENCY_PLACES.get(currency, 2))
    part = (balance / count).quantize(unit, rounding=ROUND_DOWN)
    return [part] * (count - 1) + [balance - part * (count - 1)]


@transaction.atomic
def payment_plan_create(
    *, actor: Any, invoice: Invoice, installments: int, first_due_on: dt.date
) -> PaymentPlan:
    """Split the invoice's balance into monthly installments from `first_due_on`."""
    check_location(actor, invoice.location, Capability.BILLING_PAYMENTS)
    if not isinstance(installments, int) or not 1 <= installments <= MAX_INSTALLMENTS:
        raise ValidationFailed.for_field(
            "installments", _("Between 1 and %(max)s installments.") % {"max": MAX_INSTALLMENTS}
        )
    invoice = lock_invoice(invoice)
    if invoice.status not in (Invoice.Status.ISSUED, Invoice.Status.PARTIALLY_PAID):
        raise Conflict(
            _("Only an issued invoice with a balance can be paid in installments."),
            code="wrong_status",
            status=invoice.status,
        )
    if invoice.payment_plans.filter(status=PaymentPlan.Status.ACTIVE).exists():
        raise Conflict(_("This invoice already has a payment plan."), code="plan_exists")
    amounts = split(invoice.balance, installments, invoice.currency)
    if any(a <= 0 for a in amounts):
        raise ValidationFailed.for_field(
            "installments", _("Too many installments for this balance.")
        )
    plan = PaymentPlan.objects.create(
        organization_id=invoice.organization_id,
        location_id=invoice.location_id,
        invoice=invoice,
        client_id=invoice.client_id,
        amount=invoice.balance,
        settled_before=invoice.paid_total + invoice.credited_total,
        created_by=actor,
    )
    cumulative = Decimal("0.00")
    rows = []
    for index, amount in enumerate(amounts):
        cumulative += amount
        rows.append(
            Installment(
                plan=plan,
                sequence=index + 1,
                due_on=add_months(first_due_on, index),
                amount=amount,
                cumulative_amount=cumulative,
            )
        )
    Installment.objects.bulk_create(rows)
    record(
        actor=actor,
        action="payment_plan.create",
        target=plan,
        location=invoice.location_id,
        changes={
            "invoice": invoice.full_number,
            "amount": plan.amount,
            "installments": [{"due_on": r.due_on, "amount": r.amount} for r in rows],
        },
    )
    return plan
