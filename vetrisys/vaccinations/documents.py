"""The vaccination certificate: its context and the PDF, in the owner's language."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import translation

from vetrisys.accounts.models import Location
from vetrisys.core.pdf import render_pdf
from vetrisys.patients.models import Patient
from vetrisys.vaccinations import selectors

CERTIFICATE_TEMPLATE = "vaccinations/certificate.html"


def certificate_context(
    *, actor: Any, patient: Patient, location: Location | None, today: dt.date
) -> dict[str, Any]:
    """What the certificate shows: the clinic, the patient and owner, every dose given and
    where each vaccine stands."""
    vaccinations = list(selectors.vaccination_list(actor=actor, patient=patient))
    clinic = location or (vaccinations[0].location if vaccinations else None)
    return {
        "organization": clinic.organization if clinic else None,
        "location": clinic,
        "patient": patient,
        "client": patient.client,
        "vaccinations": vaccinations,
        "statuses": selectors.vaccine_status(actor=actor, patient=patient, today=today),
        "issued_on": today,
        "issued_by": actor,
    }


def certificate_language(patient: Patient) -> str:
    """The owner's language (documents are read by the owner)."""
    return str(patient.client.language or "es")


def certificate_pdf(context: dict[str, Any]) -> bytes:
    """The certificate as PDF, rendered in the owner's language."""
    with translation.override(certificate_language(context["patient"])):
        return render_pdf(CERTIFICATE_TEMPLATE, context)


def certificate_filename(patient: Patient) -> str:
    """A file name without characters that trouble a download."""
    safe = "".join(ch for ch in patient.name if ch.isalnum()) or "patient"
    return f"vaccination-certificate-{safe}.pdf"
