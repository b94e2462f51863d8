"""Writes of owners. Each checks the capability, validates, writes in one transaction, audits."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, ForeignObjectRel
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.permissions import require
from vetrisys.audit.services import diff, record, snapshot
from vetrisys.clients.models import CONSENT_CHANNELS, Channel, Client, ClientPhone, Communication
from vetrisys.clients.validators import InvalidValue, Phone, normalize_document, parse_phone
from vetrisys.core.errors import Conflict, ValidationFailed
from vetrisys.core.fields import blind_index
from vetrisys.core.text import normalize_search
from vetrisys.core.timeutil import now

# Fields a person edits directly (phones and consents have their own rules).
CLIENT_FIELDS = [
    "first_name",
    "last_name",
    "document_type",
    "document_number",
    "email",
    "address",
    "district",
    "city",
    "emergency_contact_name",
    "emergency_contact_phone",
    "preferred_channel",
    "language",
    "notes",
]
_REQUIRED = {"first_name"}
_MAX_LENGTHS: dict[str, int] = {
    field.name: field.max_length
    for field in Client._meta.concrete_fields
    if field.name in CLIENT_FIELDS and field.max_length
}
_CHOICES: dict[str, set[str]] = {
    "document_type": set(Client.DocumentType.values),
    "preferred_channel": set(Channel.values),
    "language": set(Client.Language.values),
}
# A merge copies these from the duplicate when the survivor has them empty.
_FILLABLE = [
    "document_type",
    "document_number",
    "email",
    "address",
    "district",
    "city",
    "emergency_contact_name",
    "emergency_contact_phone",
]
MAX_PHONES = 10


@dataclass(frozen=True)
class PhoneEntry:
    """A validated phone of the list a person sent."""

    phone: Phone
    label: str
    is_primary: bool


class _Errors:
    """Collects field messages so that one answer lists every mistake."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.fields:
            raise ValidationFailed(_("Some fields are not valid."), fields=self.fields)


# ---------------------------------------------------------------- cleaning


def _clean_fields(fields: Mapping[str, Any], errors: _Errors, *, creating: bool) -> dict[str, Any]:
    unknown = set(fields) - set(CLIENT_FIELDS)
    for name in sorted(unknown):
        errors.add(name, _("This field cannot be changed."))
    cleaned: dict[str, Any] = {}
    for name in CLIENT_FIELDS:
        if name not in fields:
            continue
        value = fields[name]
        value = "" if value is None else str(value).strip()
        if name in _REQUIRED and not value:
            errors.add(name, _("This field is required."))
            continue
        limit = _MAX_LENGTHS.get(name)
        if limit and len(value) > limit:
            errors.add(
                name,
                _("Use at most %(limit)d characters.") % {"limit": limit},
            )
            continue
        if name in _CHOICES and value not in _CHOICES[name]:
            errors.add(name, _("Choose one of the offered options."))
            continue
        cleaned[name] = value
    if creating:
        cleaned.setdefault("first_name", "")
        if not cleaned["first_name"] and "first_name" not in errors.fields:
            errors.add("first_name", _("This field is required."))
    if cleaned.get("email"):
        cleaned["email"] = cleaned["email"].lower()
        try:
            validate_email(cleaned["email"])
        except DjangoValidationError:
            errors.add("email", _("Enter a valid email address."))
    if cleaned.get("emergency_contact_phone"):
        try:
            cleaned["emergency_contact_phone"] = parse_phone(
                cleaned["emergency_contact_phone"]
            ).e164
        except InvalidValue as error:
            errors.add("emergency_contact_phone", str(error))
    return cleaned


