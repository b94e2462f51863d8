"""Forms of the owner screens. They only parse; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vetrisys.clients.models import CONSENT_CHANNELS, Channel, Client, ClientPhone, Communication
from vetrisys.clients.services import CLIENT_FIELDS
from vetrisys.core.errors import ValidationFailed

PHONE_ROWS = 3
_TEXT = {"class": "form-control"}
_SELECT = {"class": "form-select"}
_CHECK = {"class": "form-check-input"}
_CONSENT_LABELS = {
    "email": _("Agrees to receive email"),
    "sms": _("Agrees to receive SMS"),
    "whatsapp": _("Agrees to receive WhatsApp messages"),
}


def _text(label: Any, *, required: bool = False, max_length: int = 200) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.TextInput(attrs=_TEXT),
    )


class ClientForm(forms.Form):
    """An owner's details, up to three phones (one primary) and consents per channel."""

    first_name = _text(_("First name"), required=True, max_length=100)
    last_name = _text(_("Last name"), max_length=100)
    document_type = forms.ChoiceField(
        label=_("Document type"),
        choices=Client.DocumentType.choices,
        widget=forms.Select(attrs=_SELECT),
    )
    document_number = _text(_("Document number"), max_length=20)
    email = forms.CharField(
        label=_("Email"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs=_TEXT),
    )
    address = _text(_("Address"), max_length=300)
    district = _text(_("District"), max_length=100)
    city = _text(_("City"), max_length=100)
    emergency_contact_name = _text(_("Emergency contact"))
    emergency_contact_phone = _text(_("Emergency contact phone"), max_length=40)
    preferred_channel = forms.ChoiceField(
        label=_("Preferred channel"), choices=Channel.choices, widget=forms.Select(attrs=_SELECT)
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=Client.Language.choices, widget=forms.Select(attrs=_SELECT)
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={**_TEXT, "rows": 3}),
    )
    primary_phone = forms.IntegerField(required=False, min_value=0, max_value=PHONE_ROWS - 1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for index in range(PHONE_ROWS):
            self.fields[f"phone_{index}_number"] = forms.CharField(
                label=_("Phone"),
                required=False,
                max_length=40,
                widget=forms.TextInput(attrs={**_TEXT, "inputmode": "tel"}),
            )
            self.fields[f"phone_{index}_label"] = forms.ChoiceField(
                label=_("Kind"),
                choices=ClientPhone.Label.choices,
                required=False,
                widget=forms.Select(attrs={**_SELECT, "aria-label": _("Kind of phone")}),
            )
        for channel in CONSENT_CHANNELS:
            self.fields[f"consent_{channel}"] = forms.BooleanField(
                label=_CONSENT_LABELS[channel],
                required=False,
                widget=forms.CheckboxInput(attrs=_CHECK),
            )

    @classmethod
    def initial_for(cls, client: Client) -> dict[str, Any]:
        """The form's values for an existing owner."""
        initial: dict[str, Any] = {name: getattr(client, name) for name in CLIENT_FIELDS}
        for index, phone in enumerate(list(client.phones.all())[:PHONE_ROWS]):
            initial[f"phone_{index}_number"] = phone.number
            initial[f"phone_{index}_label"] = phone.label
            if phone.is_primary:
                initial["primary_phone"] = index
        for channel in CONSENT_CHANNELS:
            initial[f"consent_{channel}"] = client.has_consent(channel)
        return initial

    def phone_rows(self) -> list[dict[str, Any]]:
        """The phone rows for the template: bound fields and whether each is the primary."""
        primary = self["primary_phone"].value()
        return [
            {
                "index": index,
                "number": self[f"phone_{index}_number"],
                "label": self[f"phone_{index}_label"],
                "is_primary": str(primary) == str(index) or (primary in (None, "") and index == 0),
            }
            for index in range(PHONE_ROWS)
        ]

    def consent_fields(self) -> list[forms.BoundField]:
        return [self[f"consent_{channel}"] for channel in CONSENT_CHANNELS]

    def service_arguments(self) -> dict[str, Any]:
        """The cleaned form as keyword arguments of client_create / client_update."""
        data = self.cleaned_data
        primary = data.get("primary_phone") or 0
        phones = []
        for index in range(PHONE_ROWS):
            number = (data.get(f"phone_{index}_number") or "").strip()
            if number:
                phones.append(
                    {
                        "number": number,
                        "label": data.get(f"phone_{index}_label") or "mobile",
                        "is_primary": index == primary,
                        "row": index,
                    }
                )
        if phones and not any(p["is_primary"] for p in phones):
            phones[0]["is_primary"] = True
        self._phone_rows = [p.pop("row") for p in phones]
        fields = {name: data[name] for name in CLIENT_FIELDS}
        return {
            **fields,
            "phones": phones,
            "consents": {c: bool(data.get(f"consent_{c}")) for c in CONSENT_CHANNELS},
        }

    def add_service_errors(self, error: ValidationFailed) -> None:
        """Show a service's field messages next to the fields they are about."""
        rows: list[int] = getattr(self, "_phone_rows", [])
        for field, messages in error.fields.items():
            name = {"document_id": "document_number", "phone": "phone_0_number"}.get(field, field)
            parts = field.split(".")
            if parts[0] == "phones" and len(parts) == 3 and int(parts[1]) < len(rows):
                name = f"phone_{rows[int(parts[1])]}_{parts[2]}"
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class CommunicationForm(forms.Form):
    """A call, message or note to add to the history."""

    kind = forms.ChoiceField(
        label=_("Kind"), choices=Communication.Kind.choices, widget=forms.Select(attrs=_SELECT)
    )
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=Communication.Direction.choices,
        widget=forms.Select(attrs=_SELECT),
    )
    subject = _text(_("Subject"))
    body = forms.CharField(
        label=_("What was said or sent"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={**_TEXT, "rows": 3}),
    )

    def add_service_errors(self, error: ValidationFailed) -> None:
        for field, messages in error.fields.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class MergeForm(forms.Form):
    """The duplicate owner to fold into the one on screen."""

    duplicate = forms.UUIDField(label=_("Duplicate owner"))
