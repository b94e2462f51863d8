"""Billing: the price list, pending charges, estimates, invoices and their numbering series,
payments, client credit, payment plans, credit notes and the day close.

Documents copy prices and tax rates onto their lines; issued documents never change. Payments,
client credit and price history are append-only ledgers; an invoice's paid and credited totals
are cached sums of them, kept in step in the same transaction.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.utils.translation import gettext_lazy as _

from vetrisys.core.models import BaseModel

MONEY_DIGITS = 14
MONEY_PLACES = 2
UNIT_PRICE_PLACES = 4
QUANTITY_DIGITS = 14
QUANTITY_PLACES = 3
RATE_DIGITS = 5
RATE_PLACES = 2
ZERO = Decimal("0.00")


def _money(label: Any, **options: Any) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(
        label,
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        default=ZERO,
        **options,
    )


def _rate(label: Any) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(
        label, max_digits=RATE_DIGITS, decimal_places=RATE_PLACES, default=Decimal("0.00")
    )


class LocationPrice(BaseModel):
    """One entry of a location's price history of a product: from `valid_from` on, the price
    (without tax) there. Append-only; the current price is the latest entry already valid."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    location = models.ForeignKey(
        "accounts.Location", on_delete=models.PROTECT, related_name="prices"
    )
    product = models.ForeignKey(
        "inventory.Product", on_delete=models.PROTECT, related_name="location_prices"
    )
    price = models.DecimalField(
        _("price (without tax)"), max_digits=MONEY_DIGITS, decimal_places=UNIT_PRICE_PLACES
    )
    valid_from = models.DateTimeField(_("valid from"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("location price")
        verbose_name_plural = _("location prices")
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="location_price_not_negative"),
            models.UniqueConstraint(
                fields=["location", "product", "valid_from"], name="location_price_unique_start"
            ),
        ]
        indexes = [
            models.Index(
                fields=["location", "product", "-valid_from"], name="location_price_current_idx"
            )
        ]


class DocumentType(models.TextChoices):
    """The fiscal kinds of document, each numbered in its own series."""

    BOLETA = "boleta", _("Receipt (boleta)")
    FACTURA = "factura", _("Invoice (factura)")
    CREDIT_NOTE_BOLETA = "credit_note_boleta", _("Credit note of a receipt")
    CREDIT_NOTE_FACTURA = "credit_note_factura", _("Credit note of an invoice")


class DocumentSeries(BaseModel):
    """A numbering series of a location for one document type (B001, F001, BC01, FC01): the
    next number is taken under a row lock, so numbers are unique and without gaps."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    location = models.ForeignKey(
        "accounts.Location", on_delete=models.PROTECT, related_name="document_series"
    )
    document_type = models.CharField(
        _("document type"), max_length=20, choices=DocumentType.choices
    )
    prefix = models.CharField(_("series"), max_length=4)
    next_number = models.PositiveIntegerField(_("next number"), default=1)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["prefix"]
        verbose_name = _("document series")
        verbose_name_plural = _("document series")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "prefix"], name="document_series_unique_prefix"
            ),
            models.UniqueConstraint(
                fields=["location", "document_type"],
                condition=Q(is_active=True),
                name="document_series_one_active_per_type",
            ),
            models.CheckConstraint(
                condition=Q(next_number__gte=1), name="document_series_next_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.prefix

    def format(self, number: int) -> str:
        """The printed number: series, dash, eight digits (B001-00000042)."""
        return f"{self.prefix}-{number:08d}"


class Estimate(BaseModel):
    """A quote for a client: lines and totals like an invoice, valid until a date; accepted, it
    converts into a draft invoice."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        CONVERTED = "converted", _("Converted")

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    location = models.ForeignKey(
        "accounts.Location", on_delete=models.PROTECT, related_name="estimates"
    )
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="estimates")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="estimates", null=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    valid_until = models.DateField(_("valid until"))
    currency = models.CharField(_("currency"), max_length=3)
    discount_percent = _rate(_("discount (%)"))
    subtotal = _money(_("subtotal"))
    discount_total = _money(_("discount"))
    tax_total = _money(_("tax"))
    total = _money(_("total"))
    notes = models.TextField(_("notes"), blank=True)
    invoice = models.OneToOneField(
        "billing.Invoice",
        on_delete=models.PROTECT,
        related_name="estimate",
        null=True,
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("estimate")
        verbose_name_plural = _("estimates")
        constraints = [
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0) & Q(discount_percent__lte=100),
                name="estimate_discount_percent",
            ),
        ]
        indexes = [models.Index(fields=["location", "-created_at"], name="estimate_loc_idx")]


