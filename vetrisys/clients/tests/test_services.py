import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from vetrisys.accounts.tests.factories import make_staff
from vetrisys.audit.models import AuditEvent
from vetrisys.clients import services
from vetrisys.clients.models import Client, ClientPhone, Communication
from vetrisys.clients.tests.factories import ClientFactory, CommunicationFactory, add_phone
from vetrisys.core.errors import Conflict, NotAllowed, ValidationFailed


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("sequence"))


def test_create_normalises_and_stores_everything(receptionist_a, world):
    client = services.client_create(
        actor=receptionist_a,
        first_name="  María José ",
        last_name="Muñoz Quispe",
        email="Maria.Munoz@Example.PE",
        document_number="4567 8912",
        phones=[
            {"number": "01 234 5678", "label": "home"},
            {"number": "987-654-321", "label": "mobile", "is_primary": True},
        ],
        consents={"email": True, "sms": False, "whatsapp": True},
        preferred_channel="whatsapp",
        district="Miraflores",
        city="Lima",
        emergency_contact_name="Rosa Quispe",
        emergency_contact_phone="912 345 678",
    )

    client.refresh_from_db()
    assert client.organization_id == world.org.pk
    assert client.first_name == "María José"
    assert client.search_name == "maria jose munoz quispe"
    assert client.email == "maria.munoz@example.pe"
    assert (client.document_type, client.document_number) == ("dni", "45678912")
    assert client.emergency_contact_phone == "+51912345678"
    assert client.balance == Decimal("0.00")
    assert client.is_active is True
    assert client.email_consent_at is not None
    assert client.whatsapp_consent_at is not None
    assert client.sms_consent_at is None
    phones = sorted(client.phones.all(), key=lambda p: (not p.is_primary, p.e164))
    assert [(p.e164, p.label, p.is_primary) for p in phones] == [
        ("+51987654321", "mobile", True),
        ("+5112345678", "home", False),
    ]
    [event] = _events("client.create")
    assert event.target_id == str(client.pk)
    assert event.actor_id == receptionist_a.pk
    # Identifiers encrypted at rest are masked in the audit log.
    assert event.changes["phones"] == ["+•••••••4321 *", "+••••••5678"]
    assert (event.changes["email"], event.changes["document_number"]) == (
        "m•••@example.pe",
        "•••••912",
    )
    assert event.changes["emergency_contact_phone"] == "+•••••••5678"
    assert event.changes["consents"] == {"email": True, "sms": False, "whatsapp": True}


def test_eleven_digits_without_a_type_are_a_ruc(receptionist_a):
    client = services.client_create(
        actor=receptionist_a, first_name="Agropecuaria", document_number="20100070970"
    )

    assert (client.document_type, client.document_number) == ("ruc", "20100070970")


def test_a_single_phone_becomes_the_primary_one(receptionist_a):
    client = services.client_create(
        actor=receptionist_a, first_name="José", phone="+51 999 888 777"
    )

    assert [(p.e164, p.is_primary) for p in client.phones.all()] == [("+51999888777", True)]


def test_invalid_input_is_refused_with_every_field_and_nothing_written(receptionist_a):
    with pytest.raises(ValidationFailed) as caught:
        services.client_create(
            actor=receptionist_a,
            first_name="",
            email="not-an-email",
            document_type="ruc",
            document_number="20100070971",
            phones=[{"number": "123"}, {"number": "987654321", "label": "fax"}],
            preferred_channel="pigeon",
        )

    assert caught.value.status == 422
    assert caught.value.fields == {
        "first_name": ["This field is required."],
        "email": ["Enter a valid email address."],
        "document_id": ["This RUC's check digit is wrong; please check the number."],
        "phones.0.number": ["Enter a valid phone number, e.g. 987 654 321 or +51 1 234 5678."],
        "phones.1.label": ["Choose one of the offered options."],
        "preferred_channel": ["Choose one of the offered options."],
    }
    assert Client.objects.count() == 0
    assert ClientPhone.objects.count() == 0
    assert AuditEvent.objects.filter(action__startswith="client.").count() == 0


@pytest.mark.parametrize(
    ("document_type", "number", "message"),
    [
        ("dni", "1234567", "A DNI has 8 digits."),
        ("ruc", "30100070970", "A RUC has 11 digits and starts with 10, 15, 17 or 20."),
        ("passport", "12", "A passport number has 6 to 12 letters or digits."),
    ],
)
def test_malformed_documents_name_the_field(receptionist_a, document_type, number, message):
    with pytest.raises(ValidationFailed) as caught:
        services.client_create(
            actor=receptionist_a,
            first_name="Ana",
            document_type=document_type,
            document_number=number,
        )

    assert caught.value.fields == {"document_id": [message]}
    assert Client.objects.count() == 0