def _clean_document(client: Client, cleaned: dict[str, Any], errors: _Errors) -> None:
    """Validate the document number against its type (either may be what changes)."""
    if "document_number" not in cleaned and "document_type" not in cleaned:
        return
    number = cleaned.get("document_number", client.document_number)
    if "document_type" not in cleaned and "document_number" in cleaned and client._state.adding:
        digits = number.replace(" ", "")
        cleaned["document_type"] = "ruc" if len(digits) == 11 and digits.isdigit() else "dni"
    document_type = cleaned.get("document_type", client.document_type)
    if "document_type" in errors.fields:
        return
    try:
        cleaned["document_number"] = normalize_document(document_type, number)
    except InvalidValue as error:
        errors.add("document_id", str(error))


def _clean_phones(
    *, phone: str | None, phones: Iterable[Mapping[str, Any]] | None, errors: _Errors
) -> list[PhoneEntry] | None:
    """The phone list to store, or None when neither `phone` nor `phones` was sent."""
    if phone is not None and phones is not None:
        errors.add("phone", _("Send either phone or phones, not both."))
        return None
    if phones is None:
        if phone is None:
            return None
        if not phone.strip():
            return []
        try:
            return [PhoneEntry(parse_phone(phone), ClientPhone.Label.MOBILE, True)]
        except InvalidValue as error:
            errors.add("phone", str(error))
            return None
    entries: list[PhoneEntry] = []
    seen: set[str] = set()
    rows = list(phones)
    if len(rows) > MAX_PHONES:
        errors.add("phones", _("Keep at most %(count)d phones.") % {"count": MAX_PHONES})
        return None
    for index, row in enumerate(rows):
        label = str(row.get("label") or ClientPhone.Label.MOBILE)
        if label not in ClientPhone.Label.values:
            errors.add(f"phones.{index}.label", _("Choose one of the offered options."))
            continue
        try:
            parsed = parse_phone(str(row.get("number") or ""))
        except InvalidValue as error:
            errors.add(f"phones.{index}.number", str(error))
            continue
        if parsed.e164 in seen:
            errors.add(f"phones.{index}.number", _("This number is already in the list."))
            continue
        seen.add(parsed.e164)
        entries.append(PhoneEntry(parsed, label, bool(row.get("is_primary"))))
    primaries = [entry for entry in entries if entry.is_primary]
    if len(primaries) > 1:
        errors.add("phones", _("Only one phone can be the primary one."))
    elif entries and not primaries:
        first = entries[0]
        entries[0] = PhoneEntry(first.phone, first.label, True)
    return entries


def _clean_consents(consents: Mapping[str, Any] | None, errors: _Errors) -> dict[str, bool] | None:
    if consents is None:
        return None
    unknown = set(consents) - set(CONSENT_CHANNELS)
    if unknown:
        errors.add("consents", _("Consents are given per channel: email, sms, whatsapp."))
        return None
    return {channel: bool(granted) for channel, granted in consents.items()}


# ---------------------------------------------------------------- writing helpers


def _phone_numbers(client: Client) -> list[str]:
    return [f"{p.e164}{' *' if p.is_primary else ''}" for p in client.phones.all()]


def _consent_snapshot(client: Client) -> dict[str, bool]:
    return {channel: client.has_consent(channel) for channel in CONSENT_CHANNELS}


def _apply_consents(client: Client, consents: Mapping[str, bool], at: dt.datetime) -> None:
    for channel, granted in consents.items():
        field = f"{channel}_consent_at"
        if not granted:
            setattr(client, field, None)
        elif getattr(client, field) is None:
            setattr(client, field, at)


def _store_phones(client: Client, entries: list[PhoneEntry]) -> None:
    """Make the owner's phones exactly `entries` (matched by number)."""
    existing = {phone.e164: phone for phone in ClientPhone.objects.filter(client=client)}
    wanted = {entry.phone.e164 for entry in entries}
    ClientPhone.objects.filter(
        pk__in=[phone.pk for number, phone in existing.items() if number not in wanted]
    ).delete()
    # Clear the primary flag first so the one-primary constraint holds at every statement.
    ClientPhone.objects.filter(client=client, is_primary=True).update(is_primary=False)
    for entry in entries:
        phone = existing.get(entry.phone.e164)
        if phone is None:
            phone = ClientPhone(organization_id=client.organization_id, client=client)
        else:
            phone.bump_version()
        phone.number = entry.phone.number
        phone.e164 = entry.phone.e164
        phone.national_digits = entry.phone.national_digits
        phone.label = entry.label
        phone.is_primary = entry.is_primary
        phone.save()
    if hasattr(client, "_prefetched_objects_cache"):
        client._prefetched_objects_cache.pop("phones", None)


