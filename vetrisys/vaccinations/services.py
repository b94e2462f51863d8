"""Writes of vaccinations and vaccine protocols. Each checks the capability, validates, writes
and audits in one transaction; a dose from a stock lot leaves stock through inventory."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.models import User
from vetrisys.accounts.permissions import require
from vetrisys.audit.services import diff, record, snapshot
from vetrisys.core.errors import Conflict, NotFound, ValidationFailed
from vetrisys.core.timeutil import today_in
from vetrisys.inventory.models import Lot, Product
from vetrisys.inventory.services import stock_dispense
from vetrisys.patients.models import Patient, Species
from vetrisys.records.models import Visit
from vetrisys.records.services.common import locked_visit, raise_signed
from vetrisys.vaccinations import schedule
from vetrisys.vaccinations.models import Vaccination, VaccineProtocol
from vetrisys.vaccinations.selectors import protocol_for_product, rules_of

PROTOCOL_FIELDS = [
    "species_id", "code", "name_es", "name_en", "diseases", "is_core", "product_keywords",
    "min_age_weeks", "primary_doses", "primary_interval_weeks", "series_end_age_weeks",
    "first_booster_months", "booster_interval_months", "notes", "is_active",
]  # fmt: skip
PROTOCOL_NUMBERS = {
    "min_age_weeks": (0, 520), "primary_doses": (1, 10), "primary_interval_weeks": (1, 52),
    "series_end_age_weeks": (1, 520), "first_booster_months": (1, 120),
    "booster_interval_months": (1, 120),
}  # fmt: skip


# ---------------------------------------------------------------- visits


def lock_open_visit(*, actor: Any, visit: Visit, patient: Patient | None = None) -> Visit:
    """The visit, locked for the rest of the transaction; 409 `visit_signed` once signed."""
    if visit.organization_id != actor.organization_id:
        raise NotFound(_("Visit not found."))
    locked = locked_visit(visit)
    if patient is not None and locked.patient_id != patient.pk:
        raise ValidationFailed.for_field("visit", _("This visit is of another patient."))
    if locked.is_signed:
        raise_signed(locked)
    return locked


# ---------------------------------------------------------------- vaccinations


def _check_refs(actor: Any, *, location: Any, patient: Patient, product: Product) -> None:
    if location is None or location.organization_id != actor.organization_id:
        raise NotFound(_("Location not found."))
    require(actor, Capability.VACCINATIONS_GIVE, location)
    if patient.organization_id != actor.organization_id:
        raise NotFound(_("Patient not found."))
    if product.organization_id != actor.organization_id:
        raise NotFound(_("Product not found."))
    if product.kind != Product.Kind.VACCINE:
        raise ValidationFailed.for_field("product", _("Choose a vaccine."))


def _check_vet(actor: Any, vet: Any) -> User:
    if vet is None:
        return actor  # type: ignore[no-any-return]
    if vet.organization_id != actor.organization_id:
        raise NotFound(_("Veterinarian not found."))
    return vet  # type: ignore[no-any-return]


def _stock_lot(product: Product, lot: Lot | str | None) -> Lot | None:
    """The product's stock lot named, or None when the number is not one of stock."""
    if isinstance(lot, Lot):
        if lot.product_id != product.pk:
            raise NotFound(_("Lot not found."))
        return lot
    number = (lot or "").strip()
    if not number:
        return None
    return Lot.objects.filter(product=product, lot_number=number).first()


def _lot_expired(number: str, expires_on: dt.date) -> Conflict:
    return Conflict(
        _("Lot %(lot)s expired on %(date)s.") % {"lot": number, "date": expires_on},
        code="lot_expired",
        lot=number,
        expires_on=str(expires_on),
    )


def _protocol(
    actor: Any, *, protocol: VaccineProtocol | None, product: Product, patient: Patient
) -> VaccineProtocol | None:
    if protocol is None:
        return protocol_for_product(product=product, species_id=patient.species_id, actor=actor)
    if protocol.organization_id not in (None, actor.organization_id):
        raise NotFound(_("Protocol not found."))
    if protocol.species_id != patient.species_id:
        raise ValidationFailed.for_field("protocol", _("This protocol is for another species."))
    return protocol


