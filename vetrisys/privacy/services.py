"""Data-subject rights: erase (anonymize) an owner, and apply erasures again after a restore.

What goes: the owner's identity and contact details, phones, consents, the text of their
communications and messages, their pets' microchip numbers. What stays, because the clinic
must keep it: the clinical records of the pets, issued invoices (numbers and amounts; they
now print the erased name), payments, prescriptions and dispensing (quantities) — all
pointing at the anonymized owner row. See docs/privacy.md.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.permissions import require
from vetrisys.audit.services import record
from vetrisys.clients.models import Client, ClientPhone, Communication
from vetrisys.core.errors import Conflict, ValidationFailed
from vetrisys.core.ids import uuid7
from vetrisys.core.text import normalize_search
from vetrisys.core.timeutil import now
from vetrisys.privacy.journal import journal_append, journal_entries
from vetrisys.privacy.models import ErasureRecord

logger = logging.getLogger("vetrisys.privacy")

REASON_MAX = 500
CENT = Decimal("0.01")
# Client fields emptied by an erasure (the name is replaced, not emptied).
_BLANKED = [
    "document_number",
    "email",
    "address",
    "district",
    "city",
    "emergency_contact_name",
    "emergency_contact_phone",
    "notes",
]
_CONSENTS = ["email_consent_at", "sms_consent_at", "whatsapp_consent_at"]
# Appointments that have not happened yet.
_UPCOMING = ["scheduled", "checked_in", "in_progress"]


def erased_name(client: Client) -> str:
    """ "Erased client 3f9a1c2e": what the owner is called once erased (last 8 hex digits of
    the id, enough to tell two erased owners apart on a screen)."""
    return f"Erased client {client.pk.hex[-8:]}"


def is_erased(client: Client) -> bool:
    """Whether the owner's identity was erased."""
    return ErasureRecord.objects.filter(client=client).exists()


def erasure_blockers(*, client: Client) -> dict[str, Any]:
    """Why the owner cannot be erased yet: money owed, charges to bill, visits ahead."""
    blockers: dict[str, Any] = {}
    invoice = apps.get_model("billing", "Invoice")
    charge = apps.get_model("billing", "Charge")
    appointment = apps.get_model("scheduling", "Appointment")
    owed = invoice.objects.filter(
        client=client,
        status__in=["issued", "partially_paid"],
        balance__gt=0,
    ).aggregate(total=models.Sum("balance"))["total"]
    if owed:
        blockers["unpaid_balance"] = str(Decimal(owed).quantize(CENT))
    pending = charge.objects.filter(client=client, status="pending").count()
    if pending:
        blockers["pending_charges"] = pending
    upcoming = appointment.objects.filter(
        client=client, status__in=_UPCOMING, ends_at__gte=now()
    ).count()
    if upcoming:
        blockers["future_appointments"] = upcoming
    return blockers


def _blocker_message(blockers: dict[str, Any]) -> str:
    parts = []
    if "unpaid_balance" in blockers:
        parts.append(_("owes %(amount)s") % {"amount": blockers["unpaid_balance"]})
    if "pending_charges" in blockers:
        parts.append(_("has charges not yet invoiced"))
    if "future_appointments" in blockers:
        parts.append(_("has upcoming appointments"))
    return _("This owner cannot be erased yet: the owner %(reasons)s.") % {
        "reasons": ", ".join(parts)
    }


def _empty_hashes(model: type[models.Model]) -> dict[str, Any]:
    """Keyed-hash lookup columns (of encrypted fields) emptied with what they index, so that
    a search by an erased value finds nothing (save() recomputes them; update() does not)."""
    return {
        field.attname: None if field.null else ""
        for field in model._meta.concrete_fields
        if field.name.endswith("_hash")
    }