def _check_document_free(client: Client) -> None:
    if not client.document_number:
        return
    holder = (
        Client.objects.filter(
            organization_id=client.organization_id,
            document_hash=blind_index(
                Client, "document_hash", client.document_number, client.organization_id
            ),
        )
        .exclude(pk=client.pk)
        .first()
    )
    if holder is not None:
        raise Conflict(
            _("%(name)s already has this document number.") % {"name": holder.full_name},
            code="duplicate_document",
            client={"id": str(holder.pk), "name": holder.full_name},
        )


def _save(client: Client, **kwargs: Any) -> None:
    """Save, turning a race on the document number into the same 409 as the check."""
    try:
        with transaction.atomic():
            client.save(**kwargs)
    except IntegrityError:
        _check_document_free(client)
        raise


# The identifiers encrypted at rest appear masked in the audit log: the log is kept for years,
# read by managers and copied into every backup, and must not become their plain-text copy.
# A change still shows (the field is listed); the value only as a hint.
_KEEP_DIGITS = {"phones": 4, "emergency_contact_phone": 4, "document_number": 3}
_HIDDEN = {"address", "emergency_contact_name"}
MASK = "•••"


def mask_identifier(name: str, value: Any) -> Any:
    """`value` of field `name` as the audit log records it (lists masked item by item)."""
    if isinstance(value, list):
        return [mask_identifier(name, item) for item in value]
    if not isinstance(value, str) or not value:
        return value
    if name in _KEEP_DIGITS:
        keep = _KEEP_DIGITS[name]
        return re.sub(rf"[0-9A-Za-z](?=(?:[^0-9A-Za-z]*[0-9A-Za-z]){{{keep}}})", "•", value)
    if name == "email":
        local, _at, domain = value.rpartition("@")
        return f"{local[:1]}{MASK}@{domain}"
    if name in _HIDDEN:
        return MASK
    return value


def _masked(changes: dict[str, Any]) -> dict[str, Any]:
    return {name: mask_identifier(name, value) for name, value in changes.items()}


def _audit_changes(before: dict[str, Any], client: Client) -> dict[str, Any]:
    after = snapshot(client, CLIENT_FIELDS)
    after["consents"] = _consent_snapshot(client)
    after["phones"] = _phone_numbers(client)
    return _masked(diff(before, after))


def _before(client: Client) -> dict[str, Any]:
    before = snapshot(client, CLIENT_FIELDS)
    before["consents"] = _consent_snapshot(client)
    before["phones"] = _phone_numbers(client)
    return before


# ---------------------------------------------------------------- services


@transaction.atomic
def client_create(
    *,
    actor: Any,
    phone: str | None = None,
    phones: Iterable[Mapping[str, Any]] | None = None,
    consents: Mapping[str, Any] | None = None,
    **fields: Any,
) -> Client:
    """Register an owner of the actor's organization, with phones and consents."""
    require(actor, Capability.CLIENTS_MANAGE)
    errors = _Errors()
    cleaned = _clean_fields(fields, errors, creating=True)
    client = Client(organization_id=actor.organization_id)
    _clean_document(client, cleaned, errors)
    entries = _clean_phones(phone=phone, phones=phones, errors=errors)
    consent_values = _clean_consents(consents, errors)
    errors.raise_if_any()
    for name, value in cleaned.items():
        setattr(client, name, value)
    client.search_name = normalize_search(client.full_name)
    _apply_consents(client, consent_values or {}, now())
    _check_document_free(client)
    _save(client, force_insert=True)
    _store_phones(client, entries or [])
    record(
        actor=actor,
        action="client.create",
        target=client,
        organization=client.organization_id,
        changes=_masked(
            {
                **{name: getattr(client, name) for name in CLIENT_FIELDS if getattr(client, name)},
                "consents": _consent_snapshot(client),
                "phones": _phone_numbers(client),
            }
        ),
    )
    return client


