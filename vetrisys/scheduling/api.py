"""HTTP API of scheduling: opening hours, shifts, exceptions, appointment types, availability,
appointments and their transitions, and the vet's own calendar feed."""

from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from vetrisys.accounts.auth import api_actor
from vetrisys.accounts.models import Room, User
from vetrisys.core.api import ERRORS, Pagination, patch_fields
from vetrisys.core.errors import ValidationFailed
from vetrisys.patients.models import Patient
from vetrisys.patients.selectors import species_resolve
from vetrisys.scheduling import availability, ical, selectors, services
from vetrisys.scheduling.models import Appointment, AppointmentType, Shift, ShiftException
from vetrisys.scheduling.schemas import (
    AppointmentCancelIn,
    AppointmentFilter,
    AppointmentIn,
    AppointmentOut,
    AppointmentPatch,
    AppointmentTypeIn,
    AppointmentTypeOut,
    AppointmentTypePatch,
    AvailabilityQuery,
    CalendarFeedOut,
    OpeningHoursItem,
    OpeningHoursOut,
    ShiftExceptionFilter,
    ShiftExceptionIn,
    ShiftExceptionOut,
    ShiftFilter,
    ShiftIn,
    ShiftOut,
    SlotOut,
)

router = Router(tags=["scheduling"])


def _staff(actor: Any, staff_id: Any, field: str) -> User:
    found = User.objects.filter(organization_id=actor.organization_id, pk=staff_id).first()
    if found is None:
        raise ValidationFailed.for_field(field, _("Staff member not found."))
    return found


def _room(location_id: Any, room_id: Any) -> Room:
    found = Room.objects.filter(location_id=location_id, pk=room_id).first()
    if found is None:
        raise ValidationFailed.for_field("room", _("Room not found at this location."))
    return found


def _patient(actor: Any, patient_id: Any) -> Patient:
    found = (
        Patient.objects.filter(organization_id=actor.organization_id, pk=patient_id)
        .select_related("species")
        .first()
    )
    if found is None:
        raise ValidationFailed.for_field("patient", _("Patient not found."))
    return found


def _type(actor: Any, type_id: Any) -> AppointmentType:
    found = AppointmentType.objects.filter(
        organization_id=actor.organization_id, pk=type_id
    ).first()
    if found is None:
        raise ValidationFailed.for_field("appointment_type", _("Appointment type not found."))
    return found


def _price_item(actor: Any, product_id: Any) -> Any:
    from vetrisys.inventory.models import Product

    found = Product.objects.filter(organization_id=actor.organization_id, pk=product_id).first()
    if found is None:
        raise ValidationFailed.for_field("price_item", _("Product not found."))
    return found


def _appointment(actor: User, appointment_id: UUID) -> Appointment:
    return selectors.appointment_get(actor=actor, appointment_id=appointment_id)


# ---------------------------------------------------------------- opening hours


@router.get(
    "/locations/{location_id}/opening-hours",
    response={200: list[OpeningHoursOut], **ERRORS},
    tags=["locations"],
)
def opening_hours_get(request: HttpRequest, location_id: UUID) -> list[dict[str, Any]]:
    actor = api_actor(request)
    location = selectors.calendar_location(actor=actor, location_id=location_id)
    return [
        {"weekday": w, "opens_at": o, "closes_at": c}
        for w, o, c in selectors.opening_hours(actor=actor, location=location)
    ]


@router.put(
    "/locations/{location_id}/opening-hours",
    response={200: list[OpeningHoursOut], **ERRORS},
    tags=["locations"],
)
def opening_hours_put(
    request: HttpRequest, location_id: UUID, payload: list[OpeningHoursItem]
) -> list[dict[str, Any]]:
    actor = api_actor(request)
    location = selectors.calendar_location(actor=actor, location_id=location_id)
    rows = services.opening_hours_set(
        actor=actor,
        location=location,
        hours=[(item.weekday, item.opens_at, item.closes_at) for item in payload],
    )
    return [{"weekday": r.weekday, "opens_at": r.opens_at, "closes_at": r.closes_at} for r in rows]


# ---------------------------------------------------------------- shifts


@router.get("/shifts", response={200: list[ShiftOut], **ERRORS}, tags=["shifts"])
@paginate(Pagination)
def shift_list(request: HttpRequest, filters: Query[ShiftFilter]) -> QuerySet[Shift]:
    actor = api_actor(request)
    location = (
        selectors.calendar_location(actor=actor, location_id=filters.location)
        if filters.location
        else None
    )
    return selectors.shift_list(actor=actor, location=location, staff=filters.staff)


@router.post("/shifts", response={201: ShiftOut, **ERRORS}, tags=["shifts"])
def shift_create(request: HttpRequest, payload: ShiftIn) -> Status[Shift]:
    actor = api_actor(request)
    location = selectors.calendar_location(actor=actor, location_id=payload.location)
    shift = services.shift_create(
        actor=actor,
        location=location,
        staff=_staff(actor, payload.staff, "staff"),
        weekday=payload.weekday,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
    )
    return Status(201, shift)


