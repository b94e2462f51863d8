"""Owners' identifiers are ciphertext in the database and plain text on the model; the search
finds them through keyed hashes; keys rotate; a value that does not decrypt fails loudly."""

from __future__ import annotations

import base64
import importlib
import json
from io import StringIO
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from vetrisys.clients import selectors, services
from vetrisys.clients.models import Client, ClientPhone, ClientPhoneSuffix
from vetrisys.clients.tests.factories import ClientFactory
from vetrisys.core import crypto

pytestmark = pytest.mark.django_db

KEY_A = base64.b64encode(b"a" * 32).decode()
KEY_B = base64.b64encode(b"b" * 32).decode()
HASH_KEY = base64.b64encode(b"h" * 32).decode()
OTHER_HASH_KEY = base64.b64encode(b"i" * 32).decode()


def _raw(table: str, columns: list[str], row_id: Any) -> dict[str, Any]:
    """A row's columns exactly as the database holds them."""
    quote = connection.ops.quote_name
    pk = Client._meta.pk.get_db_prep_value(row_id, connection)  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(table)} WHERE id = %s",
            [pk],
        )
        row = cursor.fetchone()
    return dict(zip(columns, row, strict=True))


def _register_rosa(actor: Any) -> Client:
    return services.client_create(
        actor=actor,
        first_name="Rosa",
        last_name="Mamani Ccori",
        document_number="45678912",
        email="Rosa.Mamani@Correo.pe",
        address="Jr. Junín 455, Cercado",
        emergency_contact_name="Luis Mamani",
        emergency_contact_phone="912 345 678",
        phones=[
            {"number": "987 654 321", "label": "mobile", "is_primary": True},
            {"number": "01 234 5678", "label": "home"},
        ],
    )


CLIENT_COLUMNS = [
    "document_number",
    "email",
    "address",
    "emergency_contact_name",
    "emergency_contact_phone",
]
PLAIN = {
    "document_number": "45678912",
    "email": "rosa.mamani@correo.pe",
    "address": "Jr. Junín 455, Cercado",
    "emergency_contact_name": "Luis Mamani",
    "emergency_contact_phone": "+51912345678",
}


def test_the_database_holds_ciphertext_and_the_model_plain_text(receptionist_a):
    rosa = _register_rosa(receptionist_a)

    stored = _raw("clients_client", CLIENT_COLUMNS, rosa.pk)
    for column, plain in PLAIN.items():
        assert stored[column].startswith("v1:test:"), column
        assert plain not in stored[column]
        assert "45678912" not in stored[column]
        assert "mamani" not in stored[column].lower()
    fresh = Client.objects.get(pk=rosa.pk)
    assert {column: getattr(fresh, column) for column in CLIENT_COLUMNS} == PLAIN
    assert fresh.district == ""
    assert fresh.first_name == "Rosa"


def test_phones_are_ciphertext_with_hashes_of_their_endings(receptionist_a):
    rosa = _register_rosa(receptionist_a)
    mobile = rosa.phones.get(is_primary=True)

    stored = _raw("clients_clientphone", ["number", "e164", "national_digits"], mobile.pk)

    assert all(value.startswith("v1:test:") for value in stored.values())
    assert not any("654" in value for value in stored.values())
    assert (mobile.number, mobile.e164, mobile.national_digits) == (
        "987 654 321",
        "+51987654321",
        "987654321",
    )
    endings = set(ClientPhoneSuffix.objects.filter(phone=mobile).values_list("hash", flat=True))
    expected = {
        ClientPhoneSuffix.hash_of(ending, rosa.organization_id)
        for ending in [
            "4321",
            "54321",
            "654321",
            "7654321",
            "87654321",
            "987654321",
            "1987654321",
            "51987654321",
        ]
    }
    assert endings == expected


def test_an_empty_identifier_is_stored_empty(receptionist_a):
    maria = services.client_create(actor=receptionist_a, first_name="María")

    stored = _raw("clients_client", [*CLIENT_COLUMNS, "document_hash", "email_hash"], maria.pk)

    assert set(stored.values()) == {""}