@transaction.atomic
def client_update(
    *,
    actor: Any,
    client: Client,
    phone: str | None = None,
    phones: Iterable[Mapping[str, Any]] | None = None,
    consents: Mapping[str, Any] | None = None,
    **fields: Any,
) -> Client:
    """Change an owner's details, phones or consents."""
    require(actor, Capability.CLIENTS_MANAGE)
    if client.merged_into_id is not None:
        raise Conflict(
            _("This owner was merged into another one; edit that one instead."),
            code="merged",
        )
    errors = _Errors()
    cleaned = _clean_fields(fields, errors, creating=False)
    _clean_document(client, cleaned, errors)
    entries = _clean_phones(phone=phone, phones=phones, errors=errors)
    consent_values = _clean_consents(consents, errors)
    errors.raise_if_any()
    before = _before(client)
    for name, value in cleaned.items():
        setattr(client, name, value)
    client.search_name = normalize_search(client.full_name)
    if consent_values:
        _apply_consents(client, consent_values, now())
    if entries is not None and phones is None:
        entries = _replace_primary(client, entries)
    _check_document_free(client)
    client.bump_version()
    _save(client)
    if entries is not None:
        _store_phones(client, entries)
    changes = _audit_changes(before, client)
    if changes:
        record(
            actor=actor,
            action="client.update",
            target=client,
            organization=client.organization_id,
            changes=changes,
        )
    return client


def _replace_primary(client: Client, entries: list[PhoneEntry]) -> list[PhoneEntry]:
    """`phone` alone replaces the primary number and keeps the other phones."""
    others = [
        PhoneEntry(Phone(p.number, p.e164, p.national_digits), p.label, False)
        for p in ClientPhone.objects.filter(client=client, is_primary=False)
    ]
    if not entries:  # an empty `phone` removes the primary; the next one takes its place
        if others:
            first = others[0]
            others[0] = PhoneEntry(first.phone, first.label, True)
        return others
    new = entries[0]
    return [new, *[entry for entry in others if entry.phone.e164 != new.phone.e164]]


@transaction.atomic
def client_archive(*, actor: Any, client: Client) -> Client:
    """Archive an owner: out of the lists, history kept."""
    require(actor, Capability.CLIENTS_MANAGE)
    if not client.is_active:
        raise Conflict(_("This owner is already archived."), code="wrong_status")
    client.is_active = False
    client.archived_at = now()
    client.bump_version()
    client.save(update_fields=["is_active", "archived_at", "version", "updated_at"])
    record(
        actor=actor,
        action="client.archive",
        target=client,
        organization=client.organization_id,
        changes={"is_active": [True, False]},
    )
    return client


@transaction.atomic
def client_restore(*, actor: Any, client: Client) -> Client:
    """Bring an archived owner back to the lists."""
    require(actor, Capability.CLIENTS_MANAGE)
    if client.is_active:
        raise Conflict(_("This owner is not archived."), code="wrong_status")
    if client.merged_into_id is not None:
        raise Conflict(
            _("This owner was merged into another one and stays archived."), code="merged"
        )
    client.is_active = True
    client.archived_at = None
    client.bump_version()
    client.save(update_fields=["is_active", "archived_at", "version", "updated_at"])
    record(
        actor=actor,
        action="client.restore",
        target=client,
        organization=client.organization_id,
        changes={"is_active": [False, True]},
    )
    return client


