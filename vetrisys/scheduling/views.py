"""Staff screens of scheduling: day and week calendars, booking, an appointment and its
transitions, the waiting room, and the settings pages (types, opening hours, shifts)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.models import Location
from vetrisys.accounts.permissions import has_capability, require
from vetrisys.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from vetrisys.core.views import staff_view
from vetrisys.patients import selectors as patient_selectors
from vetrisys.scheduling import selectors, services, view_selectors
from vetrisys.scheduling.forms import (
    AppointmentTypeForm,
    BookingForm,
    MoveForm,
    RescheduleForm,
    ShiftExceptionForm,
    ShiftForm,
    apply_errors,
)
from vetrisys.scheduling.models import Appointment, Weekday
from vetrisys.scheduling.view_selectors import find, zone_of

View = Callable[..., HttpResponseBase]
UNPROCESSABLE = 422


def _location(
    request: HttpRequest, capability: Capability = Capability.APPOINTMENTS_VIEW
) -> Location:
    """The location the user works at, where they must hold `capability`."""
    location: Location | None = getattr(request, "location", None)
    if location is None:
        raise NotAllowed(_("You do not work at any location yet."))
    require(request.user, capability, location)
    return location


def _day(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _can(request: HttpRequest, capability: Capability, location: Any) -> bool:
    return has_capability(request.user, capability, location)


def _render_local(
    request: HttpRequest,
    location: Location,
    template: str,
    context: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    """Render with times shown (and typed) in the location's zone."""
    with timezone.override(zone_of(location)):
        return render(request, template, {"location": location, **context}, status=status)


def conflict_message(error: Conflict, location: Location) -> str:
    """The server's message; for a taken slot, also who holds it and when (local time)."""
    blocker = error.extra.get("blocking_appointment")
    if error.code != "slot_taken" or not blocker:
        return error.message
    zone = zone_of(location)
    starts_at = dt.datetime.fromisoformat(blocker["starts_at"]).astimezone(zone)
    ends_at = dt.datetime.fromisoformat(blocker["ends_at"]).astimezone(zone)
    held = _("Booked for %(patient)s from %(start)s to %(end)s with %(vet)s.") % {
        "patient": blocker["patient"],
        "start": starts_at.strftime("%H:%M"),
        "end": ends_at.strftime("%H:%M"),
        "vet": blocker["vet_name"],
    }
    if error.extra.get("busy") == "room" and blocker.get("room_name"):
        held = _("%(room)s is booked for %(patient)s from %(start)s to %(end)s.") % {
            "room": blocker["room_name"],
            "patient": blocker["patient"],
            "start": starts_at.strftime("%H:%M"),
            "end": ends_at.strftime("%H:%M"),
        }
    return f"{error.message} {held}"


# ---------------------------------------------------------------- calendars


def _column_choices() -> list[tuple[str, str]]:
    return [("vet", _("By veterinarian")), ("room", _("By room")), ("type", _("By service"))]


@staff_view
def day_calendar(request: HttpRequest) -> HttpResponse:
    """The day at the current location, one column per vet, room or service."""
    location = _location(request)
    today = view_selectors.local_today(location)
    day = _day(request.GET.get("date"), today)
    by = request.GET.get("by", "vet")
    if by not in view_selectors.COLUMN_KINDS:
        by = "vet"
    grid = view_selectors.calendar_day(actor=request.user, location=location, day=day, by=by)
    return _render_local(
        request,
        location,
        "scheduling/day.html",
        {
            "grid": grid,
            "day": day,
            "today": today,
            "previous_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1),
            "by": by,
            "column_choices": _column_choices(),
            "appointment_count": len(grid.appointments),
            "can_book": _can(request, Capability.APPOINTMENTS_MANAGE, location),
            "can_manage": _can(request, Capability.APPOINTMENTS_MANAGE, location),
            "book_url": reverse("scheduling:book"),
        },
    )


