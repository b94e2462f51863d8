"""What pharmacy adds to other apps' registries: the patient's history, the visit page and
the vet of a dispensed charge (revenue by vet)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.billing import attribution
from vetrisys.patients import timeline
from vetrisys.patients.timeline import TimelineEntry
from vetrisys.pharmacy.models import Prescription, PrescriptionDispense
from vetrisys.pharmacy.services import CHARGE_SOURCE as DISPENSE_SOURCE
from vetrisys.records import panels


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


def _visit_panel(request: Any, visit: Any) -> dict[str, Any]:
    from vetrisys.pharmacy.views import visit_panel

    return visit_panel(request, visit)


def _visit_section(actor: Any, visit: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": str(row.pk), "product": str(row.product_id), "product_name": row.product.name,
            "dose": row.dose, "route": row.route, "frequency": row.frequency,
            "duration_days": row.duration_days, "quantity": str(row.quantity),
            "refills": row.refills, "instructions": row.instructions, "status": row.status,
            "dispensed_quantity": str(row.dispensed_quantity),
        }
        for row in Prescription.objects.filter(visit=visit).select_related("product")
    ]  # fmt: skip


panels.register(
    panels.Panel(
        name="prescriptions",
        template_name="pharmacy/partials/_visit_prescriptions.html",
        context=_visit_panel,
        capability=Capability.RECORDS_VIEW,
    )
)
panels.register_section("prescriptions", _visit_section)


def _dispense_vets() -> QuerySet[Any, tuple[Any, Any]]:
    """A dispense's vet: who prescribed it."""
    return PrescriptionDispense.objects.values_list("id", "prescription__prescriber_id")


# Revenue by vet: what a prescription dispensed is its prescriber's.
attribution.register(DISPENSE_SOURCE, _dispense_vets)