@transaction.atomic
def client_merge(*, actor: Any, survivor: Client, duplicate: Client) -> Client:
    """Fold a duplicate owner into `survivor`: every row pointing at the duplicate moves, blank
    details are filled from it, and the duplicate is archived with `merged_into` set."""
    require(actor, Capability.CLIENTS_MANAGE)
    if survivor.pk == duplicate.pk:
        raise ValidationFailed.for_field("duplicate", _("An owner cannot be merged into itself."))
    if survivor.organization_id != duplicate.organization_id:
        raise ValidationFailed.for_field("duplicate", _("Owner not found."))
    locked = {
        c.pk: c
        for c in Client.objects.select_for_update().filter(pk__in=[survivor.pk, duplicate.pk])
    }
    survivor_row, duplicate_row = locked[survivor.pk], locked[duplicate.pk]
    if duplicate_row.merged_into_id is not None:
        raise Conflict(_("This duplicate was already merged."), code="merged")
    if not survivor_row.is_active:
        raise Conflict(_("Restore the owner to keep before merging into it."), code="wrong_status")

    before = snapshot(survivor_row, [*_FILLABLE, "notes", "balance"])
    filled = _fill_blanks(survivor_row, duplicate_row)
    phones_moved = _move_phones(survivor_row, duplicate_row)
    moved = {"clients.clientphone": phones_moved}
    try:
        with transaction.atomic():
            moved.update(_move_related_rows(survivor_row, duplicate_row))
    except IntegrityError:
        raise Conflict(
            _("These owners cannot be merged automatically; move their records first."),
            code="merge_conflict",
        ) from None

    duplicate_row.is_active = False
    duplicate_row.archived_at = duplicate_row.archived_at or now()
    duplicate_row.merged_into = survivor_row
    duplicate_row.bump_version()
    duplicate_row.save()
    survivor_row.bump_version()
    _save(survivor_row)

    record(
        actor=actor,
        action="client.merge",
        target=survivor_row,
        organization=survivor_row.organization_id,
        changes={
            "duplicate": {"id": duplicate_row.pk, "name": duplicate_row.full_name},
            "moved": moved,
            "filled": filled,
            **_masked(diff(before, snapshot(survivor_row, [*_FILLABLE, "notes", "balance"]))),
        },
    )
    record(
        actor=actor,
        action="client.merged_into",
        target=duplicate_row,
        organization=duplicate_row.organization_id,
        changes={"merged_into": {"id": survivor_row.pk, "name": survivor_row.full_name}},
    )
    survivor.refresh_from_db()
    duplicate.refresh_from_db()
    return survivor


def _fill_blanks(survivor: Client, duplicate: Client) -> list[str]:
    filled = []
    if not survivor.document_number and duplicate.document_number:
        # The number moves: clear it on the duplicate first (it is unique per organization).
        survivor.document_type = duplicate.document_type
        survivor.document_number = duplicate.document_number
        duplicate.document_number = ""
        duplicate.save(update_fields=["document_number", "document_hash", "updated_at"])
        filled += ["document_type", "document_number"]
    for name in _FILLABLE:
        if name in {"document_type", "document_number"}:
            continue
        if not getattr(survivor, name) and getattr(duplicate, name):
            setattr(survivor, name, getattr(duplicate, name))
            filled.append(name)
    for channel in CONSENT_CHANNELS:
        field = f"{channel}_consent_at"
        if getattr(survivor, field) is None and getattr(duplicate, field) is not None:
            setattr(survivor, field, getattr(duplicate, field))
            filled.append(field)
    if duplicate.notes:
        survivor.notes = "\n\n".join(part for part in (survivor.notes, duplicate.notes) if part)
        filled.append("notes")
    survivor.balance += duplicate.balance
    duplicate.balance = Decimal("0.00")
    return filled