def test_two_primary_phones_are_refused(receptionist_a):
    with pytest.raises(ValidationFailed) as caught:
        services.client_create(
            actor=receptionist_a,
            first_name="Ana",
            phones=[
                {"number": "987654321", "is_primary": True},
                {"number": "987654322", "is_primary": True},
            ],
        )

    assert caught.value.fields == {"phones": ["Only one phone can be the primary one."]}


def test_a_document_already_registered_is_a_conflict_naming_the_owner(receptionist_a, world):
    holder = ClientFactory(
        organization=world.org, first_name="Rosa", last_name="Huamán", document_number="45678912"
    )

    with pytest.raises(Conflict) as caught:
        services.client_create(actor=receptionist_a, first_name="Otra", document_number="45678912")

    assert caught.value.status == 409
    assert caught.value.code == "duplicate_document"
    assert caught.value.message == "Rosa Huamán already has this document number."
    assert caught.value.extra == {"client": {"id": str(holder.pk), "name": "Rosa Huamán"}}
    assert Client.objects.count() == 1


def test_the_same_document_in_another_organization_is_fine(receptionist_a, world):
    ClientFactory(organization=world.other_org, document_number="45678912")

    client = services.client_create(
        actor=receptionist_a, first_name="Rosa", document_number="45678912"
    )

    assert client.document_number == "45678912"


def test_a_technician_cannot_register_owners(world):
    technician = make_staff(location=world.location_a, role="technician", username="tech_a")

    with pytest.raises(NotAllowed):
        services.client_create(actor=technician, first_name="Ana")

    assert Client.objects.count() == 0


def test_update_changes_fields_consents_and_primary_phone_and_audits_the_diff(
    receptionist_a, world
):
    client = services.client_create(
        actor=receptionist_a,
        first_name="Rosa",
        last_name="Huaman",
        phones=[{"number": "987654321"}, {"number": "01 234 5678", "label": "home"}],
        consents={"sms": True},
    )
    sms_given_at = client.sms_consent_at

    services.client_update(
        actor=receptionist_a,
        client=client,
        last_name="Huamán",
        phone="912 345 678",
        consents={"email": True, "sms": True},
    )

    client.refresh_from_db()
    assert client.search_name == "rosa huaman"
    assert client.version == 2
    assert client.sms_consent_at == sms_given_at
    assert client.email_consent_at is not None
    assert sorted((p.e164, p.is_primary) for p in client.phones.all()) == [
        ("+5112345678", False),
        ("+51912345678", True),
    ]
    [event] = _events("client.update")
    assert event.changes == {
        "last_name": ["Huaman", "Huamán"],
        "consents": [
            {"email": False, "sms": True, "whatsapp": False},
            {"email": True, "sms": True, "whatsapp": False},
        ],
        "phones": [["+•••••••4321 *", "+••••••5678"], ["+•••••••5678 *", "+••••••5678"]],
    }


def test_update_with_invalid_input_changes_nothing(receptionist_a, world):
    client = services.client_create(actor=receptionist_a, first_name="Rosa", phone="987654321")

    with pytest.raises(ValidationFailed) as caught:
        services.client_update(
            actor=receptionist_a, client=client, first_name="Rosita", email="x@", phone="12"
        )

    assert set(caught.value.fields) == {"email", "phone"}
    client.refresh_from_db()
    assert (client.first_name, client.email, client.version) == ("Rosa", "", 1)
    assert [p.e164 for p in client.phones.all()] == ["+51987654321"]
    assert _events("client.update") == []


def test_archive_and_restore_follow_their_transitions(receptionist_a, world):
    client = ClientFactory(organization=world.org)

    services.client_archive(actor=receptionist_a, client=client)
    with pytest.raises(Conflict):
        services.client_archive(actor=receptionist_a, client=client)
    client.refresh_from_db()
    assert client.is_active is False
    assert client.archived_at is not None

    services.client_restore(actor=receptionist_a, client=client)
    client.refresh_from_db()
    assert (client.is_active, client.archived_at) == (True, None)
    assert [e.action for e in AuditEvent.objects.order_by("sequence")] == [
        "client.archive",
        "client.restore",
    ]


