"""Vaccination compliance: per location and species, how many patients have a vaccine due soon
or overdue, counted by the database from the vaccinations' next due dates.

A patient's vaccine is the latest dose of one protocol (or of one product given without a
protocol); it is overdue after its next due date and due within the vaccinations' window
(VACCINE_DUE_DAYS, 30 days) before it. A patient counts at the location that gave that latest
dose. Deceased and inactive patients are left out; vaccines with no next due date are complete.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from vetrisys.accounts.models import Location
from vetrisys.patients.models import Species
from vetrisys.reporting.scope import ZERO, percent, report_location_ids, reports_db
from vetrisys.vaccinations.models import Vaccination
from vetrisys.vaccinations.selectors import due_within_days


@dataclass
class ComplianceRow:
    """One location and species: patients followed, due, overdue, and vaccines due/overdue."""

    location_id: str
    location: str
    species_id: str
    species: str
    patients: int = 0
    patients_due: int = 0
    patients_overdue: int = 0
    vaccines_due: int = 0
    vaccines_overdue: int = 0

    @property
    def compliance_rate(self) -> Decimal:
        """Patients with nothing overdue, in percent of the patients followed."""
        if not self.patients:
            return ZERO
        return percent(self.patients - self.patients_overdue, self.patients)


def current_vaccinations(*, organization_id: Any, location_ids: list[Any]) -> QuerySet[Vaccination]:
    """The latest dose of each vaccine of each living, active patient, given at the locations."""
    later = Q(administered_on__gt=OuterRef("administered_on")) | Q(
        administered_on=OuterRef("administered_on"), created_at__gt=OuterRef("created_at")
    )
    same_patient = Vaccination.objects.using(reports_db()).filter(
        later, patient_id=OuterRef("patient_id")
    )
    return (
        Vaccination.objects.using(reports_db())
        .filter(
            organization_id=organization_id,
            location_id__in=location_ids,
            patient__deceased_on__isnull=True,
            patient__is_active=True,
        )
        .annotate(
            later_of_protocol=Exists(same_patient.filter(protocol_id=OuterRef("protocol_id"))),
            later_of_product=Exists(
                same_patient.filter(protocol_id__isnull=True, product_id=OuterRef("product_id"))
            ),
        )
        .filter(
            Q(protocol_id__isnull=False, later_of_protocol=False)
            | Q(protocol_id__isnull=True, later_of_product=False)
        )
    )


def compliance_report(
    *, actor: Any, on: dt.date, location: Location | None = None
) -> list[ComplianceRow]:
    """Per location and species, on the day `on`: patients followed, due and overdue."""
    location_ids = report_location_ids(actor, location)
    return compliance_rows(organization_id=actor.organization_id, location_ids=location_ids, on=on)


def compliance_rows(
    *, organization_id: Any, location_ids: list[Any], on: dt.date
) -> list[ComplianceRow]:
    """The rows for locations already authorized (one aggregate query and one for names)."""
    if not location_ids:
        return []
    soon = on + dt.timedelta(days=due_within_days())
    overdue = Q(next_due_on__lt=on)
    due = Q(next_due_on__gte=on, next_due_on__lte=soon)
    grouped = (
        current_vaccinations(organization_id=organization_id, location_ids=location_ids)
        .values("location_id", species_id=F("patient__species_id"))
        .order_by()
        .annotate(
            patients=Count("patient_id", distinct=True),
            patients_due=Count("patient_id", distinct=True, filter=due),
            patients_overdue=Count("patient_id", distinct=True, filter=overdue),
            vaccines_due=Count("id", filter=due),
            vaccines_overdue=Count("id", filter=overdue),
        )
    )
    found = list(grouped)
    alias = reports_db()
    places = dict(
        Location.objects.using(alias).filter(pk__in=location_ids).values_list("id", "name")
    )
    kinds = {
        s.pk: s.name
        for s in Species.objects.using(alias).filter(pk__in={row["species_id"] for row in found})
    }
    rows = [
        ComplianceRow(
            location_id=str(row["location_id"]),
            location=places.get(row["location_id"], ""),
            species_id=str(row["species_id"]),
            species=str(kinds.get(row["species_id"], "")),
            patients=row["patients"],
            patients_due=row["patients_due"],
            patients_overdue=row["patients_overdue"],
            vaccines_due=row["vaccines_due"],
            vaccines_overdue=row["vaccines_overdue"],
        )
        for row in found
    ]
    return sorted(rows, key=lambda r: (r.location.lower(), r.species.lower()))


def patients_behind(
    *, organization_id: Any, location_ids: list[Any], on: dt.date, overdue_only: bool = False
) -> QuerySet[Vaccination]:
    """The vaccines due soon or overdue on `on`, oldest due first (a list to page through)."""
    soon = on + dt.timedelta(days=due_within_days())
    rows = current_vaccinations(organization_id=organization_id, location_ids=location_ids)
    rows = rows.filter(next_due_on__lt=on) if overdue_only else rows.filter(next_due_on__lte=soon)
    return rows.select_related(
        "patient", "patient__client", "patient__species", "product", "protocol", "location"
    ).order_by("next_due_on", "patient__name", "id")