def _move_phones(survivor: Client, duplicate: Client) -> int:
    """Move the duplicate's numbers the survivor does not have yet (never as its primary)."""
    has_primary = ClientPhone.objects.filter(client=survivor, is_primary=True).exists()
    known = {phone.e164 for phone in ClientPhone.objects.filter(client=survivor)}
    moved = 0
    for phone in ClientPhone.objects.filter(client=duplicate).order_by("-is_primary", "created_at"):
        if phone.e164 in known:
            continue
        phone.client = survivor
        phone.is_primary = not has_primary
        has_primary = True
        phone.bump_version()
        phone.save()
        known.add(phone.e164)
        moved += 1
    return moved


def client_relations() -> list[ForeignObjectRel]:
    """Every foreign key to Client from any app, including those without a reverse accessor
    (`related_name="+"`, which `_meta.related_objects` leaves out)."""
    return [
        field
        for field in Client._meta.get_fields(include_hidden=True)
        if isinstance(field, ForeignObjectRel) and field.one_to_many and field.field.concrete
    ]


def _move_related_rows(survivor: Client, duplicate: Client) -> dict[str, int]:
    """Re-point every foreign key to the duplicate (from any app) at the survivor."""
    moved: dict[str, int] = {}
    for relation in client_relations():
        model = relation.related_model
        if model is ClientPhone:
            continue  # handled by _move_phones (primary flag, repeated numbers)
        field_name = relation.field.name
        rows = model._base_manager.filter(**{field_name: duplicate})
        if model is Client:
            rows = rows.exclude(pk=survivor.pk)
        updates: dict[str, Any] = {field_name: survivor}
        field_names = {f.name for f in model._meta.concrete_fields}
        if "version" in field_names:
            updates["version"] = F("version") + 1
        if "updated_at" in field_names:
            updates["updated_at"] = now()
        count = rows.update(**updates)
        if count:
            moved[model._meta.label_lower] = count
    return moved


@transaction.atomic
def communication_log(
    *,
    actor: Any,
    client: Client,
    kind: str,
    direction: str = Communication.Direction.OUTBOUND,
    subject: str = "",
    body: str = "",
    occurred_at: dt.datetime | None = None,
) -> Communication:
    """Add a call, message or note to an owner's communication history."""
    require(actor, Capability.CLIENTS_MANAGE)
    errors = _Errors()
    subject = (subject or "").strip()
    body = (body or "").strip()
    if kind not in Communication.Kind.values:
        errors.add("kind", _("Choose one of the offered options."))
    if direction not in Communication.Direction.values:
        errors.add("direction", _("Choose one of the offered options."))
    if len(subject) > 200:
        errors.add("subject", _("Use at most %(limit)d characters.") % {"limit": 200})
    if not subject and not body:
        errors.add("body", _("Write what was said or sent."))
    current = now()
    if occurred_at is not None:
        if occurred_at.tzinfo is None:
            errors.add("occurred_at", _("Give the time with its offset."))
        elif occurred_at > current + dt.timedelta(minutes=5):
            errors.add("occurred_at", _("This time is in the future."))
    errors.raise_if_any()
    if client.merged_into_id is not None:
        raise Conflict(_("This owner was merged into another one; log it there."), code="merged")
    entry = Communication.objects.create(
        organization_id=client.organization_id,
        client=client,
        kind=kind,
        direction=direction,
        subject=subject,
        body=body,
        occurred_at=occurred_at or current,
        author=actor,
    )
    record(
        actor=actor,
        action="client.communication_log",
        target=client,
        organization=client.organization_id,
        changes={
            "communication": entry.pk,
            "kind": kind,
            "direction": direction,
            "subject": subject,
        },
    )
    return entry


def related_row_counts(*, client: Client) -> dict[str, int]:
    """How many rows of each kind point at an owner (shown before a merge)."""
    counts: dict[str, int] = {}
    for relation in client_relations():
        model = relation.related_model
        count = model._base_manager.filter(**{relation.field.name: client}).count()
        if count:
            counts[str(model._meta.verbose_name_plural)] = count
    return counts
