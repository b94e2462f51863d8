"""The day close: a cashier's expected amounts per method against what they counted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.audit.services import record
from vetrisys.billing.models import CreditNote, DayClose, DayCloseLine, Payment, PaymentMethod
from vetrisys.billing.services.common import check_location, decimal, raise_if
from vetrisys.core.errors import Conflict, NotFound
from vetrisys.core.timeutil import local_day_bounds, now

TILL_METHODS = [m for m in PaymentMethod.values if m != PaymentMethod.CREDIT]


def expected_amounts(location: Any, cashier: Any, day: dt.date) -> dict[str, Decimal]:
    """What the cashier took in per method on the location's local day, less refunds."""
    start, end = local_day_bounds(day, location.time_zone)
    expected = dict.fromkeys(TILL_METHODS, Decimal("0.00"))
    for row in (
        Payment.objects.filter(
            location=location, received_by=cashier, received_at__gte=start, received_at__lt=end
        )
        .exclude(method=PaymentMethod.CREDIT)
        .values("method")
        .annotate(total=Sum("amount"))
    ):
        expected[row["method"]] += row["total"]
    for refund in (
        CreditNote.objects.filter(
            location=location, issued_by=cashier, issued_at__gte=start, issued_at__lt=end
        )
        .exclude(refund_method="")
        .values("refund_method")
        .annotate(total=Sum("refunded_amount"))
    ):
        expected[refund["refund_method"]] -= refund["total"]
    # SQLite sums decimals as floating point: bring every figure back to cents.
    return {method: amount.quantize(Decimal("0.01")) for method, amount in expected.items()}


@transaction.atomic
def day_close_create(
    *,
    actor: Any,
    location: Any,
    business_date: dt.date,
    counted: dict[str, Any],
    cashier: Any = None,
    notes: str = "",
) -> DayClose:
    """Close a cashier's day at a location (once): the differences are stored and audited."""
    check_location(actor, location, Capability.BILLING_DAY_CLOSE)
    cashier = cashier or actor
    if cashier.organization_id != actor.organization_id:
        raise NotFound(_("Cashier not found."))
    errors: dict[str, list[str]] = {}
    unknown = set(counted) - set(TILL_METHODS)
    for name in sorted(unknown):
        errors[f"counted.{name}"] = [_("Not a payment method of the till.")]
    amounts = {
        method: decimal(counted.get(method, 0), f"counted.{method}", errors, places=2)
        for method in TILL_METHODS
    }
    raise_if(errors)
    if DayClose.objects.filter(
        location=location, cashier=cashier, business_date=business_date
    ).exists():
        raise Conflict(_("This day is already closed."), code="day_closed")
    expected = expected_amounts(location, cashier, business_date)
    lines = [
        DayCloseLine(
            method=method,
            expected=expected[method],
            counted=amounts[method],
            difference=amounts[method] - expected[method],
        )
        for method in TILL_METHODS
        if expected[method] or amounts[method]
    ]
    try:
        with transaction.atomic():
            close = DayClose.objects.create(
                organization_id=actor.organization_id,
                location=location,
                cashier=cashier,
                business_date=business_date,
                expected_total=sum((line.expected for line in lines), Decimal("0.00")),
                counted_total=sum((line.counted for line in lines), Decimal("0.00")),
                difference_total=sum((line.difference for line in lines), Decimal("0.00")),
                notes=(notes or "").strip()[:300],
                closed_by=actor,
                closed_at=now(),
            )
    except IntegrityError:
        raise Conflict(_("This day is already closed."), code="day_closed") from None
    for line in lines:
        line.day_close = close
    DayCloseLine.objects.bulk_create(lines)
    record(
        actor=actor,
        action="day_close.create",
        target=close,
        location=location,
        changes={
            "cashier": cashier.pk,
            "business_date": business_date,
            "lines": {
                line.method: {
                    "expected": line.expected,
                    "counted": line.counted,
                    "difference": line.difference,
                }
                for line in lines
            },
        },
    )
    return close