def anonymize(client: Client, *, at: dt.datetime) -> dict[str, int]:
    """Remove the owner's identity from every table (no checks, no audit: the callers do)."""
    client.first_name = erased_name(client)
    client.last_name = ""
    client.search_name = normalize_search(client.first_name)
    client.document_type = Client.DocumentType.OTHER
    for name in _BLANKED:
        setattr(client, name, "")
    for name in _CONSENTS:
        setattr(client, name, None)
    client.preferred_channel = "phone"
    if client.is_active:
        client.is_active = False
        client.archived_at = at
    for name, value in _empty_hashes(Client).items():
        setattr(client, name, value)
    client.bump_version()
    client.save()
    _deleted, per_model = ClientPhone.objects.filter(client=client).delete()
    counts = {"phones": per_model.get(ClientPhone._meta.label, 0)}
    counts["communications"] = Communication.objects.filter(client=client).update(
        subject="",
        body="",
        updated_at=at,
        version=models.F("version") + 1,
        **_empty_hashes(Communication),
    )
    counts["microchips"] = 0
    patient_model = apps.get_model("patients", "Patient")
    # One by one through save(): any lookup hash of the microchip follows it.
    for patient in patient_model.objects.filter(client=client).exclude(microchip=""):
        patient.microchip = ""
        patient.bump_version()
        patient.save()
        counts["microchips"] += 1
    if apps.is_installed("vetrisys.notifications"):
        message = apps.get_model("notifications", "Message")
        message.objects.filter(client=client, status__in=["queued", "sending"]).update(
            status="cancelled", cancelled_reason="owner erased"
        )
        counts["messages"] = message.objects.filter(client=client).update(
            to="",
            subject="",
            body="",
            updated_at=at,
            version=models.F("version") + 1,
            **_empty_hashes(message),
        )
    return counts


@transaction.atomic
def client_erase(*, actor: Any, client: Client, reason: str) -> ErasureRecord:
    """Erase an owner's identity on their request (or by law), keeping what the clinic must
    keep; refused while they owe money, have charges to bill or appointments ahead."""
    require(actor, Capability.ORGANIZATION_MANAGE)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.for_field("reason", _("Say why this owner is erased."))
    if len(reason) > REASON_MAX:
        raise ValidationFailed.for_field(
            "reason", _("Use at most %(limit)d characters.") % {"limit": REASON_MAX}
        )
    client = Client.objects.select_for_update().get(pk=client.pk)
    if is_erased(client):
        raise Conflict(_("This owner was already erased."), code="already_erased")
    blockers = erasure_blockers(client=client)
    if blockers:
        raise Conflict(_blocker_message(blockers), code="erasure_blocked", **blockers)
    at = now()
    erasure = ErasureRecord.objects.create(
        id=uuid7(),
        organization_id=client.organization_id,
        client=client,
        erased_at=at,
        erased_by=actor,
        reason=reason,
    )
    counts = anonymize(client, at=at)
    record(
        actor=actor,
        action="client.erase",
        target=client,
        organization=client.organization_id,
        changes={"erasure": erasure.pk, **counts},
    )
    # Last, so that a refusal above leaves no line; if the commit itself then failed, the
    # line would only make a later restore erase an owner someone asked to erase.
    journal_append(
        {
            "id": str(erasure.pk),
            "client": str(client.pk),
            "organization": str(client.organization_id),
            "erased_at": at.isoformat(),
        }
    )
    return erasure


def erasures_reapply() -> int:
    """Apply again every erasure of the journal that the database does not hold (after a
    restore of a backup older than the erasure). Returns how many were applied."""
    applied = 0
    for entry in journal_entries():
        if ErasureRecord.objects.filter(pk=entry["id"]).exists():
            continue
        client = Client.objects.filter(pk=entry["client"]).first()
        if client is None or is_erased(client):  # the backup is older than the owner
            continue
        at = now()
        with transaction.atomic():
            ErasureRecord.objects.create(
                id=entry["id"],
                organization_id=client.organization_id,
                client=client,
                erased_at=dt.datetime.fromisoformat(entry["erased_at"]),
                reapplied_at=at,
            )
            counts = anonymize(client, at=at)
            record(
                actor=None,
                action="client.erase_reapplied",
                target=client,
                organization=client.organization_id,
                changes={"erasure": entry["id"], **counts},
            )
        applied += 1
    if applied:
        logger.warning("applied %d erasures again after the restore", applied)
    return applied