class Invoice(BaseModel):
    """A sale to a client at a location: a draft until issued with the next number of its
    series; issued, it never changes (corrections are credit notes)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")
        PARTIALLY_PAID = "partially_paid", _("Partially paid")
        PAID = "paid", _("Paid")
        CREDITED = "credited", _("Credited")
        VOID = "void", _("Void")

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    location = models.ForeignKey(
        "accounts.Location", on_delete=models.PROTECT, related_name="invoices"
    )
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="invoices")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="invoices", null=True
    )
    document_type = models.CharField(
        _("document type"),
        max_length=20,
        choices=DocumentType.choices[:2],
        default=DocumentType.BOLETA,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    series = models.ForeignKey(
        DocumentSeries, on_delete=models.PROTECT, related_name="invoices", null=True
    )
    number = models.PositiveIntegerField(_("number"), null=True)
    full_number = models.CharField(_("number"), max_length=20, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    discount_percent = _rate(_("discount (%)"))
    subtotal = _money(_("subtotal"))
    discount_total = _money(_("discount"))
    tax_total = _money(_("tax"))
    total = _money(_("total"))
    paid_total = _money(_("paid"))
    credited_total = _money(_("credited"))
    balance = _money(_("balance"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    void_reason = models.CharField(_("reason for voiding"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.UniqueConstraint(fields=["series", "number"], name="invoice_unique_number"),
            models.CheckConstraint(
                condition=Q(status="draft", number__isnull=True)
                | (~Q(status="draft") & Q(number__isnull=False)),
                name="invoice_numbered_once_issued",
            ),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0) & Q(discount_percent__lte=100),
                name="invoice_discount_percent",
            ),
            models.CheckConstraint(
                condition=Q(paid_total__gte=0) & Q(credited_total__gte=0) & Q(total__gte=0),
                name="invoice_totals_not_negative",
            ),
            # Amounts have two places; the half-cent band only absorbs SQLite comparing
            # decimals as floating point (on PostgreSQL it is exact equality).
            models.CheckConstraint(
                condition=Q(
                    balance__gte=F("total")
                    - F("paid_total")
                    - F("credited_total")
                    - Value(Decimal("0.005"))
                )
                & Q(
                    balance__lte=F("total")
                    - F("paid_total")
                    - F("credited_total")
                    + Value(Decimal("0.005"))
                ),
                name="invoice_balance_consistent",
            ),
            models.CheckConstraint(condition=Q(balance__gte=0), name="invoice_never_overpaid"),
        ]
        indexes = [
            models.Index(fields=["location", "-created_at"], name="invoice_loc_idx"),
            models.Index(fields=["client", "status"], name="invoice_client_status_idx"),
            # Reports of a period (revenue by day, month, location) read only this index.
            models.Index(
                fields=["location", "issued_at"],
                include=["organization", "status", "total", "balance"],
                name="invoice_loc_issued_idx",
            ),
            # What is still owed (the dashboards' receivables): the few open invoices.
            models.Index(
                fields=["location"],
                include=["issued_at", "status", "balance"],
                condition=Q(balance__gt=0),
                name="invoice_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.full_number or str(_("Draft invoice"))

    @property
    def is_draft(self) -> bool:
        """Whether the invoice may still be edited."""
        return self.status == self.Status.DRAFT


class DocumentLine(BaseModel):
    """What an estimate line and an invoice line have in common: the copied price and rate
    and the amounts totals.py computed."""

    position = models.PositiveIntegerField(_("position"), default=0)
    product = models.ForeignKey(
        "inventory.Product", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(
        _("quantity"), max_digits=QUANTITY_DIGITS, decimal_places=QUANTITY_PLACES
    )
    unit_price = models.DecimalField(
        _("unit price (without tax)"), max_digits=MONEY_DIGITS, decimal_places=UNIT_PRICE_PLACES
    )
    discount_percent = _rate(_("discount (%)"))
    discount_amount = _money(_("discount amount"))
    tax_rate = _rate(_("tax rate (%)"))
    gross_amount = _money(_("gross"))
    net_amount = _money(_("net (without tax)"))
    tax_amount = _money(_("tax"))
    total_amount = _money(_("total"))

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.description


class EstimateLine(DocumentLine):
    """A line of an estimate."""

    estimate = models.ForeignKey(Estimate, on_delete=models.CASCADE, related_name="lines")

    class Meta(DocumentLine.Meta):
        verbose_name = _("estimate line")
        verbose_name_plural = _("estimate lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0) & Q(unit_price__gte=0), name="estimate_line_positive"
            ),
        ]


class InvoiceLine(DocumentLine):
    """A line of an invoice (editable while the invoice is a draft)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")

    class Meta(DocumentLine.Meta):
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0) & Q(unit_price__gte=0), name="invoice_line_positive"
            ),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0) & Q(discount_percent__lte=100),
                name="invoice_line_discount_percent",
            ),
        ]