@staff_view
def week_calendar(request: HttpRequest) -> HttpResponse:
    """One vet's week at the current location (?vet=<id>, default: the first vet or oneself)."""
    location = _location(request)
    today = view_selectors.local_today(location)
    day = _day(request.GET.get("date"), today)
    week_start = day - dt.timedelta(days=day.weekday())
    vets = list(view_selectors.vets_at(actor=request.user, location=location))
    chosen = request.GET.get("vet") or str(request.user.pk)
    vet = next((v for v in vets if str(v.pk) == chosen), vets[0] if vets else None)
    grid = (
        view_selectors.calendar_week(
            actor=request.user,
            location=location,
            vet=vet,
            week_start=week_start,
            day_url=reverse("scheduling:day"),
        )
        if vet is not None
        else None
    )
    return _render_local(
        request,
        location,
        "scheduling/week.html",
        {
            "grid": grid,
            "vet": vet,
            "vets": vets,
            "today": today,
            "week_start": week_start,
            "week_end": week_start + dt.timedelta(days=6),
            "previous_week": week_start - dt.timedelta(days=7),
            "next_week": week_start + dt.timedelta(days=7),
            "can_book": _can(request, Capability.APPOINTMENTS_MANAGE, location),
            "can_manage": _can(request, Capability.APPOINTMENTS_MANAGE, location),
            "book_url": reverse("scheduling:book"),
        },
    )


# ---------------------------------------------------------------- booking


def _booking_form(
    request: HttpRequest, location: Location, data: Any = None, **kwargs: Any
) -> BookingForm:
    return BookingForm(
        data,
        types=selectors.appointment_type_list(actor=request.user),
        vets=view_selectors.vets_at(actor=request.user, location=location),
        rooms=view_selectors.rooms_at(actor=request.user, location=location),
        can_overbook=_can(request, Capability.APPOINTMENTS_OVERBOOK, location),
        **kwargs,
    )


def _patient_choices(request: HttpRequest, query: str, selected: str) -> list[Any]:
    found = list(patient_selectors.quick_search(actor=request.user, q=query).patients)
    if selected and all(str(p.pk) != selected for p in found):
        with contextlib.suppress(NotFound):
            found.insert(0, patient_selectors.patient_get(actor=request.user, patient_id=selected))
    return found


@staff_view
def patient_choices(request: HttpRequest) -> HttpResponse:
    """The booking form's patient list for what was typed (htmx)."""
    _location(request, Capability.APPOINTMENTS_MANAGE)
    query = request.GET.get("q", "").strip()[:100]
    return render(
        request,
        "scheduling/partials/_patient_choices.html",
        {"patient_choices": _patient_choices(request, query, ""), "query": query},
    )


@staff_view
def book(request: HttpRequest) -> HttpResponse:
    """Book an appointment; a busy vet or room re-renders the form with the server's message."""
    location = _location(request, Capability.APPOINTMENTS_MANAGE)
    zone = zone_of(location)
    source = request.POST if request.method == "POST" else request.GET
    selected = source.get("patient", "")
    query = source.get("q", "").strip()[:100]
    status = 200
    with timezone.override(zone):
        if request.method == "POST":
            form = _booking_form(request, location, request.POST)
            valid = form.is_valid()
        else:
            initial = {
                key: request.GET[key]
                for key in ("vet", "room", "appointment_type")
                if request.GET.get(key)
            }
            if request.GET.get("starts_at"):
                initial["starts_at"] = request.GET["starts_at"]
            form = _booking_form(request, location, initial=initial)
            valid = False
    if valid:
        try:
            appointment = _book(request, location, form)
        except ValidationFailed as error:
            apply_errors(form, error)
            status = UNPROCESSABLE
        except Conflict as error:
            form.add_error(None, conflict_message(error, location))
            status = Conflict.status
        else:
            messages.success(
                request,
                _("%(patient)s is booked for %(time)s.")
                % {
                    "patient": appointment.patient.name,
                    "time": appointment.starts_at.astimezone(zone).strftime("%H:%M"),
                },
            )
            day = appointment.starts_at.astimezone(zone).date()
            return HttpResponseRedirect(f"{reverse('scheduling:day')}?date={day.isoformat()}")
    elif request.method == "POST":
        status = UNPROCESSABLE
    starts_at = form.data.get("starts_at") or form.initial.get("starts_at") or ""
    cancel_day = str(starts_at)[:10] or view_selectors.local_today(location).isoformat()
    return _render_local(
        request,
        location,
        "scheduling/booking_form.html",
        {
            "form": form,
            "query": query,
            "selected_patient": selected,
            "patient_choices": _patient_choices(request, query, selected),
            "cancel_url": f"{reverse('scheduling:day')}?date={cancel_day}",
        },
        status=status,
    )


