"""Rows built in memory with the services' normalisation, for bulk loads (demo data, bench).

Bulk loads skip the audit log on purpose: they create synthetic data, not a person's change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vetrisys.clients.models import Client, ClientPhone, ClientPhoneSuffix
from vetrisys.clients.validators import parse_phone
from vetrisys.core.text import normalize_search


def client_row(*, organization_id: Any, first_name: str, last_name: str, **fields: Any) -> Client:
    """An unsaved owner with its search name filled in."""
    email = str(fields.pop("email", "")).strip().lower()
    return Client(
        organization_id=organization_id,
        first_name=first_name,
        last_name=last_name,
        search_name=normalize_search(f"{first_name} {last_name}"),
        email=email,
        **fields,
    )


def phone_row(
    *, client: Client, number: str, label: str = "mobile", is_primary: bool = True
) -> ClientPhone:
    """An unsaved phone of `client`, normalised like the services store it."""
    phone = parse_phone(number)
    return ClientPhone(
        organization_id=client.organization_id,
        client=client,
        number=phone.number,
        e164=phone.e164,
        national_digits=phone.national_digits,
        label=label,
        is_primary=is_primary,
    )


def create_phones(phones: Sequence[ClientPhone], *, batch_size: int = 5000) -> list[ClientPhone]:
    """Insert phones and their ending hashes (`bulk_create` skips `save()`, which keeps them)."""
    created = ClientPhone.objects.bulk_create(phones, batch_size=batch_size)
    ClientPhoneSuffix.objects.bulk_create(
        ClientPhoneSuffix.rows_for(created), batch_size=batch_size
    )
    return created
