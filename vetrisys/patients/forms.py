"""Forms of the patient screens: they parse input for the services, nothing more."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from vetrisys.clients.models import Client
from vetrisys.core.errors import ValidationFailed
from vetrisys.patients import selectors
from vetrisys.patients.models import Attachment, Patient, WeightRecord

_TEXT = {"class": "form-control"}
_SELECT = {"class": "form-select"}
_CHECK = {"class": "form-check-input"}


def apply_errors(form: forms.BaseForm, error: ValidationFailed) -> None:
    """Show a service's field messages on the form (unknown fields at the top)."""
    for field, messages in error.fields.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
    if not error.fields:
        form.add_error(None, error.message)


def _breed_choices(actor: Any) -> list[tuple[str, Any]]:
    """Breeds grouped by species, as <optgroup>s."""
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for breed in selectors.breed_list(actor=actor, species=None):
        groups[breed.species.name].append((str(breed.pk), breed.name))
    return [("", "—"), *((name, choices) for name, choices in groups.items())]


class PatientForm(forms.Form):
    """A patient's details (owner chosen elsewhere)."""

    name = forms.CharField(label=_("Name"), max_length=100, widget=forms.TextInput(_TEXT))
    species = forms.ChoiceField(label=_("Species"), widget=forms.Select(_SELECT))
    breed = forms.ChoiceField(label=_("Breed"), required=False, widget=forms.Select(_SELECT))
    sex = forms.ChoiceField(
        label=_("Sex"), choices=Patient.Sex.choices, initial=Patient.Sex.UNKNOWN,
        widget=forms.Select(_SELECT),
    )  # fmt: skip
    neutered = forms.BooleanField(
        label=_("Neutered / spayed"), required=False, widget=forms.CheckboxInput(_CHECK)
    )
    birth_date = forms.DateField(
        label=_("Birth date"),
        required=False,
        widget=forms.DateInput({**_TEXT, "type": "date"}, format="%Y-%m-%d"),
    )
    age_years = forms.IntegerField(
        label=_("or estimated age: years"), required=False, min_value=0, max_value=100,
        widget=forms.NumberInput(_TEXT),
    )  # fmt: skip
    age_months = forms.IntegerField(
        label=_("months"), required=False, min_value=0, max_value=11,
        widget=forms.NumberInput(_TEXT),
    )  # fmt: skip
    color = forms.CharField(
        label=_("Color and markings"), max_length=200, required=False,
        widget=forms.TextInput(_TEXT),
    )  # fmt: skip
    microchip = forms.CharField(
        label=_("Microchip"), max_length=30, required=False,
        widget=forms.TextInput({**_TEXT, "inputmode": "numeric", "autocomplete": "off"}),
    )  # fmt: skip
    allergies = forms.CharField(
        label=_("Allergies"), required=False, widget=forms.Textarea({**_TEXT, "rows": 2})
    )
    chronic_conditions = forms.CharField(
        label=_("Chronic conditions"), required=False, widget=forms.Textarea({**_TEXT, "rows": 2})
    )
    alerts = forms.MultipleChoiceField(
        label=_("Alerts"), choices=Patient.Alert.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    alert_note = forms.CharField(
        label=_("Alert note"), max_length=300, required=False, widget=forms.TextInput(_TEXT)
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        species_field = self.fields["species"]
        assert isinstance(species_field, forms.ChoiceField)
        species_field.choices = [
            (s.code if s.organization_id is None else str(s.pk), s.name)
            for s in selectors.species_list(actor=actor)
        ]
        breed_field = self.fields["breed"]
        assert isinstance(breed_field, forms.ChoiceField)
        breed_field.choices = _breed_choices(actor)

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data as patient service arguments (species and breed looked up)."""
        data = dict(self.cleaned_data)
        data["species"] = selectors.species_resolve(actor=self.actor, value=data["species"])
        data["breed"] = selectors.breed_resolve(actor=self.actor, value=data.get("breed"))
        if data.get("age_years") is None and data.get("age_months") is None:
            data.pop("age_years", None)
            data.pop("age_months", None)
        return data

    @classmethod
    def initial_for(cls, patient: Patient) -> dict[str, Any]:
        """The form's initial values for an existing patient."""
        return {
            "name": patient.name,
            "species": patient.species.code
            if patient.species.organization_id is None
            else str(patient.species_id),
            "breed": str(patient.breed_id) if patient.breed_id else "",
            "sex": patient.sex,
            "neutered": patient.neutered,
            "birth_date": patient.birth_date,
            "color": patient.color,
            "microchip": patient.microchip,
            "allergies": patient.allergies,
            "chronic_conditions": patient.chronic_conditions,
            "alerts": patient.alerts,
            "alert_note": patient.alert_note,
        }


class BasePetFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    """Several pets of one new owner."""


PetFormSet = formset_factory(
    PatientForm, formset=BasePetFormSet, extra=0, min_num=1, validate_min=True, max_num=10
)


class OwnerForm(forms.Form):
    """The owner of a family registration (passed on to the owners' service)."""

    first_name = forms.CharField(
        label=_("First name"), max_length=100, widget=forms.TextInput(_TEXT)
    )
    last_name = forms.CharField(label=_("Last name"), max_length=100, widget=forms.TextInput(_TEXT))
    phone = forms.CharField(
        label=_("Phone"), max_length=40, required=False,
        widget=forms.TextInput({**_TEXT, "type": "tel", "autocomplete": "off"}),
    )  # fmt: skip
    email = forms.EmailField(label=_("Email"), required=False, widget=forms.EmailInput(_TEXT))
    document_type = forms.ChoiceField(
        label=_("Document type"), choices=Client.DocumentType.choices,
        initial=Client.DocumentType.DNI, widget=forms.Select(_SELECT),
    )  # fmt: skip
    document_number = forms.CharField(
        label=_("Document number"), max_length=20, required=False, widget=forms.TextInput(_TEXT)
    )
    address = forms.CharField(
        label=_("Address"), max_length=300, required=False, widget=forms.TextInput(_TEXT)
    )


class WeightForm(forms.Form):
    """A weighing in kg or lb."""

    value = forms.DecimalField(
        label=_("Weight"), max_digits=10, decimal_places=3, min_value=0,
        widget=forms.NumberInput({**_TEXT, "step": "0.001", "inputmode": "decimal"}),
    )  # fmt: skip
    unit = forms.ChoiceField(
        label=_("Unit"), choices=WeightRecord.Unit.choices, initial=WeightRecord.Unit.KG,
        widget=forms.Select(_SELECT),
    )  # fmt: skip
    measured_at = forms.DateTimeField(
        label=_("Measured at"), required=False,
        widget=forms.DateTimeInput({**_TEXT, "type": "datetime-local"}),
        help_text=_("Leave empty for now."),
    )  # fmt: skip
    note = forms.CharField(
        label=_("Note"), max_length=300, required=False, widget=forms.TextInput(_TEXT)
    )


class AttachmentForm(forms.Form):
    """A file about the patient."""

    file = forms.FileField(label=_("File"), widget=forms.ClearableFileInput(_TEXT))
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Attachment.Kind.choices, widget=forms.Select(_SELECT)
    )
    description = forms.CharField(
        label=_("Description"), max_length=300, required=False, widget=forms.TextInput(_TEXT)
    )


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea({**_TEXT, "rows": 3}))


class DeceasedForm(forms.Form):
    deceased_on = forms.DateField(
        label=_("Date of death"), widget=forms.DateInput({**_TEXT, "type": "date"})
    )


class SpeciesForm(forms.Form):
    name_es = forms.CharField(
        label=_("Name (Spanish)"), max_length=100, widget=forms.TextInput(_TEXT)
    )
    name_en = forms.CharField(
        label=_("Name (English)"), max_length=100, required=False, widget=forms.TextInput(_TEXT)
    )


class BreedForm(forms.Form):
    species = forms.UUIDField(widget=forms.HiddenInput)
    name_es = forms.CharField(
        label=_("Name (Spanish)"), max_length=100, widget=forms.TextInput(_TEXT)
    )
    name_en = forms.CharField(
        label=_("Name (English)"), max_length=100, required=False, widget=forms.TextInput(_TEXT)
    )
