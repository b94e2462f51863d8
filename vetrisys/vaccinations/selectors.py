"""Reads of vaccinations and protocols, within the actor's organization, bounded in queries."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.permissions import require
from vetrisys.core.errors import NotFound, ValidationFailed
from vetrisys.core.text import normalize_search
from vetrisys.inventory.models import Product
from vetrisys.patients.models import Patient
from vetrisys.vaccinations import schedule
from vetrisys.vaccinations.models import Vaccination, VaccineProtocol

DUE_WITHIN_DAYS = 30


def due_within_days() -> int:
    """How many days before the due date a vaccine shows as due (setting VACCINE_DUE_DAYS)."""
    return int(getattr(settings, "VACCINE_DUE_DAYS", DUE_WITHIN_DAYS))


def _uuid(value: Any, field: str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError, ValidationError):
        raise ValidationFailed.for_field(field, _("Not a valid id.")) from None


def rules_of(protocol: VaccineProtocol) -> schedule.Rules:
    """The numbers of a protocol the due-date arithmetic needs."""
    return schedule.Rules(
        primary_doses=protocol.primary_doses,
        primary_interval_weeks=protocol.primary_interval_weeks,
        series_end_age_weeks=protocol.series_end_age_weeks,
        first_booster_months=protocol.first_booster_months,
        booster_interval_months=protocol.booster_interval_months,
    )


# ---------------------------------------------------------------- protocols


def _protocols_of(organization_id: Any) -> QuerySet[VaccineProtocol]:
    """The organization's protocols and the seeded ones it has not replaced by its own copy."""
    replaced = VaccineProtocol.objects.filter(
        organization_id=organization_id, replaces__isnull=False
    ).values("replaces_id")
    return VaccineProtocol.objects.filter(
        Q(organization_id=organization_id) | (Q(organization__isnull=True) & ~Q(pk__in=replaced))
    )


def protocol_list(
    *, actor: Any, species: Any = None, is_active: bool | None = True
) -> QuerySet[VaccineProtocol]:
    """The vaccine protocols the actor's organization uses, core first."""
    require(actor, Capability.PATIENTS_VIEW)
    protocols = _protocols_of(actor.organization_id)
    if is_active is not None:
        protocols = protocols.filter(is_active=is_active)
    if species:
        protocols = protocols.filter(species_id=getattr(species, "pk", species))
    return protocols.select_related("species").order_by("species__code", "-is_core", "name_es")


def protocol_get(*, actor: Any, protocol_id: Any, field: str = "protocol") -> VaccineProtocol:
    """A protocol the organization uses (its own or seeded), else 404."""
    require(actor, Capability.PATIENTS_VIEW)
    found = (
        VaccineProtocol.objects.filter(
            Q(organization_id=actor.organization_id) | Q(organization__isnull=True),
            pk=_uuid(protocol_id, field),
        )
        .select_related("species")
        .first()
    )
    if found is None:
        raise NotFound(_("Protocol not found."))
    return found


def protocol_for_product(
    *, actor: Any, product: Product, species_id: Any
) -> VaccineProtocol | None:
    """The protocol a vaccine product counts for in a species: one that lists the product,
    else one whose keywords appear in the product's name."""
    candidates = list(
        _protocols_of(actor.organization_id)
        .filter(species_id=species_id, is_active=True)
        .order_by("-organization_id", "code")
    )
    linked = set(
        VaccineProtocol.products.through.objects.filter(
            product_id=product.pk, vaccineprotocol_id__in=[p.pk for p in candidates]
        ).values_list("vaccineprotocol_id", flat=True)
    )
    for protocol in candidates:
        if protocol.pk in linked:
            return protocol
    name = normalize_search(product.name)
    for protocol in candidates:
        if any(normalize_search(word) in name for word in protocol.keywords):
            return protocol
    return None


# ---------------------------------------------------------------- vaccinations


def _visible(actor: Any) -> QuerySet[Vaccination]:
    require(actor, Capability.RECORDS_VIEW)
    return Vaccination.objects.filter(organization_id=actor.organization_id)


def vaccination_list(
    *, actor: Any, patient: Any = None, visit: Any = None
) -> QuerySet[Vaccination]:
    """Vaccinations, newest first, with what a list shows."""
    rows = _visible(actor)
    if patient:
        rows = rows.filter(patient_id=_uuid(getattr(patient, "pk", patient), "patient"))
    if visit:
        rows = rows.filter(visit_id=_uuid(getattr(visit, "pk", visit), "visit"))
    return rows.select_related("patient", "product", "protocol", "lot", "vet", "location").order_by(
        "-administered_on", "-created_at"
    )


def vaccination_get(*, actor: Any, vaccination_id: Any) -> Vaccination:
    """One vaccination of the organization, else 404."""
    found = vaccination_list(actor=actor).filter(pk=_uuid(vaccination_id, "vaccination")).first()
    if found is None:
        raise NotFound(_("Vaccination not found."))
    return found


@dataclass(frozen=True)
class VaccineStatus:
    """How a patient stands with one vaccine."""

    key: str
    name: str
    protocol: VaccineProtocol | None
    is_core: bool
    last_given_on: dt.date | None
    last_vaccination: Vaccination | None
    doses_given: int
    next_due_on: dt.date | None
    status: schedule.Status


def vaccine_status(*, actor: Any, patient: Patient, today: dt.date) -> list[VaccineStatus]:
    """Per vaccine (protocol, or product without one): last given, next due and ok / due /
    overdue on `today`; core protocols of the species never given are listed as well."""
    require(actor, Capability.PATIENTS_VIEW)
    if patient.organization_id != actor.organization_id:
        raise NotFound(_("Patient not found."))
    window = due_within_days()
    given = list(
        Vaccination.objects.filter(patient=patient)
        .select_related("product", "protocol")
        .order_by("administered_on", "created_at")
    )
    latest: dict[str, Vaccination] = {}
    counts: dict[str, int] = {}
    for row in given:
        key = f"protocol:{row.protocol_id}" if row.protocol_id else f"product:{row.product_id}"
        latest[key] = row
        counts[key] = counts.get(key, 0) + 1
    rows: list[VaccineStatus] = []
    for key, last in latest.items():
        rows.append(
            VaccineStatus(
                key=key,
                name=last.protocol.name if last.protocol else last.product.name,
                protocol=last.protocol,
                is_core=bool(last.protocol and last.protocol.is_core),
                last_given_on=last.administered_on,
                last_vaccination=last,
                doses_given=counts[key],
                next_due_on=last.next_due_on,
                status=schedule.status_on(last.next_due_on, today=today, due_within_days=window),
            )
        )
    given_protocols = {row.protocol_id for row in given if row.protocol_id}
    if patient.deceased_on is None:
        core = protocol_list(actor=actor, species=patient.species_id).filter(is_core=True)
        for protocol in core.exclude(pk__in=given_protocols):
            first_due = (
                patient.birth_date + dt.timedelta(weeks=protocol.min_age_weeks)
                if patient.birth_date
                else today
            )
            rows.append(
                VaccineStatus(
                    key=f"protocol:{protocol.pk}", name=protocol.name, protocol=protocol,
                    is_core=True, last_given_on=None, last_vaccination=None, doses_given=0,
                    next_due_on=first_due,
                    status=schedule.status_on(first_due, today=today, due_within_days=window),
                )
            )  # fmt: skip
    order = {schedule.Status.OVERDUE: 0, schedule.Status.DUE: 1, schedule.Status.OK: 2}
    rows.sort(key=lambda r: (order[r.status], r.next_due_on or dt.date.max, r.name))
    return rows
