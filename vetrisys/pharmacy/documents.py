"""The printable prescription and its label, rendered in the owner's language."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from vetrisys.core.pdf import render_pdf
from vetrisys.pharmacy.models import Prescription

PRESCRIPTION_TEMPLATE = "pharmacy/prescription.html"
LABEL_TEMPLATE = "pharmacy/label.html"


def document_context(prescription: Prescription) -> dict[str, Any]:
    """What the prescription and the label show."""
    patient = prescription.patient
    return {
        "prescription": prescription,
        "patient": patient,
        "client": patient.client,
        "location": prescription.location,
        "organization": prescription.location.organization,
        "prescriber": prescription.prescriber,
    }


def document_language(prescription: Prescription) -> str:
    """The owner's language: they read the prescription and the label."""
    return str(prescription.patient.client.language or "es")


def prescription_pdf(prescription: Prescription) -> bytes:
    """The prescription as an A5 PDF."""
    with translation.override(document_language(prescription)):
        return render_pdf(PRESCRIPTION_TEMPLATE, document_context(prescription))


def label_pdf(prescription: Prescription) -> bytes:
    """The dispensing label as a 62 x 29 mm PDF (a common label-printer roll)."""
    with translation.override(document_language(prescription)):
        return render_pdf(LABEL_TEMPLATE, document_context(prescription))


def filename(prescription: Prescription, kind: str) -> str:
    """A file name without characters that trouble a download."""
    safe = "".join(ch for ch in prescription.patient.name if ch.isalnum()) or "patient"
    return f"{kind}-{safe}-{prescription.prescribed_at:%Y%m%d}.pdf"