def _book(request: HttpRequest, location: Location, form: BookingForm) -> Appointment:
    data = form.cleaned_data
    try:
        patient = patient_selectors.patient_get(actor=request.user, patient_id=data["patient"])
    except NotFound:
        raise ValidationFailed.for_field("patient", _("Choose the patient.")) from None
    vets = view_selectors.vets_at(actor=request.user, location=location)
    rooms = view_selectors.rooms_at(actor=request.user, location=location)
    types = selectors.appointment_type_list(actor=request.user)
    return services.appointment_book(
        actor=request.user,
        location=location,
        patient=patient,
        vet=find(vets, data["vet"]),
        room=find(rooms, data["room"]) if data["room"] else None,
        appointment_type=find(types, data["appointment_type"]),
        starts_at=data["starts_at"],
        notes=data["notes"],
        allow_overlap=bool(data.get("allow_overlap")),
        overlap_reason=data.get("overlap_reason", ""),
    )


# ---------------------------------------------------------------- one appointment


def _actions(appointment: Appointment) -> list[dict[str, str]]:
    status = appointment.status
    actions: list[dict[str, str]] = []
    if status == Appointment.Status.SCHEDULED:
        actions.append({"name": "check-in", "label": _("Check in"), "css": "btn-primary"})
        actions.append(
            {
                "name": "no-show",
                "label": _("No-show"),
                "css": "btn-outline-danger",
                "confirm": _("Mark the appointment as a no-show?"),
            }
        )
    elif status == Appointment.Status.CHECKED_IN:
        actions.append({"name": "start", "label": _("Start consultation"), "css": "btn-primary"})
    elif status == Appointment.Status.IN_PROGRESS:
        actions.append({"name": "complete", "label": _("Complete"), "css": "btn-success"})
    return actions


@staff_view
def appointment_detail(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    """One appointment: the patient with its alerts, the owner, the times and the actions."""
    appointment = selectors.appointment_get(actor=request.user, appointment_id=appointment_id)
    location = appointment.location
    zone = zone_of(location)
    return _render_local(
        request,
        location,
        "scheduling/appointment_detail.html",
        {
            "appointment": appointment,
            "patient": appointment.patient,
            "local_day": appointment.starts_at.astimezone(zone).date(),
            "actions": _actions(appointment),
            "can_manage": _can(request, Capability.APPOINTMENTS_MANAGE, location),
            "can_cancel": appointment.status
            in (Appointment.Status.SCHEDULED, Appointment.Status.CHECKED_IN),
        },
    )


TRANSITIONS: dict[str, Callable[..., Appointment]] = {
    "check-in": services.appointment_check_in,
    "start": services.appointment_start,
    "complete": services.appointment_complete,
    "cancel": services.appointment_cancel,
    "no-show": services.appointment_mark_no_show,
}


@staff_view
@require_POST
def appointment_transition(request: HttpRequest, appointment_id: UUID, action: str) -> HttpResponse:
    """Check in, start, complete, cancel (with a reason) or mark a no-show."""
    appointment = selectors.appointment_get(actor=request.user, appointment_id=appointment_id)
    service = TRANSITIONS.get(action)
    if service is None:
        raise Http404
    extra = {"reason": request.POST.get("reason", "").strip()} if action == "cancel" else {}
    try:
        service(actor=request.user, appointment=appointment, **extra)
    except ValidationFailed as error:
        messages.error(
            request, " ".join(m for ms in error.fields.values() for m in ms) or error.message
        )
    except Conflict as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _done_message(action, appointment))
    if request.POST.get("next") == "waiting_room":
        return HttpResponseRedirect(reverse("scheduling:waiting_room"))
    return HttpResponseRedirect(reverse("scheduling:appointment", args=[appointment.pk]))


def _done_message(action: str, appointment: Appointment) -> str:
    name = appointment.patient.name
    return {
        "check-in": _("%(name)s is checked in and waiting."),
        "start": _("The consultation of %(name)s has started."),
        "complete": _("The appointment of %(name)s is completed."),
        "cancel": _("The appointment of %(name)s was cancelled."),
        "no-show": _("%(name)s was marked as a no-show."),
    }[action] % {"name": name}


