"""Numbering: each location has one active series per document type; issuing takes its next
number under a row lock, so numbers are unique and gap-free."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from vetrisys.billing.models import DocumentSeries, DocumentType
from vetrisys.billing.services.common import locked

LETTERS = {
    DocumentType.BOLETA: ("B", 3),
    DocumentType.FACTURA: ("F", 3),
    DocumentType.CREDIT_NOTE_BOLETA: ("BC", 2),
    DocumentType.CREDIT_NOTE_FACTURA: ("FC", 2),
}


def _free_prefix(organization_id: Any, document_type: str) -> str:
    letters, digits = LETTERS[DocumentType(document_type)]
    taken = set(
        DocumentSeries.objects.filter(
            organization_id=organization_id, prefix__startswith=letters
        ).values_list("prefix", flat=True)
    )
    number = 1
    while f"{letters}{number:0{digits}d}" in taken:
        number += 1
    return f"{letters}{number:0{digits}d}"


def series_for(location: Any, document_type: str) -> DocumentSeries:
    """The location's active series of the type, created on first use (B001, F001, BC01…)."""
    found = DocumentSeries.objects.filter(
        location=location, document_type=document_type, is_active=True
    ).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return DocumentSeries.objects.create(
                organization_id=location.organization_id,
                location=location,
                document_type=document_type,
                prefix=_free_prefix(location.organization_id, document_type),
            )
    except IntegrityError:
        return DocumentSeries.objects.get(
            location=location, document_type=document_type, is_active=True
        )


def take_number(location: Any, document_type: str) -> tuple[DocumentSeries, int]:
    """Lock the series row and take its next number (inside the caller's transaction)."""
    series = series_for(location, document_type)
    series = locked(DocumentSeries.objects.filter(pk=series.pk)).get()
    number = series.next_number
    series.next_number = number + 1
    series.save(update_fields=["next_number", "updated_at"])
    return series, number
