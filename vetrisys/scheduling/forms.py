"""Forms of the scheduling screens: they parse input for the services, nothing more."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vetrisys.accounts.models import Room
from vetrisys.core.errors import ValidationFailed
from vetrisys.scheduling.models import Appointment, AppointmentType, ShiftException, Weekday

_TEXT = {"class": "form-control"}
_SELECT = {"class": "form-select"}
_CHECK = {"class": "form-check-input"}
_DATETIME = forms.DateTimeInput({**_TEXT, "type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
_DATE = forms.DateInput({**_TEXT, "type": "date"}, format="%Y-%m-%d")
_TIME = forms.TimeInput({**_TEXT, "type": "time"}, format="%H:%M")


def apply_errors(form: forms.BaseForm, error: ValidationFailed) -> None:
    """Show a service's field messages on the form (unknown fields at the top)."""
    for field, messages in error.fields.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
    if not error.fields:
        form.add_error(None, error.message)


def _choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


def _choices(rows: Any, label: str = "display_name") -> list[tuple[str, str]]:
    return [(str(row.pk), str(getattr(row, label))) for row in rows]


class BookingForm(forms.Form):
    """A new appointment at the current location (a time typed is the location's local time)."""

    patient = forms.UUIDField(
        label=_("Patient"), error_messages={"required": _("Choose the patient.")}
    )
    appointment_type = forms.ChoiceField(label=_("Type"), widget=forms.Select(_SELECT))
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=_DATETIME)
    vet = forms.ChoiceField(label=_("Veterinarian"), widget=forms.Select(_SELECT))
    room = forms.ChoiceField(label=_("Room"), required=False, widget=forms.Select(_SELECT))
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea({**_TEXT, "rows": 2})
    )
    allow_overlap = forms.BooleanField(
        label=_("Overbook on purpose"),
        required=False,
        widget=forms.CheckboxInput(_CHECK),
        help_text=_("Book even though the veterinarian or the room is busy."),
    )
    overlap_reason = forms.CharField(
        label=_("Reason for overbooking"),
        required=False,
        max_length=300,
        widget=forms.TextInput(_TEXT),
    )

    def __init__(
        self,
        *args: Any,
        types: Any,
        vets: Any,
        rooms: Any,
        can_overbook: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "appointment_type").choices = [("", "—"), *_choices(types, "name")]
        _choice_field(self, "vet").choices = [("", "—"), *_choices(vets)]
        _choice_field(self, "room").choices = [("", _("No room")), *_choices(rooms, "name")]
        if not can_overbook:
            del self.fields["allow_overlap"]
            del self.fields["overlap_reason"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("allow_overlap") and not (data.get("overlap_reason") or "").strip():
            self.add_error("overlap_reason", _("Say why the appointment is overbooked."))
        return data


class RescheduleForm(forms.Form):
    """A new time, veterinarian or room for an appointment."""

    starts_at = forms.DateTimeField(label=_("Starts at"), widget=_DATETIME)
    vet = forms.ChoiceField(label=_("Veterinarian"), widget=forms.Select(_SELECT))
    room = forms.ChoiceField(label=_("Room"), required=False, widget=forms.Select(_SELECT))

    def __init__(self, *args: Any, vets: Any, rooms: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "vet").choices = _choices(vets)
        _choice_field(self, "room").choices = [("", _("No room")), *_choices(rooms, "name")]

    @staticmethod
    def initial_for(appointment: Appointment) -> dict[str, Any]:
        return {
            "starts_at": appointment.starts_at,
            "vet": str(appointment.vet_id),
            "room": str(appointment.room_id or ""),
        }


class MoveForm(forms.Form):
    """What the calendar sends when a card is dropped: the new start and maybe a column."""

    starts_at = forms.DateTimeField()
    vet = forms.UUIDField(required=False)
    room = forms.UUIDField(required=False)


class AppointmentTypeForm(forms.Form):
    """An appointment type's settings."""

    name = forms.CharField(label=_("Name"), max_length=100, widget=forms.TextInput(_TEXT))
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=5, max_value=24 * 60,
        widget=forms.NumberInput({**_TEXT, "step": 5}),
    )  # fmt: skip
    color = forms.RegexField(
        label=_("Color"), regex=r"^#[0-9a-fA-F]{6}$", initial="#0d6efd",
        widget=forms.TextInput({"type": "color", "class": "form-control form-control-color"}),
    )  # fmt: skip
    buffer_before_minutes = forms.IntegerField(
        label=_("Buffer before (minutes)"), min_value=0, max_value=240, initial=0,
        widget=forms.NumberInput(_TEXT),
    )  # fmt: skip
    buffer_after_minutes = forms.IntegerField(
        label=_("Buffer after (minutes)"), min_value=0, max_value=240, initial=0,
        widget=forms.NumberInput(_TEXT),
    )  # fmt: skip
    requires_room_kind = forms.ChoiceField(
        label=_("Needs a room of kind"), required=False,
        choices=[("", _("No room needed")), *Room.Kind.choices], widget=forms.Select(_SELECT),
    )  # fmt: skip
    species = forms.MultipleChoiceField(
        label=_("Species"), required=False, help_text=_("None selected means every species."),
        widget=forms.SelectMultiple({**_SELECT, "size": 4}),
    )  # fmt: skip
    online_bookable = forms.BooleanField(
        label=_("Bookable online"), required=False, widget=forms.CheckboxInput(_CHECK)
    )
    is_active = forms.BooleanField(
        label=_("Active"), required=False, initial=True, widget=forms.CheckboxInput(_CHECK)
    )

    def __init__(self, *args: Any, species: Any, editing: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "species").choices = _choices(species, "name")
        if not editing:
            del self.fields["is_active"]

    @staticmethod
    def initial_for(appointment_type: AppointmentType) -> dict[str, Any]:
        return {
            "name": appointment_type.name,
            "duration_minutes": appointment_type.duration_minutes,
            "color": appointment_type.color,
            "buffer_before_minutes": appointment_type.buffer_before_minutes,
            "buffer_after_minutes": appointment_type.buffer_after_minutes,
            "requires_room_kind": appointment_type.requires_room_kind,
            "species": [str(s.pk) for s in appointment_type.species.all()],
            "online_bookable": appointment_type.online_bookable,
            "is_active": appointment_type.is_active,
        }


