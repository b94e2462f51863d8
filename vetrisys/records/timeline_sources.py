"""Visits in the patient's history; the vet of a charged procedure for revenue by vet."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.billing import attribution
from vetrisys.patients import timeline
from vetrisys.patients.models import Patient
from vetrisys.patients.timeline import TimelineEntry
from vetrisys.records.models import Visit
from vetrisys.records.services.procedures import CHARGE_SOURCE as PROCEDURE_SOURCE


def _visits(patient: Patient) -> QuerySet[Visit]:
    return Visit.objects.filter(patient=patient).select_related("vet", "location")


def _visit_entry(row: Visit) -> TimelineEntry:
    kind = row.get_visit_type_display()
    return TimelineEntry(
        occurred_at=row.opened_at,
        kind="visit",
        title=_("Visit: %(kind)s") % {"kind": kind},
        detail=" · ".join(
            part for part in (row.reason, row.location.name, row.get_status_display()) if part
        ),
        actor_name=str(getattr(row.vet, "display_name", "") or row.vet),
        object_id=str(row.pk),
        url=reverse("records:visit_detail", args=[row.pk]),
        data={"status": row.status, "visit_type": row.visit_type, "location": str(row.location_id)},
    )


timeline.register(
    timeline.QuerySetSource(
        kind="visit",
        rows=_visits,
        date_field="opened_at",
        to_entry=_visit_entry,
        capability=Capability.RECORDS_VIEW,
    )
)


def _procedure_vets() -> QuerySet[Any, tuple[Any, Any]]:
    """A charged procedure's vet: the vet of its visit."""
    from vetrisys.records.models import Procedure

    return Procedure.objects.values_list("id", "visit__vet_id")


# Revenue by vet: a procedure's charge is its visit's vet's.
attribution.register(PROCEDURE_SOURCE, _procedure_vets)