def test_merge_moves_phones_history_and_every_related_row(receptionist_a, world):
    survivor = ClientFactory(organization=world.org, first_name="María", last_name="Quispe")
    duplicate = ClientFactory(
        organization=world.org,
        first_name="Maria",
        last_name="Quispe M.",
        email="maria@example.pe",
        document_number="45678912",
        notes="Prefiere las tardes.",
    )
    add_phone(survivor, "987654321")
    add_phone(duplicate, "987 654 321")  # the same number: stays behind, not repeated
    add_phone(duplicate, "912345678", is_primary=False)
    calls = CommunicationFactory.create_batch(3, client=duplicate)
    earlier = ClientFactory(
        organization=world.org, merged_into=duplicate, is_active=False, archived_at=timezone.now()
    )

    services.client_merge(actor=receptionist_a, survivor=survivor, duplicate=duplicate)

    survivor.refresh_from_db()
    duplicate.refresh_from_db()
    assert sorted((p.e164, p.is_primary) for p in survivor.phones.all()) == [
        ("+51912345678", False),
        ("+51987654321", True),
    ]
    assert set(Communication.objects.filter(client=survivor)) == set(calls)
    assert Client.objects.get(pk=earlier.pk).merged_into_id == survivor.pk
    assert (survivor.email, survivor.document_number) == ("maria@example.pe", "45678912")
    assert survivor.notes == "Prefiere las tardes."
    assert duplicate.is_active is False
    assert duplicate.merged_into_id == survivor.pk
    assert duplicate.document_number == ""
    [merge] = _events("client.merge")
    assert merge.target_id == str(survivor.pk)
    assert merge.changes["moved"] == {
        "clients.clientphone": 1,
        "clients.communication": 3,
        "clients.client": 1,
    }
    assert merge.changes["duplicate"] == {"id": str(duplicate.pk), "name": "Maria Quispe M."}
    [merged] = _events("client.merged_into")
    assert merged.target_id == str(duplicate.pk)


def test_merge_refuses_itself_and_an_already_merged_duplicate(receptionist_a, world):
    survivor = ClientFactory(organization=world.org)
    duplicate = ClientFactory(organization=world.org)
    services.client_merge(actor=receptionist_a, survivor=survivor, duplicate=duplicate)

    with pytest.raises(ValidationFailed) as itself:
        services.client_merge(actor=receptionist_a, survivor=survivor, duplicate=survivor)
    with pytest.raises(Conflict) as again:
        services.client_merge(actor=receptionist_a, survivor=survivor, duplicate=duplicate)

    assert itself.value.fields == {"duplicate": ["An owner cannot be merged into itself."]}
    assert again.value.code == "merged"
    assert len(_events("client.merge")) == 1


def test_a_merged_owner_cannot_be_restored_or_edited(receptionist_a, world):
    survivor = ClientFactory(organization=world.org)
    duplicate = ClientFactory(organization=world.org)
    services.client_merge(actor=receptionist_a, survivor=survivor, duplicate=duplicate)
    duplicate.refresh_from_db()

    with pytest.raises(Conflict):
        services.client_restore(actor=receptionist_a, client=duplicate)
    with pytest.raises(Conflict):
        services.client_update(actor=receptionist_a, client=duplicate, first_name="X")


def test_communication_log_records_who_and_when(vet_a, world):
    client = ClientFactory(organization=world.org)
    when = dt.datetime(2025, 3, 4, 15, 30, tzinfo=dt.UTC)

    entry = services.communication_log(
        actor=vet_a,
        client=client,
        kind="call",
        direction="in",
        subject="Consulta por vómitos",
        body="Se le recomendó traer a Firulais.",
        occurred_at=when,
    )

    entry.refresh_from_db()
    assert (entry.kind, entry.direction, entry.occurred_at, entry.author_id) == (
        "call",
        "in",
        when,
        vet_a.pk,
    )
    [event] = _events("client.communication_log")
    assert event.changes == {
        "communication": str(entry.pk),
        "kind": "call",
        "direction": "in",
        "subject": "Consulta por vómitos",
    }


def test_communication_log_refuses_empty_and_future_entries(vet_a, world):
    client = ClientFactory(organization=world.org)

    with pytest.raises(ValidationFailed) as caught:
        services.communication_log(
            actor=vet_a,
            client=client,
            kind="fax",
            occurred_at=timezone.now() + dt.timedelta(days=1),
        )

    assert caught.value.fields == {
        "kind": ["Choose one of the offered options."],
        "body": ["Write what was said or sent."],
        "occurred_at": ["This time is in the future."],
    }
    assert Communication.objects.count() == 0
