"""What pharmacy adds to other apps' registries: the patient's history and the visit page."""

from __future__ import annotations

from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.patients import timeline
from vetrisys.patients.timeline import TimelineEntry
from vetrisys.pharmacy.models import Prescription


def _entry(row: Prescription) -> TimelineEntry:
    return TimelineEntry(
        occurred_at=row.prescribed_at,
        kind="prescription",
        title=_("Prescription: %(product)s") % {"product": row.product.name},
        detail=f"{row.dose} · {row.get_route_display()} · {row.frequency}",
        actor_name=str(getattr(row.prescriber, "display_name", "") or ""),
        object_id=str(row.pk),
        data={"visit": str(row.visit_id), "status": row.status},
    )


timeline.register(
    timeline.QuerySetSource(
        kind="prescription",
        capability=Capability.RECORDS_VIEW,
        rows=lambda patient: Prescription.objects.filter(patient=patient).select_related(
            "product", "prescriber"
        ),
        date_field="prescribed_at",
        to_entry=_entry,
    )
)
