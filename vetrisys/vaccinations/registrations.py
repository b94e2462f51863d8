"""What vaccinations add to other apps' registries: the patient's history and the visit page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.patients import timeline
from vetrisys.patients.timeline import TimelineEntry
from vetrisys.records import panels
from vetrisys.vaccinations.models import Vaccination


def _entry(row: Vaccination) -> TimelineEntry:
    at = dt.datetime.combine(
        row.administered_on, dt.time(12), tzinfo=timezone.get_current_timezone()
    )
    detail = _("Dose %(dose)s, lot %(lot)s.") % {"dose": row.dose_number, "lot": row.lot_number}
    if row.next_due_on:
        detail += " " + _("Next due %(date)s.") % {"date": row.next_due_on.isoformat()}
    return TimelineEntry(
        occurred_at=at,
        kind="vaccination",
        title=_("Vaccination: %(vaccine)s") % {"vaccine": row.product.name},
        detail=detail,
        actor_name=str(getattr(row.vet, "display_name", "") or ""),
        object_id=str(row.pk),
        data={"next_due_on": row.next_due_on.isoformat() if row.next_due_on else None},
    )


timeline.register(
    timeline.QuerySetSource(
        kind="vaccination",
        capability=Capability.RECORDS_VIEW,
        rows=lambda patient: Vaccination.objects.filter(patient=patient).select_related(
            "product", "vet"
        ),
        date_field="administered_on",
        to_entry=_entry,
    )
)


def _visit_panel(request: Any, visit: Any) -> dict[str, Any]:
    from vetrisys.vaccinations.views import visit_panel

    return visit_panel(request, visit)


def _visit_section(actor: Any, visit: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": str(row.pk), "product": str(row.product_id), "product_name": row.product.name,
            "lot_number": row.lot_number, "administered_on": row.administered_on.isoformat(),
            "dose_number": row.dose_number,
            "next_due_on": row.next_due_on.isoformat() if row.next_due_on else None,
        }
        for row in Vaccination.objects.filter(visit=visit).select_related("product")
    ]  # fmt: skip


panels.register(
    panels.Panel(
        name="vaccinations",
        template_name="vaccinations/partials/_visit_vaccinations.html",
        context=_visit_panel,
        capability=Capability.RECORDS_VIEW,
    )
)
panels.register_section("vaccinations", _visit_section)
