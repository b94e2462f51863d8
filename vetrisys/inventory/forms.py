"""Forms of the stock screens: they parse; the services validate and write."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vetrisys.core.errors import ValidationFailed
from vetrisys.inventory.models import Product


def apply_errors(form: forms.Form, error: ValidationFailed) -> None:
    """Show a service's field errors on the form (unknown fields on the form itself)."""
    for field, messages in error.fields.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
    if not error.fields:
        form.add_error(None, error.message)


class ProductForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Product.Kind.choices)
    unit = forms.ChoiceField(label=_("Unit"), choices=Product.Unit.choices)
    pack_size = forms.DecimalField(label=_("Units per pack"), initial=Decimal(1), decimal_places=3)
    sku = forms.CharField(label=_("SKU"), max_length=64, required=False)
    barcode = forms.CharField(label=_("Barcode"), max_length=64, required=False)
    sale_price = forms.DecimalField(
        label=_("Price (without tax)"), initial=Decimal(0), decimal_places=2
    )
    tax_rate = forms.DecimalField(
        label=_("Tax rate (%)"), initial=Decimal("18.00"), decimal_places=2
    )
    controlled_schedule = forms.CharField(
        label=_("Controlled-drug schedule"), max_length=20, required=False
    )


class ReceiveForm(forms.Form):
    product = forms.UUIDField(widget=forms.HiddenInput)
    lot = forms.CharField(label=_("Lot"), max_length=64, required=False)
    expires_on = forms.DateField(
        label=_("Expires on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    quantity = forms.DecimalField(label=_("Quantity (units)"), decimal_places=3)
    unit_cost = forms.DecimalField(label=_("Unit cost"), decimal_places=4, initial=Decimal(0))
    supplier = forms.ChoiceField(label=_("Supplier"), required=False)

    def __init__(self, *args: Any, suppliers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, str]] = [("", "—")]
        choices += [(str(s.pk), s.name) for s in suppliers]
        self.fields["supplier"].choices = choices  # type: ignore[attr-defined]


class MoveForm(forms.Form):
    """Dispense, adjust or write off one product (the action comes from the button)."""

    ACTIONS = (
        ("dispense", _("Dispense")),
        ("adjust", _("Adjust")),
        ("waste", _("Write off")),
    )

    product = forms.UUIDField(widget=forms.HiddenInput)
    action = forms.ChoiceField(label=_("What"), choices=ACTIONS)
    lot = forms.CharField(label=_("Lot (empty: first to expire)"), max_length=64, required=False)
    quantity = forms.DecimalField(
        label=_("Quantity (negative to take away, when adjusting)"), decimal_places=3
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)


class TransferForm(forms.Form):
    product = forms.UUIDField(widget=forms.HiddenInput)
    to_location = forms.ChoiceField(label=_("To"))
    lot = forms.CharField(label=_("Lot (empty: first to expire)"), max_length=64, required=False)
    quantity = forms.DecimalField(label=_("Quantity"), decimal_places=3)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args: Any, destinations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_location"].choices = [  # type: ignore[attr-defined]
            (str(loc.pk), loc.name) for loc in destinations
        ]


class CountLineForm(forms.Form):
    product = forms.UUIDField(widget=forms.HiddenInput)
    lot = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)
    counted_quantity = forms.DecimalField(label=_("Counted"), decimal_places=3, min_value=0)
