"""Erasing an owner: identity gone, what the law requires kept, refusals, the journal."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from vetrisys.audit.models import AuditEvent
from vetrisys.billing.models import Invoice
from vetrisys.clients.models import Client, ClientPhone, Communication
from vetrisys.clients.selectors import client_search
from vetrisys.core.errors import Conflict, NotAllowed, ValidationFailed
from vetrisys.patients.models import Patient
from vetrisys.privacy.journal import JournalUnavailable
from vetrisys.privacy.models import ErasureRecord
from vetrisys.privacy.services import client_erase
from vetrisys.scheduling.tests.factories import MONDAY, AppointmentTypeFactory, at, make_appointment

pytestmark = pytest.mark.django_db


def _identity(client: Client) -> tuple[object, ...]:
    client.refresh_from_db()
    return (
        client.first_name,
        client.last_name,
        client.document_number,
        client.email,
        client.address,
        client.emergency_contact_name,
        client.phones.count(),
    )


def test_erasure_removes_the_identity_and_keeps_records_and_invoices(ana, admin, privacy_folders):
    short = ana.pk.hex[-8:]

    erasure = client_erase(actor=admin, client=ana, reason="Solicitud escrita del 20/11/2026")

    ana.refresh_from_db()
    assert (ana.first_name, ana.last_name, ana.full_name) == (
        f"Erased client {short}",
        "",
        f"Erased client {short}",
    )
    assert ana.search_name == f"erased client {short}"
    blanked = [
        ana.document_number,
        ana.email,
        ana.address,
        ana.district,
        ana.city,
        ana.emergency_contact_name,
        ana.emergency_contact_phone,
        ana.notes,
    ]
    assert blanked == [""] * 8
    assert (ana.document_type, ana.email_consent_at, ana.sms_consent_at) == ("other", None, None)
    assert (ana.is_active, ana.archived_at is not None) == (False, True)
    assert ClientPhone.objects.filter(client=ana).count() == 0
    call = Communication.objects.get(client=ana)
    assert (call.kind, call.subject, call.body) == ("call", "", "")
    rocky = Patient.objects.get(client=ana)
    assert (rocky.name, rocky.microchip) == ("Rocky", "")
    invoice = Invoice.objects.get(client=ana)
    assert (invoice.full_number, invoice.total, invoice.status) == (
        "B001-00000007",
        Decimal("118.00"),
        "paid",
    )
    assert (erasure.client_id, erasure.erased_by, erasure.reason) == (
        ana.pk,
        admin,
        "Solicitud escrita del 20/11/2026",
    )
    journal = (privacy_folders / "var" / "erasures.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in journal] == [
        {
            "id": str(erasure.pk),
            "client": str(ana.pk),
            "organization": str(ana.organization_id),
            "erased_at": erasure.erased_at.isoformat(),
        }
    ]
    event = AuditEvent.objects.get(action="client.erase")
    assert event.changes == {
        "erasure": str(erasure.pk),
        "phones": 1,
        "communications": 1,
        "microchips": 1,
        "messages": 0,
    }
    assert event.target_label == f"Erased client {short}"
    assert "Torres" not in json.dumps(event.changes)


@pytest.mark.parametrize(
    "query",
    ["Ana Torres", "45678912", "ana.torres@correo.pe", "987654321", "4321", "981020000123456"],
)
def test_an_erased_owner_is_not_found_by_what_identified_them(ana, admin, query):
    assert list(client_search(actor=admin, q=query, is_active=None)) == [ana]

    client_erase(actor=admin, client=ana, reason="Solicitud")

    assert list(client_search(actor=admin, q=query, is_active=None)) == []


def test_only_an_organization_admin_may_erase(ana, manager_a, receptionist_a, privacy_folders):
    before = _identity(ana)
    for person in (manager_a, receptionist_a):
        with pytest.raises(NotAllowed):
            client_erase(actor=person, client=ana, reason="Solicitud")

    assert _identity(ana) == before
    assert ErasureRecord.objects.count() == 0
    assert not (privacy_folders / "var" / "erasures.jsonl").exists()


def test_a_reason_is_required(ana, admin):
    with pytest.raises(ValidationFailed) as error:
        client_erase(actor=admin, client=ana, reason="   ")

    assert error.value.fields == {"reason": ["Say why this owner is erased."]}
    assert _identity(ana)[0] == "Ana"


def test_an_owner_who_owes_money_is_not_erased(ana, admin, world):
    Invoice.objects.create(
        organization=world.org,
        location=world.location_a,
        client=ana,
        status=Invoice.Status.ISSUED,
        number=8,
        full_number="B001-00000008",
        currency="PEN",
        total=Decimal("50.00"),
        balance=Decimal("50.00"),
        created_by=admin,
    )
    before = _identity(ana)

    with pytest.raises(Conflict) as error:
        client_erase(actor=admin, client=ana, reason="Solicitud")

    assert error.value.code == "erasure_blocked"
    assert error.value.message == "This owner cannot be erased yet: the owner owes 50.00."
    assert error.value.extra == {"unpaid_balance": "50.00"}
    assert _identity(ana) == before


def test_an_owner_with_an_appointment_ahead_is_not_erased(ana, admin, vet_a, world):
    make_appointment(
        location=world.location_a,
        patient=Patient.objects.get(client=ana),
        vet=vet_a,
        appointment_type=AppointmentTypeFactory(organization=world.org),
        starts_at=at(MONDAY, "10:00"),
        created_by=admin,
    )

    with pytest.raises(Conflict) as error:
        client_erase(actor=admin, client=ana, reason="Solicitud")

    assert error.value.extra == {"future_appointments": 1}
    assert error.value.message == (
        "This owner cannot be erased yet: the owner has upcoming appointments."
    )
    assert _identity(ana)[0] == "Ana"


def test_an_owner_is_erased_once(ana, admin):
    client_erase(actor=admin, client=ana, reason="Solicitud")

    with pytest.raises(Conflict) as error:
        client_erase(actor=admin, client=ana, reason="Otra vez")

    assert error.value.code == "already_erased"
    assert ErasureRecord.objects.count() == 1


def test_without_a_writable_journal_nothing_is_erased(ana, admin, settings, tmp_path):
    settings.PRIVACY_JOURNAL = tmp_path  # a folder: it cannot be appended to
    before = _identity(ana)

    with pytest.raises(JournalUnavailable):
        client_erase(actor=admin, client=ana, reason="Solicitud")

    assert _identity(ana) == before
    assert ErasureRecord.objects.count() == 0
    assert not AuditEvent.objects.filter(action="client.erase").exists()
