"""Forms of the messages screens."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vetrisys.core.errors import ValidationFailed

_TEXT = {"class": "form-control"}


class TemplateForm(forms.Form):
    """The wording of one kind of message for one channel and language."""

    subject = forms.CharField(
        label=_("Subject"), max_length=200, required=False, widget=forms.TextInput(attrs=_TEXT)
    )
    body = forms.CharField(
        label=_("Text"), max_length=5000, widget=forms.Textarea(attrs={**_TEXT, "rows": 8})
    )
    is_active = forms.BooleanField(
        label=_("Use this text (otherwise the built-in one)"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def add_service_errors(self, error: ValidationFailed) -> None:
        """Show a service's field errors on the form."""
        for field, messages in error.fields.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
        if not error.fields:
            self.add_error(None, error.message)
