"""Parsing of the billing screens' posts: they turn fields into what the services take; the
services validate."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from vetrisys.billing.models import DocumentType, PaymentMethod
from vetrisys.billing.services.documents import LineSpec
from vetrisys.core.errors import ValidationFailed
from vetrisys.inventory.models import Product

LINE_FIELDS = ("product", "description", "quantity", "unit_price", "discount_percent",
               "discount_amount", "tax_rate")  # fmt: skip


def _blank_to_none(value: str) -> str | None:
    value = value.strip()
    return value or None


def posted_lines(data: QueryDict, products: dict[str, Product]) -> list[LineSpec]:
    """The added lines of a checkout or estimate form: parallel `line-<field>` lists."""
    columns = {name: data.getlist(f"line-{name}") for name in LINE_FIELDS}
    count = len(columns["description"])
    specs = []
    for index in range(count):

        def value(name: str, index: int = index) -> str | None:
            values = columns[name]
            return _blank_to_none(values[index]) if index < len(values) else None

        product_id = value("product")
        specs.append(
            LineSpec(
                description=value("description") or "",
                quantity=value("quantity") or "1",
                product=products.get(product_id) if product_id else None,
                unit_price=value("unit_price"),
                discount_percent=value("discount_percent"),
                discount_amount=value("discount_amount"),
                tax_rate=value("tax_rate"),
            )
        )
    return specs


def optional_decimal(value: str | None, field: str) -> Decimal | None:
    """A decimal typed by a person, or None when left empty (422 when it is not a number)."""
    text = (value or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValidationFailed.for_field(field, str(_("Enter a number."))) from None
    if not number.is_finite():
        raise ValidationFailed.for_field(field, str(_("Enter a number.")))
    return number


@dataclass(frozen=True)
class PaymentInput:
    """A payment as typed at the counter."""

    method: str
    amount: Decimal | None
    cash_tendered: Decimal | None
    reference: str
    wallet_provider: str
    keep_change_as_credit: bool


def posted_payment(data: QueryDict) -> PaymentInput:
    method = data.get("method", PaymentMethod.CASH)
    return PaymentInput(
        method=method if method in PaymentMethod.values else PaymentMethod.CASH,
        amount=optional_decimal(data.get("amount"), "amount"),
        cash_tendered=optional_decimal(data.get("cash_tendered"), "cash_tendered"),
        reference=data.get("reference", "").strip()[:100],
        wallet_provider=data.get("wallet_provider", "").strip()[:10],
        keep_change_as_credit=data.get("keep_change_as_credit") == "on",
    )


class PaymentForm(forms.Form):
    """Take a payment on an issued invoice."""

    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)
    amount = forms.DecimalField(label=_("Amount"), decimal_places=2)
    cash_tendered = forms.DecimalField(label=_("Cash tendered"), decimal_places=2, required=False)
    wallet_provider = forms.ChoiceField(
        label=_("Wallet"),
        required=False,
        choices=[("", "—"), ("yape", "Yape"), ("plin", "Plin"), ("other", _("Other"))],
    )
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)
    keep_change_as_credit = forms.BooleanField(
        label=_("Keep what is paid over the balance as client credit"), required=False
    )


class DocumentTypeForm(forms.Form):
    document_type = forms.ChoiceField(
        label=_("Document"),
        choices=DocumentType.choices[:2],
        widget=forms.RadioSelect,
        initial=DocumentType.BOLETA,
    )


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class CreditNoteForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)
    amount = forms.DecimalField(
        label=_("Amount (empty: the lines chosen below)"), decimal_places=2, required=False
    )


class PaymentPlanForm(forms.Form):
    installments = forms.IntegerField(
        label=_("Monthly installments"), min_value=1, max_value=36, initial=3
    )
    first_due_on = forms.DateField(
        label=_("First due on"), widget=forms.DateInput(attrs={"type": "date"})
    )


class EstimateHeaderForm(forms.Form):
    valid_until = forms.DateField(
        label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    discount_percent = forms.DecimalField(
        label=_("Discount on the whole estimate (%)"), decimal_places=2, required=False
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class LocationPriceForm(forms.Form):
    price = forms.DecimalField(label=_("Price at this location (without tax)"), decimal_places=4)


def apply_errors(form: forms.Form, error: ValidationFailed) -> None:
    """Show a service's field errors on the form (unknown fields on the form itself)."""
    for field, field_messages in error.fields.items():
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)
    if not error.fields:
        form.add_error(None, error.message)
