"""Forms of the staff screens: they parse input; the services decide what is allowed."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from django import forms
from django.utils.translation import gettext_lazy as _

from vetrisys.accounts.capabilities import CAPABILITY_LABELS, Capability
from vetrisys.accounts.models import Location, Role, Room, User
from vetrisys.accounts.services import MembershipSpec
from vetrisys.core.errors import DomainError, ValidationFailed
from vetrisys.core.money import CURRENCY_CHOICES

MAX_MEMBERSHIP_ROWS = 20


class BootstrapForm(forms.Form):
    """A form whose widgets carry Bootstrap's classes, and `is-invalid` once in error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            _style_widget(field.widget)

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        if field and field in self.fields:
            widget = self.fields[field].widget
            css = widget.attrs.get("class", "")
            if "is-invalid" not in css:
                widget.attrs["class"] = f"{css} is-invalid".strip()

    def add_domain_error(self, error: DomainError) -> None:
        """Show a service's error on the fields it names, or above the form."""
        fields = error.fields if isinstance(error, ValidationFailed) else {}
        if not fields:
            self.add_error(None, error.message)
            return
        for name, messages in fields.items():
            target = self.map_error_field(name)
            for message in messages:
                self.add_error(target if target in self.fields else None, message)

    def map_error_field(self, name: str) -> str:
        """The form field a service's field name refers to."""
        return name


def _style_widget(widget: forms.Widget) -> None:
    if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect | forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


def _language_field() -> forms.ChoiceField:
    return forms.ChoiceField(label=_("Language"), choices=User.Language.choices)


# ---------------------------------------------------------------- staff


class MembershipRowsForm(BootstrapForm):
    """A staff form with rows of (location, role): one membership per filled row."""

    def __init__(
        self,
        *args: Any,
        locations: Iterable[Location],
        roles: Iterable[Role],
        rows: int = 3,
        **kwargs: Any,
    ) -> None:
        data = args[0] if args else kwargs.get("data")
        if data is not None:
            rows = max(rows, _posted_rows(data))
        self.membership_rows = min(rows, MAX_MEMBERSHIP_ROWS)
        location_choices = [("", "—"), *((str(loc.pk), loc.name) for loc in locations)]
        role_choices = [("", "—"), *((role.key, role.display_name) for role in roles)]
        super().__init__(*args, **kwargs)
        for index in range(self.membership_rows):
            self.fields[f"location_{index}"] = forms.ChoiceField(
                label=_("Location"), choices=location_choices, required=False
            )
            self.fields[f"role_{index}"] = forms.ChoiceField(
                label=_("Role"), choices=role_choices, required=False
            )
            _style_widget(self.fields[f"location_{index}"].widget)
            _style_widget(self.fields[f"role_{index}"].widget)

    def membership_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """The (location, role) bound fields of each row, for the template."""
        return [
            (self[f"location_{index}"], self[f"role_{index}"])
            for index in range(self.membership_rows)
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for index in range(self.membership_rows):
            location = cleaned.get(f"location_{index}")
            role = cleaned.get(f"role_{index}")
            if location and not role:
                self.add_error(f"role_{index}", _("Choose a role for this location."))
            elif role and not location:
                self.add_error(f"location_{index}", _("Choose a location for this role."))
        return cleaned

    def membership_specs(self) -> list[MembershipSpec]:
        """The filled rows, in order, without repeats."""
        specs: list[MembershipSpec] = []
        for index in range(self.membership_rows):
            location = self.cleaned_data.get(f"location_{index}")
            role = self.cleaned_data.get(f"role_{index}")
            spec = MembershipSpec(location=location, role=role or "")
            if location and role and spec not in specs:
                specs.append(spec)
        return specs

    def map_error_field(self, name: str) -> str:
        # The services name membership problems "memberships.<index>.<location|role>".
        parts = name.split(".")
        if len(parts) == 3 and parts[0] == "memberships" and parts[1].isdigit():
            return self._row_field(int(parts[1]), parts[2])
        return name

    def _row_field(self, spec_index: int, part: str) -> str:
        filled = [
            index
            for index in range(self.membership_rows)
            if self.cleaned_data.get(f"location_{index}") and self.cleaned_data.get(f"role_{index}")
        ]
        row = filled[spec_index] if spec_index < len(filled) else 0
        return f"{part}_{row}"


def _posted_rows(data: Any) -> int:
    highest = -1
    for key in data:
        prefix, _sep, index = str(key).partition("_")
        if prefix in {"location", "role"} and index.isdigit():
            highest = max(highest, int(index))
    return highest + 1


class StaffCreateForm(MembershipRowsForm):
    """A new staff account."""

    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not a common password."),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    language = _language_field()


class StaffEditForm(MembershipRowsForm):
    """A staff member's details, an optional new password, and memberships."""

    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    language = _language_field()
    password = forms.CharField(
        label=_("New password"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the current password."),
    )


# ---------------------------------------------------------------- roles and organization


class RoleForm(BootstrapForm):
    """A custom role: a name and the capabilities it grants."""

    name = forms.CharField(label=_("Name"), max_length=100)
    capabilities = forms.MultipleChoiceField(
        label=_("Capabilities"),
        choices=[(str(cap), CAPABILITY_LABELS[cap]) for cap in Capability],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class OrganizationForm(BootstrapForm):
    """The organization's settings."""

    name = forms.CharField(label=_("Name"), max_length=200)
    legal_name = forms.CharField(label=_("Legal name"), max_length=200, required=False)
    tax_id = forms.CharField(label=_("Tax id (RUC)"), max_length=20, required=False)
    require_mfa = forms.BooleanField(
        label=_("Require two-factor authentication for staff"), required=False
    )


# ---------------------------------------------------------------- locations and rooms


@cache
def _time_zone_choices() -> list[tuple[str, str]]:
    return [(zone, zone) for zone in sorted(available_timezones())]


class LocationForm(BootstrapForm):
    """A location's settings."""

    name = forms.CharField(label=_("Name"), max_length=200)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=_time_zone_choices)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    tax_rate = forms.DecimalField(
        label=_("Default tax rate (%)"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
    )
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class RoomForm(BootstrapForm):
    """A new room of a location."""

    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Room.Kind.choices, initial=Room.Kind.EXAM)