class Charge(BaseModel):
    """Something performed or dispensed that must be billed: pending until it is on an issued
    invoice. One per (source, source_id) that is not cancelled."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        INVOICED = "invoiced", _("Invoiced")
        CANCELLED = "cancelled", _("Cancelled")

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    location = models.ForeignKey(
        "accounts.Location", on_delete=models.PROTECT, related_name="charges"
    )
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="charges")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="charges", null=True
    )
    product = models.ForeignKey("inventory.Product", on_delete=models.PROTECT, related_name="+")
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(
        _("quantity"), max_digits=QUANTITY_DIGITS, decimal_places=QUANTITY_PLACES
    )
    unit_price = models.DecimalField(
        _("unit price (without tax)"), max_digits=MONEY_DIGITS, decimal_places=UNIT_PRICE_PLACES
    )
    tax_rate = _rate(_("tax rate (%)"))
    source = models.CharField(_("source"), max_length=50)
    source_id = models.UUIDField(_("source id"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    invoice_line = models.OneToOneField(
        InvoiceLine, on_delete=models.SET_NULL, related_name="charge", null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("charge")
        verbose_name_plural = _("charges")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "source", "source_id"],
                condition=~Q(status="cancelled"),
                name="charge_one_live_per_source",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0) & Q(unit_price__gte=0), name="charge_positive"
            ),
        ]
        indexes = [models.Index(fields=["client", "status"], name="charge_client_status_idx")]

    def __str__(self) -> str:
        return self.description


class PaymentMethod(models.TextChoices):
    """How money came in (or went back out)."""

    CASH = "cash", _("Cash")
    CARD = "card", _("Card")
    TRANSFER = "transfer", _("Bank transfer")
    MOBILE_WALLET = "mobile_wallet", _("Mobile wallet")
    FINANCING = "financing", _("Financing")
    CREDIT = "credit", _("Client credit")


class Payment(BaseModel):
    """Money received against an issued invoice. Append-only."""

    class WalletProvider(models.TextChoices):
        YAPE = "yape", "Yape"
        PLIN = "plin", "Plin"
        OTHER = "other", _("Other")

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    location = models.ForeignKey(
        "accounts.Location", on_delete=models.PROTECT, related_name="payments"
    )
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="payments")
    amount = _money(_("amount"))
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod.choices)
    wallet_provider = models.CharField(
        _("wallet"), max_length=10, choices=WalletProvider.choices, blank=True
    )
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    cash_tendered = models.DecimalField(
        _("cash tendered"),
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        null=True,
        blank=True,
    )
    change_given = _money(_("change given"))
    kept_as_credit = _money(_("kept as client credit"))
    received_at = models.DateTimeField(_("received at"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["received_at", "id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(change_given__gte=0) & Q(kept_as_credit__gte=0),
                name="payment_change_not_negative",
            ),
        ]
        indexes = [
            # Covering, so a period's collections (reports, day close) read only the index.
            models.Index(
                fields=["location", "received_at"],
                include=["organization", "amount"],
                name="payment_loc_day_idx",
            ),
        ]


class CreditNote(BaseModel):
    """A correction of an issued invoice, numbered in its own series: it lowers what is owed,
    and what was already paid beyond that becomes client credit or a refund."""

    class Outcome(models.TextChoices):
        CREDIT = "credit", _("Keep as client credit")
        REFUND = "refund", _("Refund")

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    location = models.ForeignKey(
        "accounts.Location", on_delete=models.PROTECT, related_name="credit_notes"
    )
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="credit_notes"
    )
    series = models.ForeignKey(DocumentSeries, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(_("number"))
    full_number = models.CharField(_("number"), max_length=20)
    reason = models.CharField(_("reason"), max_length=300)
    net_amount = _money(_("net (without tax)"))
    tax_amount = _money(_("tax"))
    amount = _money(_("amount"))
    applied_to_balance = _money(_("applied to the balance"))
    outcome = models.CharField(
        _("what happens to the rest"), max_length=10, choices=Outcome.choices
    )
    refunded_amount = _money(_("refunded"))
    refund_method = models.CharField(
        _("refund method"), max_length=20, choices=PaymentMethod.choices, blank=True
    )
    credited_to_client = _money(_("credited to the client"))
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")
        constraints = [
            models.UniqueConstraint(fields=["series", "number"], name="credit_note_unique_number"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="credit_note_positive"),
            models.CheckConstraint(
                condition=Q(
                    amount=F("applied_to_balance") + F("refunded_amount") + F("credited_to_client")
                ),
                name="credit_note_fully_applied",
            ),
        ]

    def __str__(self) -> str:
        return self.full_number


class CreditNoteLine(BaseModel):
    """What a credit note corrects: an invoice line (or all of the invoice) and by how much."""

    credit_note = models.ForeignKey(CreditNote, on_delete=models.PROTECT, related_name="lines")
    invoice_line = models.ForeignKey(
        InvoiceLine, on_delete=models.PROTECT, related_name="credit_lines", null=True
    )
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(
        _("quantity"), max_digits=QUANTITY_DIGITS, decimal_places=QUANTITY_PLACES, null=True
    )
    net_amount = _money(_("net (without tax)"))
    tax_amount = _money(_("tax"))
    total_amount = _money(_("total"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("credit note line")
        verbose_name_plural = _("credit note lines")


class ClientCreditEntry(BaseModel):
    """A movement of a client's credit (positive: credit given; negative: credit spent).
    Append-only; the balance is the sum."""

    class Kind(models.TextChoices):
        OVERPAYMENT = "overpayment", _("Change kept as credit")
        CREDIT_NOTE = "credit_note", _("Credit note")
        SPENT = "spent", _("Paid with credit")

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="credit_entries"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount = _money(_("amount"))
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="+", null=True)
    credit_note = models.ForeignKey(
        CreditNote, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("client credit entry")
        verbose_name_plural = _("client credit entries")
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="client_credit_not_zero"),
        ]


class PaymentPlan(BaseModel):
    """An agreement to pay an invoice's balance in scheduled installments. Installments are
    covered in order by what is paid on the invoice after the plan was made."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CANCELLED = "cancelled", _("Cancelled")

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    location = models.ForeignKey(
        "accounts.Location", on_delete=models.PROTECT, related_name="payment_plans"
    )
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payment_plans")
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="payment_plans"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    amount = _money(_("amount planned"))
    settled_before = _money(_("paid and credited before the plan"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("payment plan")
        verbose_name_plural = _("payment plans")
        constraints = [
            models.UniqueConstraint(
                fields=["invoice"],
                condition=Q(status="active"),
                name="payment_plan_one_active_per_invoice",
            ),
        ]


class Installment(BaseModel):
    """One scheduled part of a payment plan; `cumulative_amount` is what must have been paid
    on the plan once this one is covered."""

    plan = models.ForeignKey(PaymentPlan, on_delete=models.PROTECT, related_name="installments")
    sequence = models.PositiveIntegerField(_("number"))
    due_on = models.DateField(_("due on"))
    amount = _money(_("amount"))
    cumulative_amount = _money(_("cumulative amount"))

    class Meta:
        ordering = ["plan", "sequence"]
        verbose_name = _("installment")
        verbose_name_plural = _("installments")
        constraints = [
            models.UniqueConstraint(fields=["plan", "sequence"], name="installment_unique_seq"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="installment_positive"),
        ]


class DayClose(BaseModel):
    """A cashier's close of a day at a location: expected and counted amounts per method and
    the differences. Once per location, cashier and day."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    location = models.ForeignKey(
        "accounts.Location", on_delete=models.PROTECT, related_name="day_closes"
    )
    cashier = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    business_date = models.DateField(_("day"))
    expected_total = _money(_("expected"))
    counted_total = _money(_("counted"))
    difference_total = _money(_("difference"))
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"))

    class Meta:
        ordering = ["-business_date"]
        verbose_name = _("day close")
        verbose_name_plural = _("day closes")
        constraints = [
            models.UniqueConstraint(
                fields=["location", "cashier", "business_date"], name="day_close_once"
            ),
        ]


class DayCloseLine(BaseModel):
    """One payment method of a day close."""

    day_close = models.ForeignKey(DayClose, on_delete=models.PROTECT, related_name="lines")
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod.choices)
    expected = _money(_("expected"))
    counted = _money(_("counted"))
    difference = _money(_("difference"))

    class Meta:
        ordering = ["method"]
        verbose_name = _("day close line")
        verbose_name_plural = _("day close lines")
        constraints = [
            models.UniqueConstraint(fields=["day_close", "method"], name="day_close_line_once"),
            models.CheckConstraint(
                condition=Q(difference=F("counted") - F("expected")),
                name="day_close_line_difference",
            ),
        ]


class RevenueShare(models.Model):
    """The part of an invoice, a payment or a credit note that falls on each line of its
    invoice, written in the same transaction as the document. The revenue report groups these
    rows by vet or by service without reading the documents again.

    A document's amount is shared among the invoice's lines in proportion to the lines'
    totals, with cumulative rounding, so the shares of one document add up to it to the cent.
    Append-only: voiding an invoice adds the negated rows of its issue, at the same instant.
    Derived from the documents: `vetrisys revenue-verify` compares and `--repair` rebuilds."""

    class Kind(models.IntegerChoices):
        ISSUE = 1, _("Invoice issued")
        VOID = 2, _("Invoice voided")
        PAYMENT = 3, _("Payment")
        CREDIT_NOTE = 4, _("Credit note")

    id = models.BigAutoField(primary_key=True)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    location = models.ForeignKey(
        "accounts.Location", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # Issued invoices and their lines are never deleted.
    invoice = models.ForeignKey(Invoice, on_delete=models.DO_NOTHING, related_name="+")
    line = models.ForeignKey(
        InvoiceLine, on_delete=models.DO_NOTHING, related_name="+", db_index=False
    )
    kind = models.PositiveSmallIntegerField(_("kind"), choices=Kind.choices)
    document_id = models.UUIDField(_("document"))
    vet = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        db_index=False,
    )
    product = models.ForeignKey(
        "inventory.Product",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        db_index=False,
    )
    occurred_at = models.DateTimeField(_("occurred at"))
    invoice_issued_at = models.DateTimeField(_("invoice issued at"))
    invoiced = _money(_("invoiced"))
    credited = _money(_("credited"))
    collected = _money(_("collected"))
    outstanding = _money(_("outstanding"))

    class Meta:
        verbose_name = _("revenue share")
        verbose_name_plural = _("revenue shares")
        indexes = [
            # Covering, so a period's revenue by vet or service reads only the index: what
            # happened in the period, and what is still owed on the period's invoices.
            models.Index(
                fields=["organization", "occurred_at"],
                include=["location", "vet", "product", "invoiced", "credited", "collected"],
                name="revenue_share_when_idx",
            ),
            models.Index(
                fields=["organization", "invoice_issued_at"],
                include=["location", "vet", "product", "outstanding"],
                name="revenue_share_issued_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.document_id}"