@router.delete("/shifts/{shift_id}", response={204: None, **ERRORS}, tags=["shifts"])
def shift_delete(request: HttpRequest, shift_id: UUID) -> Status[None]:
    actor = api_actor(request)
    services.shift_delete(actor=actor, shift=selectors.shift_get(actor=actor, shift_id=shift_id))
    return Status(204, None)


@router.get("/shift-exceptions", response={200: list[ShiftExceptionOut], **ERRORS}, tags=["shifts"])
@paginate(Pagination)
def shift_exception_list(
    request: HttpRequest, filters: Query[ShiftExceptionFilter]
) -> QuerySet[ShiftException]:
    actor = api_actor(request)
    location = (
        selectors.calendar_location(actor=actor, location_id=filters.location)
        if filters.location
        else None
    )
    return selectors.shift_exception_list(
        actor=actor,
        location=location,
        staff=filters.staff,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )


@router.post("/shift-exceptions", response={201: ShiftExceptionOut, **ERRORS}, tags=["shifts"])
def shift_exception_create(
    request: HttpRequest, payload: ShiftExceptionIn
) -> Status[ShiftException]:
    actor = api_actor(request)
    location = selectors.calendar_location(actor=actor, location_id=payload.location)
    exception = services.shift_exception_create(
        actor=actor,
        location=location,
        staff=_staff(actor, payload.staff, "staff"),
        date=payload.date,
        kind=str(payload.kind),
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        reason=payload.reason,
    )
    return Status(201, exception)


# ---------------------------------------------------------------- appointment types


@router.get(
    "/appointment-types", response={200: list[AppointmentTypeOut], **ERRORS}, tags=["scheduling"]
)
@paginate(Pagination)
def appointment_type_list(request: HttpRequest) -> QuerySet[AppointmentType]:
    return selectors.appointment_type_list(actor=api_actor(request), include_inactive=True)


def _type_references(actor: User, fields: dict[str, Any]) -> dict[str, Any]:
    if "species" in fields:
        fields["species"] = [
            species_resolve(actor=actor, value=value, field="species")
            for value in fields["species"]
        ]
    if fields.get("price_item") is not None:
        fields["price_item"] = _price_item(actor, fields["price_item"])
    return fields


@router.post(
    "/appointment-types", response={201: AppointmentTypeOut, **ERRORS}, tags=["scheduling"]
)
def appointment_type_create(
    request: HttpRequest, payload: AppointmentTypeIn
) -> Status[AppointmentType]:
    actor = api_actor(request)
    fields = _type_references(actor, payload.model_dump())
    created = services.appointment_type_create(actor=actor, **fields)
    return Status(201, selectors.appointment_type_get(actor=actor, type_id=created.pk))


@router.patch(
    "/appointment-types/{type_id}",
    response={200: AppointmentTypeOut, **ERRORS},
    tags=["scheduling"],
)
def appointment_type_update(
    request: HttpRequest, type_id: UUID, payload: AppointmentTypePatch
) -> AppointmentType:
    actor = api_actor(request)
    found = selectors.appointment_type_get(actor=actor, type_id=type_id)
    fields = payload.model_dump(exclude_unset=True)
    clear_price = "price_item" in fields and fields["price_item"] is None
    fields.pop("price_item", None) if clear_price else None
    fields = {**patch_fields_allowing(fields), **({"price_item": None} if clear_price else {})}
    services.appointment_type_update(
        actor=actor, appointment_type=found, **_type_references(actor, fields)
    )
    return selectors.appointment_type_get(actor=actor, type_id=type_id)


def patch_fields_allowing(fields: dict[str, Any]) -> dict[str, Any]:
    """PATCH fields with explicit nulls refused (the price item is cleared separately)."""
    nulls = sorted(name for name, value in fields.items() if value is None)
    if nulls:
        raise ValidationFailed(
            _("Some fields are not valid."),
            fields={name: [_("This field may not be null.")] for name in nulls},
        )
    return fields


# ---------------------------------------------------------------- availability


@router.get("/availability", response={200: list[SlotOut], **ERRORS}, tags=["scheduling"])
def availability_list(
    request: HttpRequest, filters: Query[AvailabilityQuery]
) -> list[availability.Slot]:
    actor = api_actor(request)
    location = selectors.calendar_location(actor=actor, location_id=filters.location)
    appointment_type = _type(actor, filters.appointment_type)
    vet = _staff(actor, filters.vet, "vet") if filters.vet else None
    room = _room(location.pk, filters.room) if filters.room else None
    return availability.free_slots(
        location=location,
        appointment_type=appointment_type,
        day=filters.date,
        vet=vet,
        room=room,
        step_minutes=filters.step_minutes,
    )


# ---------------------------------------------------------------- appointments


@router.get("/appointments", response={200: list[AppointmentOut], **ERRORS}, tags=["scheduling"])
@paginate(Pagination)
def appointment_list(
    request: HttpRequest, filters: Query[AppointmentFilter]
) -> QuerySet[Appointment]:
    actor = api_actor(request)
    location = (
        selectors.calendar_location(actor=actor, location_id=filters.location)
        if filters.location
        else None
    )
    return selectors.appointment_list(
        actor=actor,
        location=location,
        vet=filters.vet,
        room=filters.room,
        patient=filters.patient,
        status=str(filters.status) if filters.status else None,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )


@router.post("/appointments", response={201: AppointmentOut, **ERRORS}, tags=["scheduling"])
def appointment_book(request: HttpRequest, payload: AppointmentIn) -> Status[Appointment]:
    actor = api_actor(request)
    location = selectors.calendar_location(actor=actor, location_id=payload.location)
    booked = services.appointment_book(
        actor=actor,
        location=location,
        patient=_patient(actor, payload.patient),
        vet=_staff(actor, payload.vet, "vet"),
        appointment_type=_type(actor, payload.appointment_type),
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        room=_room(location.pk, payload.room) if payload.room else None,
        notes=payload.notes,
        allow_overlap=payload.allow_overlap,
        overlap_reason=payload.overlap_reason,
    )
    return Status(201, _appointment(actor, booked.pk))


@router.get(
    "/appointments/{appointment_id}", response={200: AppointmentOut, **ERRORS}, tags=["scheduling"]
)
def appointment_get(request: HttpRequest, appointment_id: UUID) -> Appointment:
    return _appointment(api_actor(request), appointment_id)


@router.patch(
    "/appointments/{appointment_id}", response={200: AppointmentOut, **ERRORS}, tags=["scheduling"]
)
def appointment_reschedule(
    request: HttpRequest, appointment_id: UUID, payload: AppointmentPatch
) -> Appointment:
    actor = api_actor(request)
    appointment = _appointment(actor, appointment_id)
    sent = payload.model_dump(exclude_unset=True)
    options: dict[str, Any] = {}
    if "room" in sent:
        options["room"] = _room(appointment.location_id, sent["room"]) if sent["room"] else None
    for name in ("starts_at", "ends_at"):
        if name in sent:
            if sent[name] is None:
                patch_fields(payload)  # an explicit null is refused
            options[name] = sent[name]
    if sent.get("vet"):
        options["vet"] = _staff(actor, sent["vet"], "vet")
    services.appointment_reschedule(
        actor=actor,
        appointment=appointment,
        allow_overlap=payload.allow_overlap,
        overlap_reason=payload.overlap_reason,
        **options,
    )
    return _appointment(actor, appointment_id)


def _transition_endpoint(path: str, service: Any, summary: str) -> None:
    @router.post(
        f"/appointments/{{appointment_id}}/{path}",
        response={200: AppointmentOut, **ERRORS},
        tags=["scheduling"],
        summary=summary,
        operation_id=f"appointment_{path.replace('-', '_')}",
    )
    def endpoint(request: HttpRequest, appointment_id: UUID) -> Appointment:
        actor = api_actor(request)
        service(actor=actor, appointment=_appointment(actor, appointment_id))
        return _appointment(actor, appointment_id)


_transition_endpoint("check-in", services.appointment_check_in, "The patient has arrived")
_transition_endpoint("start", services.appointment_start, "Start the consultation")
_transition_endpoint("complete", services.appointment_complete, "Complete the consultation")
_transition_endpoint("no-show", services.appointment_mark_no_show, "The patient did not come")


@router.post(
    "/appointments/{appointment_id}/cancel",
    response={200: AppointmentOut, **ERRORS},
    tags=["scheduling"],
    summary="Cancel with a reason",
)
def appointment_cancel(
    request: HttpRequest, appointment_id: UUID, payload: AppointmentCancelIn
) -> Appointment:
    actor = api_actor(request)
    services.appointment_cancel(
        actor=actor, appointment=_appointment(actor, appointment_id), reason=payload.reason
    )
    return _appointment(actor, appointment_id)


# ---------------------------------------------------------------- the vet's calendar feed


def _feed_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(
        reverse("scheduling_feed:calendar-feed", kwargs={"token": token})
    )


@router.get("/me/calendar-feed", response={200: CalendarFeedOut, **ERRORS}, tags=["me"])
def calendar_feed_get(request: HttpRequest) -> dict[str, Any]:
    """Whether the signed-in user has a feed; its address is shown only when issued."""
    feed = ical.calendar_feed_of(actor=api_actor(request))
    return {
        "url": None,
        "created_at": feed.created_at if feed else None,
        "last_fetched_at": feed.last_fetched_at if feed else None,
    }


@router.post("/me/calendar-feed", response={201: CalendarFeedOut, **ERRORS}, tags=["me"])
def calendar_feed_issue(request: HttpRequest) -> Status[dict[str, Any]]:
    """A new private feed address for the signed-in user (the previous one stops working)."""
    with transaction.atomic():
        issued = ical.calendar_feed_rotate(actor=api_actor(request))
    return Status(
        201,
        {
            "url": _feed_url(request, issued.token),
            "created_at": issued.feed.updated_at,
            "last_fetched_at": None,
        },
    )


@router.delete("/me/calendar-feed", response={204: None, **ERRORS}, tags=["me"])
def calendar_feed_delete(request: HttpRequest) -> Status[None]:
    ical.calendar_feed_revoke(actor=api_actor(request))
    return Status(204, None)