def test_the_search_finds_owners_by_hashes(receptionist_a):
    rosa = _register_rosa(receptionist_a)
    ClientFactory(organization=rosa.organization, first_name="Otra", email="otra@gmail.com")

    for typed in [
        "45678912",
        "45.678.912",
        "rosa.mamani@correo.pe",
        "ROSA.MAMANI@CORREO.PE",
        "rosa.mamani@",
        "rosa.mamani",
        "correo.pe",
        "@correo.pe",
        "4321",
        "654321",
        "987654321",
        "+51 987 654 321",
        "5678",
        "(01) 234-5678",
    ]:
        assert [c.pk for c in selectors.client_search(actor=receptionist_a, q=typed)] == [
            rosa.pk
        ], typed
    for typed in ["mamani@correo", "4567891", "321", "87654320", "mamani@"]:
        assert selectors.client_search(actor=receptionist_a, q=typed).count() == 0, typed


def test_a_changed_number_changes_its_ending_hashes(receptionist_a):
    rosa = _register_rosa(receptionist_a)

    services.client_update(actor=receptionist_a, client=rosa, phone="999 888 777")

    assert selectors.client_search(actor=receptionist_a, q="4321").count() == 0
    assert [c.pk for c in selectors.client_search(actor=receptionist_a, q="8777")] == [rosa.pk]
    assert [c.pk for c in selectors.client_search(actor=receptionist_a, q="5678")] == [rosa.pk]
    assert ClientPhoneSuffix.objects.filter(phone__client=rosa).count() == 8 + 7


def test_deleting_a_phone_deletes_its_endings(receptionist_a):
    rosa = _register_rosa(receptionist_a)

    services.client_update(actor=receptionist_a, client=rosa, phones=[{"number": "987654321"}])

    assert ClientPhoneSuffix.objects.filter(phone__client=rosa).count() == 8
    assert selectors.client_search(actor=receptionist_a, q="5678").count() == 0


def test_one_document_per_organization_holds_on_the_hash(receptionist_a, outsider):
    _register_rosa(receptionist_a)
    before = Client.objects.count()

    from vetrisys.core.errors import Conflict

    with pytest.raises(Conflict) as error:
        services.client_create(actor=receptionist_a, first_name="Rosa", document_number="45678912")

    assert error.value.code == "duplicate_document"
    assert Client.objects.count() == before
    other = services.client_create(actor=outsider, first_name="Rosa", document_number="45678912")
    assert other.document_hash != Client.objects.exclude(pk=other.pk).get().document_hash


def test_filtering_on_an_encrypted_column_is_an_error_not_an_empty_answer(receptionist_a):
    _register_rosa(receptionist_a)

    with pytest.raises(FieldError) as error:
        list(Client.objects.filter(email="rosa.mamani@correo.pe"))
    assert str(error.value) == "Client.email is encrypted: look it up through its hash column."
    with pytest.raises(FieldError):
        list(ClientPhone.objects.filter(e164__startswith="+51"))
    assert Client.objects.filter(email="").count() == 0  # emptiness is still a condition


def test_a_value_that_does_not_decrypt_fails_loudly(receptionist_a):
    rosa = _register_rosa(receptionist_a)
    moved = _raw("clients_client", ["document_number"], rosa.pk)["document_number"]
    pk = Client._meta.pk.get_db_prep_value(rosa.pk, connection)  # type: ignore[union-attr]
    with connection.cursor() as cursor:  # the document's ciphertext copied into the address
        cursor.execute("UPDATE clients_client SET address = %s WHERE id = %s", [moved, pk])

    with pytest.raises(crypto.DecryptionError) as error:
        Client.objects.get(pk=rosa.pk)

    assert str(error.value).startswith("clients_client.address: the value does not decrypt")


def test_save_with_update_fields_keeps_the_hash_in_step(receptionist_a):
    rosa = _register_rosa(receptionist_a)

    rosa.email = "rosa@nuevo.pe"
    rosa.save(update_fields=["email", "updated_at"])

    assert [c.pk for c in selectors.client_search(actor=receptionist_a, q="rosa@nuevo.pe")] == [
        rosa.pk
    ]
    assert selectors.client_search(actor=receptionist_a, q="correo.pe").count() == 0


