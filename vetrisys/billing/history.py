"""Invoices in the patient's history (registered as a timeline source when the app loads)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.billing.models import Invoice
from vetrisys.patients import timeline

if TYPE_CHECKING:
    from vetrisys.patients.models import Patient


def _invoices(patient: Patient) -> QuerySet[Invoice]:
    return (
        Invoice.objects.filter(patient=patient)
        .exclude(status=Invoice.Status.DRAFT)
        .select_related("issued_by", "location")
    )


def _entry(row: Invoice) -> timeline.TimelineEntry:
    assert row.issued_at is not None  # drafts are filtered out
    issuer = row.issued_by
    return timeline.TimelineEntry(
        occurred_at=row.issued_at,
        kind="invoice",
        title=_("Invoice %(number)s") % {"number": row.full_number},
        detail=f"{row.currency} {row.total} · {row.get_status_display()}",
        actor_name=(issuer.get_full_name() or issuer.username) if issuer else "",
        object_id=str(row.pk),
        data={
            "number": row.full_number,
            "status": row.status,
            "total": str(row.total),
            "balance": str(row.balance),
            "location": row.location.name,
        },
    )


def register_timeline_source() -> None:
    """Add invoices to the patients' history (readers need billing.view)."""
    timeline.register(
        timeline.QuerySetSource(
            kind="invoice",
            rows=_invoices,
            date_field="issued_at",
            to_entry=_entry,
            capability=Capability.BILLING_VIEW,
        )
    )