class ShiftForm(forms.Form):
    """A recurring weekly shift of one staff member at the current location."""

    staff = forms.ChoiceField(label=_("Staff"), widget=forms.Select(_SELECT))
    weekday = forms.TypedChoiceField(
        label=_("Day"), coerce=int, choices=Weekday.choices, widget=forms.Select(_SELECT)
    )
    starts_at = forms.TimeField(label=_("Starts at"), widget=_TIME)
    ends_at = forms.TimeField(label=_("Ends at"), widget=_TIME)
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=_DATE)
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=_DATE)

    def __init__(self, *args: Any, staff: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "shift")
        super().__init__(*args, **kwargs)
        _choice_field(self, "staff").choices = [("", "—"), *_choices(staff)]


class ShiftExceptionForm(forms.Form):
    """Leave, a holiday or extra hours of one staff member on one date."""

    staff = forms.ChoiceField(label=_("Staff"), widget=forms.Select(_SELECT))
    kind = forms.ChoiceField(
        label=_("Kind"), choices=ShiftException.Kind.choices, widget=forms.Select(_SELECT)
    )
    date = forms.DateField(label=_("Date"), widget=_DATE)
    starts_at = forms.TimeField(
        label=_("From"), required=False, widget=_TIME, help_text=_("Empty: the whole day.")
    )
    ends_at = forms.TimeField(label=_("Until"), required=False, widget=_TIME)
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=200, widget=forms.TextInput(_TEXT)
    )

    def __init__(self, *args: Any, staff: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "exception")
        super().__init__(*args, **kwargs)
        _choice_field(self, "staff").choices = [("", "—"), *_choices(staff)]