def test_duplicates_are_found_by_the_hashes_of_email_and_phone(receptionist_a):
    rosa = _register_rosa(receptionist_a)
    same_email = services.client_create(
        actor=receptionist_a, first_name="R.", last_name="Mamani", email="rosa.mamani@correo.pe"
    )
    same_phone = services.client_create(
        actor=receptionist_a, first_name="Luis", last_name="Apaza", phone="+51 1 234 5678"
    )
    services.client_create(actor=receptionist_a, first_name="Nadie", phone="955 444 333")

    found = selectors.possible_duplicates(actor=receptionist_a, client=rosa)

    assert sorted(c.pk for c in found) == sorted([same_email.pk, same_phone.pk])


# ---------------------------------------------------------------- rotation


def _keys(keys: str, hash_key: str = HASH_KEY) -> override_settings:
    return override_settings(
        ENCRYPTION_KEYS=keys, ENCRYPTION_KEY_FILE="", ENCRYPTION_HASH_KEY=hash_key
    )


def _rotate(*args: str) -> str:
    out = StringIO()
    call_command("rotate_keys", *args, stdout=out)
    return out.getvalue()


def test_rotation_re_encrypts_everything_under_the_new_key(receptionist_a):
    with _keys(f"a:{KEY_A}"):
        rosa = _register_rosa(receptionist_a)
        ClientFactory(organization=rosa.organization, first_name="Sin", last_name="Datos")
    with _keys(f"b:{KEY_B},a:{KEY_A}"):
        with pytest.raises(CommandError) as error:
            _rotate("--check")
        # Rosa's five details and three columns of each of her two phones.
        assert str(error.value) == "11 values are still encrypted under old keys: run rotate-keys."

        out = _rotate("--batch-size", "1")
        again = _rotate()
        checked = _rotate("--check")

    assert "clients.Client: 5 values re-encrypted under b, 0 already under it" in out
    assert "clients.ClientPhone: 6 values re-encrypted under b, 0 already under it" in out
    assert "clients.ClientPhone: 0 values re-encrypted under b, 6 already under it" in again
    assert "clients.Client: b: 5 (0 under old keys)" in checked
    with _keys(f"b:{KEY_B}"):  # the old key removed: everything still reads
        fresh = Client.objects.prefetch_related("phones").get(pk=rosa.pk)
        assert {column: getattr(fresh, column) for column in CLIENT_COLUMNS} == PLAIN
        assert sorted(p.e164 for p in fresh.phones.all()) == ["+5112345678", "+51987654321"]
        stored = _raw("clients_client", CLIENT_COLUMNS, rosa.pk)
        assert {crypto.key_id_of(value) for value in stored.values()} == {"b"}
        assert [c.pk for c in selectors.client_search(actor=receptionist_a, q="4321")] == [rosa.pk]


def test_without_the_old_key_the_values_do_not_read(receptionist_a):
    with _keys(f"a:{KEY_A}"):
        rosa = _register_rosa(receptionist_a)
    with _keys(f"b:{KEY_B}"), pytest.raises(crypto.DecryptionError):
        Client.objects.get(pk=rosa.pk)


def test_a_new_hash_key_needs_a_rehash_and_then_every_search_works(receptionist_a):
    with _keys(f"a:{KEY_A}"):
        rosa = _register_rosa(receptionist_a)
    with _keys(f"a:{KEY_A}", hash_key=OTHER_HASH_KEY):
        assert selectors.client_search(actor=receptionist_a, q="45678912").count() == 0

        out = _rotate("--rehash")

        assert "clients.Client: 1 rows rehashed" in out
        assert "clients.ClientPhone: 2 rows rehashed" in out
        for typed in ["45678912", "rosa.mamani@correo.pe", "correo.pe", "4321", "5678"]:
            assert [c.pk for c in selectors.client_search(actor=receptionist_a, q=typed)] == [
                rosa.pk
            ], typed


# ---------------------------------------------------------------- the data migration


