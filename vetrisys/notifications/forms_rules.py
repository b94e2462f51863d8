"""The reminder-rule form of the rules screen: parses the POST; the service validates."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vetrisys.accounts.models import Location
from vetrisys.notifications.models import MessageChannel, MessageKind, ReminderRule
from vetrisys.patients.models import Species
from vetrisys.records.models import VisitType
from vetrisys.scheduling.models import AppointmentType

# The offset is entered as a number and a unit, before or after the moment.
UNITS = {"minutes": 1, "hours": 60, "days": 24 * 60}


class ReminderRuleForm(forms.Form):
    """Name, trigger, message, when (amount, unit, before / after), channel and conditions."""

    name = forms.CharField(label=_("Name"), max_length=120)
    trigger = forms.ChoiceField(label=_("Reminds of"), choices=ReminderRule.Trigger.choices)
    kind = forms.ChoiceField(label=_("Message"), choices=MessageKind.choices)
    amount = forms.IntegerField(label=_("When"), min_value=0, max_value=3 * 365 * 24 * 60)
    unit = forms.ChoiceField(
        label=_("Unit"),
        choices=[("minutes", _("minutes")), ("hours", _("hours")), ("days", _("days"))],
    )
    direction = forms.ChoiceField(
        label=_("Before or after"),
        choices=[("before", _("before")), ("after", _("after"))],
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[("", _("The owner's preferred one")), *MessageChannel.choices],
        required=False,
    )
    species = forms.ChoiceField(label=_("Species"), required=False)
    appointment_type = forms.ModelChoiceField(
        label=_("Appointment type"),
        queryset=AppointmentType.objects.none(),
        required=False,
        empty_label=_("Any"),
    )
    visit_type = forms.ChoiceField(
        label=_("Visit type"),
        choices=[("", _("Any")), *VisitType.choices],
        required=False,
    )
    location = forms.ModelChoiceField(
        label=_("Location"),
        queryset=Location.objects.none(),
        required=False,
        empty_label=_("Every location"),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, organization_id: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        species_field = self.fields["species"]
        assert isinstance(species_field, forms.ChoiceField)
        species_field.choices = [
            ("", _("Any")),
            *(
                (s.code, s.name)
                for s in Species.objects.filter(
                    Q(organization__isnull=True) | Q(organization_id=organization_id),
                    is_active=True,
                ).order_by("name_es")
            ),
        ]
        type_field = self.fields["appointment_type"]
        assert isinstance(type_field, forms.ModelChoiceField)
        type_field.queryset = AppointmentType.objects.filter(
            organization_id=organization_id, is_active=True
        )
        location_field = self.fields["location"]
        assert isinstance(location_field, forms.ModelChoiceField)
        location_field.queryset = Location.objects.filter(organization_id=organization_id)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select"
            else:
                widget.attrs["class"] = "form-control"

    @staticmethod
    def initial_of(rule: ReminderRule) -> dict[str, Any]:
        """The form's values for an existing rule (the offset in the largest exact unit)."""
        minutes = abs(rule.offset_minutes)
        unit = next(
            (name for name in ("days", "hours") if minutes and minutes % UNITS[name] == 0),
            "minutes",
        )
        return {
            "name": rule.name,
            "trigger": rule.trigger,
            "kind": rule.kind,
            "amount": minutes // UNITS[unit],
            "unit": unit,
            "direction": "before" if rule.offset_minutes < 0 else "after",
            "channel": rule.channel,
            "species": rule.species,
            "appointment_type": rule.appointment_type_id,
            "visit_type": rule.visit_type,
            "location": rule.location_id,
            "is_active": rule.is_active,
        }

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values as the rule services take them."""
        data = self.cleaned_data
        minutes = data["amount"] * UNITS[data["unit"]]
        return {
            "name": data["name"],
            "trigger": data["trigger"],
            "kind": data["kind"],
            "offset_minutes": -minutes if data["direction"] == "before" else minutes,
            "channel": data["channel"],
            "species": data["species"],
            "appointment_type": data["appointment_type"],
            "visit_type": data["visit_type"],
            "location": data["location"],
            "is_active": data["is_active"],
        }