def compute_dose(
    *, patient: Patient, protocol: VaccineProtocol | None, product: Product, given_on: dt.date
) -> schedule.Dose:
    """The dose number and next due date of a dose given on a day, after the earlier ones."""
    earlier = Vaccination.objects.filter(patient=patient, administered_on__lte=given_on)
    if protocol is None:
        count = earlier.filter(product=product).count()
        return schedule.Dose(number=count + 1, phase=schedule.Phase.BOOSTER, next_due_on=None)
    dates = list(earlier.filter(protocol=protocol).values_list("administered_on", flat=True))
    rules = rules_of(protocol)
    doses = schedule.series(rules, birth_date=patient.birth_date, given=dates)
    return schedule.next_dose(
        rules,
        birth_date=patient.birth_date,
        earlier=[d.phase for d in doses],
        given_on=given_on,
    )


@transaction.atomic
def vaccination_record(
    *,
    actor: Any,
    patient: Patient,
    product: Product,
    location: Any,
    administered_on: dt.date,
    lot: Lot | str | None = None,
    lot_expires_on: dt.date | None = None,
    vet: Any = None,
    visit: Visit | None = None,
    protocol: VaccineProtocol | None = None,
    route: str = "",
    site: str = "",
    next_due_on: dt.date | None = None,
    notes: str = "",
) -> Vaccination:
    """Record a dose given: 422 for a future date, 409 for an expired lot or a signed visit;
    a dose from a stock lot leaves the location's stock (409 when there is none)."""
    _check_refs(actor, location=location, patient=patient, product=product)
    the_vet = _check_vet(actor, vet)
    if visit is not None:
        visit = lock_open_visit(actor=actor, visit=visit, patient=patient)
        if visit.location_id != location.pk:
            raise ValidationFailed.for_field("location", _("The visit is at another location."))
    errors: dict[str, list[str]] = {}
    if administered_on > today_in(location.time_zone):
        errors["administered_on"] = [_("The date cannot be in the future.")]
    if route and route not in Vaccination.Route.values:
        errors["route"] = [_("Choose a route from the list.")]
    if len(site) > 100:
        errors["site"] = [_("100 characters at most.")]
    if next_due_on is not None and next_due_on <= administered_on:
        errors["next_due_on"] = [_("The next dose is due after this one.")]
    stock_lot = _stock_lot(product, lot)
    lot_number = stock_lot.lot_number if stock_lot else (lot if isinstance(lot, str) else "")
    lot_number = lot_number.strip()
    if not lot_number:
        errors["lot"] = [_("Enter the lot number on the vial.")]
    elif len(lot_number) > 64:
        errors["lot"] = [_("64 characters at most.")]
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)
    expires_on = stock_lot.expires_on if stock_lot else lot_expires_on
    if expires_on is not None and expires_on < administered_on:
        raise _lot_expired(lot_number, expires_on)
    the_protocol = _protocol(actor, protocol=protocol, product=product, patient=patient)
    dose = compute_dose(
        patient=patient, protocol=the_protocol, product=product, given_on=administered_on
    )
    vaccination = Vaccination.objects.create(
        organization_id=actor.organization_id,
        location=location,
        patient=patient,
        visit=visit,
        vet=the_vet,
        product=product,
        protocol=the_protocol,
        lot=stock_lot,
        lot_number=lot_number,
        lot_expires_on=expires_on,
        administered_on=administered_on,
        route=route,
        site=site.strip(),
        dose_number=dose.number,
        next_due_on=next_due_on or dose.next_due_on,
        next_due_is_overridden=next_due_on is not None,
        notes=notes.strip(),
    )
    if stock_lot is not None:
        stock_dispense(
            actor=actor,
            location=location,
            product=product,
            quantity=1,
            lot=stock_lot,
            reference=f"vaccination {vaccination.pk}",
            reason=_("Vaccination of %(patient)s") % {"patient": patient.name},
            capability=Capability.VACCINATIONS_GIVE,
        )
    record(
        actor=actor,
        action="vaccination.record",
        target=vaccination,
        location=location,
        changes={
            "patient": str(patient.pk), "product": str(product.pk), "lot": lot_number,
            "administered_on": str(administered_on), "dose_number": dose.number,
            "next_due_on": str(vaccination.next_due_on or ""),
            "protocol": str(the_protocol.pk) if the_protocol else "",
            "visit": str(visit.pk) if visit else "",
        },
    )  # fmt: skip
    return vaccination