@staff_view
def appointment_reschedule(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    """Another time, vet or room, through a form."""
    appointment = selectors.appointment_get(actor=request.user, appointment_id=appointment_id)
    location = appointment.location
    require(request.user, Capability.APPOINTMENTS_MANAGE, location)
    vets = view_selectors.vets_at(actor=request.user, location=location)
    rooms = view_selectors.rooms_at(actor=request.user, location=location)
    status = 200
    with timezone.override(zone_of(location)):
        form = RescheduleForm(
            request.POST or None,
            vets=vets,
            rooms=rooms,
            initial=RescheduleForm.initial_for(appointment),
        )
        valid = request.method == "POST" and form.is_valid()
    if valid:
        data = form.cleaned_data
        try:
            services.appointment_reschedule(
                actor=request.user,
                appointment=appointment,
                starts_at=data["starts_at"],
                vet=find(vets, data["vet"]),
                room=find(rooms, data["room"]) if data["room"] else None,
            )
        except ValidationFailed as error:
            apply_errors(form, error)
            status = UNPROCESSABLE
        except Conflict as error:
            form.add_error(None, conflict_message(error, location))
            status = Conflict.status
        else:
            messages.success(request, _("The appointment was moved."))
            return HttpResponseRedirect(reverse("scheduling:appointment", args=[appointment.pk]))
    elif request.method == "POST":
        status = UNPROCESSABLE
    return _render_local(
        request,
        location,
        "scheduling/reschedule_form.html",
        {"form": form, "appointment": appointment},
        status=status,
    )


@staff_view
@require_POST
def appointment_move(request: HttpRequest, appointment_id: UUID) -> JsonResponse:
    """A card dropped on the calendar: JSON answer, 409 with the server's message on a clash."""
    appointment = selectors.appointment_get(actor=request.user, appointment_id=appointment_id)
    location = appointment.location
    if not _can(request, Capability.APPOINTMENTS_MANAGE, location):
        return JsonResponse({"message": _("You do not have permission to do this.")}, status=403)
    with timezone.override(zone_of(location)):
        form = MoveForm(request.POST)
        valid = form.is_valid()
    if not valid:
        return JsonResponse({"message": _("Choose a valid time.")}, status=UNPROCESSABLE)
    data = form.cleaned_data
    vets = view_selectors.vets_at(actor=request.user, location=location)
    rooms = view_selectors.rooms_at(actor=request.user, location=location)
    vet = find(vets, data["vet"]) if data["vet"] else appointment.vet
    room = find(rooms, data["room"]) if data["room"] else appointment.room
    if vet is None or (data["room"] and room is None):
        return JsonResponse({"message": _("Choose a valid column.")}, status=UNPROCESSABLE)
    try:
        moved = services.appointment_reschedule(
            actor=request.user,
            appointment=appointment,
            starts_at=data["starts_at"],
            vet=vet,
            room=room,
        )
    except ValidationFailed as error:
        text = " ".join(m for ms in error.fields.values() for m in ms) or error.message
        return JsonResponse({"message": text, "code": error.code}, status=UNPROCESSABLE)
    except Conflict as error:
        return JsonResponse(
            {"message": conflict_message(error, location), "code": error.code},
            status=Conflict.status,
        )
    local = moved.starts_at.astimezone(zone_of(location))
    return JsonResponse(
        {
            "message": _("%(name)s moved to %(time)s.")
            % {"name": appointment.patient.name, "time": local.strftime("%H:%M")},
            "starts_at": moved.starts_at.isoformat(),
        }
    )


# ---------------------------------------------------------------- waiting room


@staff_view
def waiting_room(request: HttpRequest) -> HttpResponse:
    """Who is waiting and who is in consultation; htmx polls the board partial."""
    location = _location(request)
    context = {
        "board": selectors.waiting_room(actor=request.user, location=location),
        "can_manage": _can(request, Capability.APPOINTMENTS_MANAGE, location),
    }
    template = (
        "scheduling/partials/_waiting_board.html"
        if request.headers.get("HX-Request")
        else "scheduling/waiting_room.html"
    )
    return _render_local(request, location, template, context)


# ---------------------------------------------------------------- settings pages


@staff_view
def type_list(request: HttpRequest) -> HttpResponse:
    """The organization's appointment types."""
    location = _location(request)
    types = selectors.appointment_type_list(actor=request.user, include_inactive=True)
    return _render_local(
        request,
        location,
        "scheduling/type_list.html",
        {"types": types, "can_manage": _can(request, Capability.LOCATIONS_MANAGE, location)},
    )


@staff_view
def type_form(request: HttpRequest, type_id: UUID | None = None) -> HttpResponse:
    """Create an appointment type, or edit one."""
    location = _location(request, Capability.LOCATIONS_MANAGE)
    current = (
        selectors.appointment_type_get(actor=request.user, type_id=type_id) if type_id else None
    )
    species = patient_selectors.species_list(actor=request.user)
    form = AppointmentTypeForm(
        request.POST or None,
        species=species,
        editing=current is not None,
        initial=AppointmentTypeForm.initial_for(current) if current else None,
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        fields["species"] = [s for s in species if str(s.pk) in fields["species"]]
        try:
            if current is None:
                services.appointment_type_create(actor=request.user, **fields)
            else:
                services.appointment_type_update(
                    actor=request.user, appointment_type=current, **fields
                )
        except ValidationFailed as error:
            apply_errors(form, error)
            status = UNPROCESSABLE
        except Conflict as error:
            form.add_error("name" if error.code == "name_taken" else None, error.message)
            status = Conflict.status
        else:
            messages.success(request, _("The appointment type was saved."))
            return HttpResponseRedirect(reverse("scheduling:type_list"))
    elif request.method == "POST":
        status = UNPROCESSABLE
    return _render_local(
        request, location, "scheduling/type_form.html", {"form": form, "type": current}, status
    )


@staff_view
def opening_hours(request: HttpRequest) -> HttpResponse:
    """The current location's week, several intervals a day (an empty pair removes one)."""
    location = _location(request)
    can_manage = _can(request, Capability.LOCATIONS_MANAGE, location)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        require(request.user, Capability.LOCATIONS_MANAGE, location)
        intervals, errors = _parse_hours(request)
        if not errors:
            try:
                services.opening_hours_set(actor=request.user, location=location, hours=intervals)
            except (ValidationFailed, Conflict) as error:
                errors = [m for ms in getattr(error, "fields", {}).values() for m in ms] or [
                    error.message
                ]
            else:
                messages.success(request, _("The opening hours were saved."))
                return HttpResponseRedirect(reverse("scheduling:opening_hours"))
        status = UNPROCESSABLE
    week = view_selectors.week_hours(location)
    days = [
        {
            "weekday": weekday,
            "label": label,
            "intervals": [*week[weekday], (None, None), (None, None)][
                : max(3, len(week[weekday]) + 1)
            ],
        }
        for weekday, label in Weekday.choices
    ]
    return _render_local(
        request,
        location,
        "scheduling/opening_hours.html",
        {"week": days, "errors": errors, "can_manage": can_manage},
        status,
    )


def _parse_hours(request: HttpRequest) -> tuple[list[tuple[int, dt.time, dt.time]], list[str]]:
    intervals: list[tuple[int, dt.time, dt.time]] = []
    errors: list[str] = []
    for weekday, label in Weekday.choices:
        pairs = zip(
            request.POST.getlist(f"opens_{weekday}"),
            request.POST.getlist(f"closes_{weekday}"),
            strict=False,
        )
        for opens, closes in pairs:
            if not opens and not closes:
                continue
            try:
                opens_at, closes_at = dt.time.fromisoformat(opens), dt.time.fromisoformat(closes)
            except ValueError:
                errors.append(_("%(day)s: enter both times.") % {"day": label})
                continue
            intervals.append((weekday, opens_at, closes_at))
    return intervals, errors


@staff_view
def shift_list(request: HttpRequest) -> HttpResponse:
    """Weekly shifts and exceptions at the current location; add either from this page."""
    location = _location(request)
    can_manage = _can(request, Capability.LOCATIONS_MANAGE, location)
    staff = list(view_selectors.staff_at(actor=request.user, location=location))
    posted = request.POST.get("form") if request.method == "POST" else None
    shift_form = ShiftForm(request.POST if posted == "shift" else None, staff=staff)
    exception_form = ShiftExceptionForm(
        request.POST if posted == "exception" else None, staff=staff
    )
    status = 200
    if posted:
        require(request.user, Capability.LOCATIONS_MANAGE, location)
        form: ShiftForm | ShiftExceptionForm = shift_form if posted == "shift" else exception_form
        if form.is_valid():
            fields = dict(form.cleaned_data)
            fields["staff"] = find(staff, fields["staff"])
            create = services.shift_create if posted == "shift" else services.shift_exception_create
            try:
                create(actor=request.user, location=location, **fields)
            except ValidationFailed as error:
                apply_errors(form, error)
            except Conflict as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("scheduling:shift_list"))
        status = UNPROCESSABLE
    today = view_selectors.local_today(location)
    return _render_local(
        request,
        location,
        "scheduling/shift_list.html",
        {
            "shifts": selectors.shift_list(actor=request.user, location=location)[:200],
            "exceptions": selectors.shift_exception_list(
                actor=request.user, location=location, date_from=today
            )[:100],
            "shift_form": shift_form,
            "exception_form": exception_form,
            "can_manage": can_manage,
        },
        status,
    )


@staff_view
@require_POST
def shift_delete(request: HttpRequest, shift_id: UUID) -> HttpResponse:
    """Remove a weekly shift."""
    shift = selectors.shift_get(actor=request.user, shift_id=shift_id)
    services.shift_delete(actor=request.user, shift=shift)
    messages.success(request, _("The shift was deleted."))
    return HttpResponseRedirect(reverse("scheduling:shift_list"))