def test_the_migration_encrypts_rows_stored_in_plain_text(receptionist_a):
    migration = importlib.import_module("vetrisys.clients.migrations.0003_encrypt_identifiers")
    rosa = _register_rosa(receptionist_a)
    mobile = rosa.phones.get(is_primary=True)
    quote = connection.ops.quote_name
    pk = Client._meta.pk.get_db_prep_value(rosa.pk, connection)  # type: ignore[union-attr]
    phone_pk = Client._meta.pk.get_db_prep_value(mobile.pk, connection)  # type: ignore[union-attr]
    with connection.cursor() as cursor:  # as 0002 left them: plain text, no hashes
        assignments = ", ".join(f"{quote(c)} = %s" for c in CLIENT_COLUMNS)
        cursor.execute(
            f"UPDATE clients_client SET {assignments}, document_hash = '', email_hash = '' "
            "WHERE id = %s",
            [*PLAIN.values(), pk],
        )
        cursor.execute(
            "UPDATE clients_clientphone SET number = %s, e164 = %s, national_digits = %s, "
            "e164_hash = '' WHERE id = %s",
            ["987 654 321", "+51987654321", "987654321", phone_pk],
        )
        cursor.execute("DELETE FROM clients_clientphonesuffix")

    editor = SimpleNamespace(connection=connection)  # all the function uses of it
    migration.encrypt_existing_rows(apps, editor)
    migration.encrypt_existing_rows(apps, editor)  # a second run changes nothing

    stored = _raw("clients_client", CLIENT_COLUMNS, rosa.pk)
    assert all(value.startswith("v1:test:") for value in stored.values())
    fresh = Client.objects.get(pk=rosa.pk)
    assert {column: getattr(fresh, column) for column in CLIENT_COLUMNS} == PLAIN
    assert ClientPhone.objects.get(pk=mobile.pk).e164 == "+51987654321"
    for typed in ["45678912", "rosa.mamani@correo.pe", "4321", "5678"]:
        assert [c.pk for c in selectors.client_search(actor=receptionist_a, q=typed)] == [
            rosa.pk
        ], typed
    assert ClientPhoneSuffix.objects.count() == 8 + 7


def test_the_audit_log_holds_no_identifier_in_plain_text(receptionist_a):
    from vetrisys.audit.models import AuditEvent

    rosa = _register_rosa(receptionist_a)
    services.client_update(
        actor=receptionist_a,
        client=rosa,
        email="rosa@nuevo.pe",
        document_number="45678913",
        address="Av. Ejército 101",
        phone="955 444 333",
    )
    duplicate = services.client_create(
        actor=receptionist_a, first_name="Rosa", email="rmamani@otro.pe", phone="944 111 222"
    )
    services.client_merge(actor=receptionist_a, survivor=rosa, duplicate=duplicate)

    logged = json.dumps([event.changes for event in AuditEvent.objects.all()], ensure_ascii=False)
    for plain in [
        "45678912",
        "45678913",
        "rosa.mamani",
        "rosa@",
        "Junín",
        "Ejército",
        "Luis Mamani",
        "987654321",
        "955444333",
        "944111222",
        "912345678",
    ]:
        assert plain not in logged, plain
    update = AuditEvent.objects.get(action="client.update")
    assert update.changes["email"] == ["r•••@correo.pe", "r•••@nuevo.pe"]
    assert update.changes["document_number"] == ["•••••912", "•••••913"]
    assert update.changes["address"] == ["•••", "•••"]


def test_a_bulk_update_empties_the_hash_with_the_value_and_refuses_a_new_value(receptionist_a):
    rosa = _register_rosa(receptionist_a)

    Client.objects.filter(pk=rosa.pk).update(email="", document_number="")

    rosa.refresh_from_db()
    assert (rosa.email, rosa.email_hash, rosa.email_local_hash, rosa.document_hash) == (
        "",
        "",
        "",
        "",
    )
    with pytest.raises(FieldError) as error:
        Client.objects.filter(pk=rosa.pk).update(email="otra@correo.pe")
    assert str(error.value) == (
        "update() cannot recompute Client.email_hash: save the rows to change email."
    )
    assert Client.objects.get(pk=rosa.pk).email == ""