# ---------------------------------------------------------------- protocols


def _clean_protocol(fields: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    for name in ("name_es", "name_en", "diseases", "product_keywords", "notes", "code"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    if "name_es" in fields and not fields["name_es"]:
        errors["name_es"] = [_("The vaccine needs a Spanish name.")]
    for name in ("name_es", "name_en"):
        if len(fields.get(name, "")) > 120:
            errors[name] = [_("120 characters at most.")]
    for name in ("diseases", "product_keywords"):
        if len(fields.get(name, "")) > 200:
            errors[name] = [_("200 characters at most.")]
    for name, (low, high) in PROTOCOL_NUMBERS.items():
        value = fields.get(name)
        if value is not None and not low <= int(value) <= high:
            errors[name] = [
                _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}
            ]
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)
    return fields


def _check_species(actor: Any, species: Species) -> None:
    if species.organization_id not in (None, actor.organization_id):
        raise NotFound(_("Species not found."))


@transaction.atomic
def protocol_create(
    *, actor: Any, species: Species, name_es: str, min_age_weeks: int, **fields: Any
) -> VaccineProtocol:
    """Add a vaccine protocol used by the actor's organization."""
    require(actor, Capability.RECORDS_SIGN)
    _check_species(actor, species)
    fields = _clean_protocol({"name_es": name_es, "min_age_weeks": min_age_weeks, **fields})
    code = slugify(fields.pop("code", "") or f"{species.code}-{fields.get('name_en') or name_es}")
    code = code[:40]
    taken = VaccineProtocol.objects.filter(code=code, organization_id=actor.organization_id)
    if taken.exists() or VaccineProtocol.objects.filter(code=code, organization=None).exists():
        raise Conflict(_("A protocol with this code already exists."), code="protocol_exists")
    fields.setdefault("name_en", fields["name_es"])
    protocol = VaccineProtocol.objects.create(
        organization_id=actor.organization_id, species=species, code=code, **fields
    )
    record(actor=actor, action="vaccine_protocol.create", target=protocol,
           changes=snapshot(protocol, PROTOCOL_FIELDS))  # fmt: skip
    return protocol


@transaction.atomic
def protocol_update(
    *, actor: Any, protocol: VaccineProtocol, products: list[Product] | None = None, **fields: Any
) -> VaccineProtocol:
    """Change a protocol. A seeded protocol is copied into the organization first, so one
    clinic's edit never changes another's."""
    require(actor, Capability.RECORDS_SIGN)
    if protocol.organization_id not in (None, actor.organization_id):
        raise NotFound(_("Protocol not found."))
    fields = _clean_protocol({k: v for k, v in fields.items() if k != "code"})
    if protocol.organization_id is None:
        own = VaccineProtocol.objects.filter(
            organization_id=actor.organization_id, replaces=protocol
        ).first()
        if own is None:
            own = VaccineProtocol.objects.create(
                organization_id=actor.organization_id,
                replaces=protocol,
                **{name: getattr(protocol, name) for name in PROTOCOL_FIELDS},
            )
            own.products.set(protocol.products.filter(organization_id=actor.organization_id))
        protocol = own
    before = snapshot(protocol, PROTOCOL_FIELDS)
    for name, value in fields.items():
        setattr(protocol, name, value)
    protocol.bump_version()
    protocol.save()
    if products is not None:
        for product in products:
            if product.organization_id != actor.organization_id:
                raise NotFound(_("Product not found."))
        protocol.products.set(products)
    record(actor=actor, action="vaccine_protocol.update", target=protocol,
           changes=diff(before, snapshot(protocol, PROTOCOL_FIELDS)))  # fmt: skip
    return protocol
