"""The receipt by email: the PDF attached, in the client's language, handed to the email
backend (EMAIL_URL) once the transaction that asked for it commits."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.permissions import require
from vetrisys.audit.services import record
from vetrisys.billing import documents
from vetrisys.billing.models import Invoice
from vetrisys.core.errors import Conflict, ValidationFailed


def receipt_message(invoice: Invoice, pdf: bytes) -> EmailMessage:
    """The message: subject and body in the client's language, the receipt attached."""
    client = invoice.client
    clinic = invoice.location.organization
    with translation.override(documents.client_language(client)):
        subject = _("Your receipt %(number)s from %(clinic)s") % {
            "number": invoice.full_number,
            "clinic": clinic.name,
        }
        body = _(
            "Hello %(name)s,\n\nAttached is your receipt %(number)s for %(total)s %(currency)s."
            "\nBalance due: %(balance)s %(currency)s.\n\nThank you,\n%(clinic)s"
        ) % {
            "name": client.first_name,
            "number": invoice.full_number,
            "total": invoice.total,
            "balance": invoice.balance,
            "currency": invoice.currency,
            "clinic": clinic.name,
        }
    message = EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[client.email]
    )
    message.attach(documents.receipt_filename(invoice), pdf, "application/pdf")
    return message


def receipt_email(*, actor: Any, invoice: Invoice) -> str:
    """Send the receipt of an issued invoice to its client's email; answers the address."""
    require(actor, Capability.BILLING_VIEW, invoice.location)
    if invoice.status in (Invoice.Status.DRAFT, Invoice.Status.VOID):
        raise Conflict(_("Only an issued invoice has a receipt to send."), code="invalid_status")
    address = (invoice.client.email or "").strip()
    if not address:
        raise ValidationFailed.for_field("email", _("The client has no email address."))
    # Rendered now, so a rendering problem is the cashier's error message, not a lost email.
    message = receipt_message(invoice, documents.receipt_pdf(invoice))
    with transaction.atomic():
        record(
            actor=actor, action="billing.receipt_emailed", target=invoice,
            location=invoice.location, changes={"client": str(invoice.client_id)},
        )  # fmt: skip
        transaction.on_commit(lambda: message.send(fail_silently=False))
    return address
