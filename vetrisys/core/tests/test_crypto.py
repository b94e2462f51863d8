"""AES-256-GCM envelopes, key configuration and keyed hashes (core.crypto)."""

from __future__ import annotations

import base64
import json
import logging
import stat
import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from vetrisys.core import crypto

KEY_A = base64.b64encode(b"A" * 32).decode()
KEY_B = base64.b64encode(b"B" * 32).decode()
HASH_KEY = base64.b64encode(b"H" * 32).decode()
ORG = uuid.UUID("01900000-0000-7000-8000-000000000001")


def _keys(value: str, **extra: object) -> override_settings:
    return override_settings(
        ENCRYPTION_KEYS=value,
        ENCRYPTION_KEY_FILE="",
        ENCRYPTION_HASH_KEY=extra.pop("hash_key", HASH_KEY),
        ENCRYPTION_KEY_FILE_CREATE=False,
        **extra,
    )


def test_a_value_is_sealed_in_a_versioned_envelope_and_opens_again():
    with _keys(f"a:{KEY_A}"):
        stored = crypto.encrypt("ana.munoz@correo.pe", context="clients_client.email")

        assert stored.startswith("v1:a:")
        assert "ana" not in stored
        assert crypto.key_id_of(stored) == "a"
        assert crypto.decrypt(stored, context="clients_client.email") == "ana.munoz@correo.pe"


def test_the_same_value_encrypts_differently_every_time():
    with _keys(f"a:{KEY_A}"):
        first = crypto.encrypt("45678912", context="t.c")
        second = crypto.encrypt("45678912", context="t.c")

    assert first != second


def test_an_empty_value_stays_empty():
    with _keys(f"a:{KEY_A}"):
        assert crypto.encrypt("", context="t.c") == ""
        assert crypto.decrypt("", context="t.c") == ""
        assert crypto.key_id_of("") is None


def test_a_value_moved_to_another_column_does_not_decrypt():
    with _keys(f"a:{KEY_A}"):
        stored = crypto.encrypt("45678912", context="clients_client.document_number")

        with pytest.raises(crypto.DecryptionError) as error:
            crypto.decrypt(stored, context="clients_client.address")

    assert str(error.value) == (
        "clients_client.address: the value does not decrypt under key 'a' "
        "(a different key with that id, or the value was altered or moved)."
    )


def test_an_altered_value_fails_loudly():
    with _keys(f"a:{KEY_A}"):
        stored = crypto.encrypt("45678912", context="t.c")
        payload = bytearray(base64.b64decode(stored.split(":", 2)[2]))
        payload[-1] ^= 1
        altered = f"v1:a:{base64.b64encode(bytes(payload)).decode()}"

        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(altered, context="t.c")


def test_a_value_under_a_key_no_longer_configured_names_the_key():
    with _keys(f"a:{KEY_A}"):
        stored = crypto.encrypt("45678912", context="t.c")
    with _keys(f"b:{KEY_B}"), pytest.raises(crypto.DecryptionError) as error:
        crypto.decrypt(stored, context="t.c")

    assert str(error.value) == (
        "t.c: encrypted under key 'a', which is not configured (configured: b). "
        "Keep old keys until rotate-keys ran."
    )


def test_plain_text_where_an_envelope_belongs_is_an_error_not_an_answer():
    with _keys(f"a:{KEY_A}"), pytest.raises(crypto.DecryptionError) as error:
        crypto.decrypt("45678912", context="clients_client.document_number")

    assert str(error.value) == (
        "clients_client.document_number: the stored value is not an encrypted envelope."
    )


def test_the_first_key_encrypts_and_every_key_decrypts():
    with _keys(f"a:{KEY_A}"):
        old = crypto.encrypt("987654321", context="t.c")
    with _keys(f"b:{KEY_B},a:{KEY_A}"):
        new = crypto.encrypt("987654321", context="t.c")

        assert crypto.keyring().key_ids == ["b", "a"]
        assert crypto.key_id_of(new) == "b"
        assert crypto.decrypt(old, context="t.c") == "987654321"


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ("a", "ENCRYPTION_KEYS: each key is written id:base64key (id of letters, digits, - _ .)."),
        ("a:not-base64!", "ENCRYPTION_KEYS: key 'a' is not valid base64."),
        (
            f"a:{base64.b64encode(b'short').decode()}",
            "ENCRYPTION_KEYS: key 'a' must be 32 bytes (base64 of 32 random bytes), not 5.",
        ),
        (f"a:{KEY_A},a:{KEY_B}", "ENCRYPTION_KEYS: the key id 'a' appears twice."),
    ],
)
def test_a_malformed_key_is_a_configuration_error(keys, message):
    with _keys(keys), pytest.raises(ImproperlyConfigured) as error:
        crypto.keyring()

    assert str(error.value) == message


def test_keys_without_a_hash_key_are_a_configuration_error():
    with _keys(f"a:{KEY_A}", hash_key=""), pytest.raises(ImproperlyConfigured) as error:
        crypto.keyring()

    assert str(error.value) == (
        "ENCRYPTION_HASH_KEY (or a `hash` entry in the key file) must be set: "
        "see docs/encryption.md."
    )


def test_a_json_key_file_gives_the_keys_and_the_hash_key(tmp_path):
    path = tmp_path / "keys.json"
    path.write_text(
        json.dumps(
            {"keys": [{"id": "b", "key": KEY_B}, {"id": "a", "key": KEY_A}], "hash_key": HASH_KEY}
        )
    )
    with override_settings(
        ENCRYPTION_KEYS="", ENCRYPTION_KEY_FILE=str(path), ENCRYPTION_HASH_KEY=""
    ):
        ring = crypto.keyring()

    assert (ring.key_ids, ring.current_id, ring.hash_key) == (["b", "a"], "b", b"H" * 32)


def test_a_key_file_of_lines_gives_the_keys_and_the_hash_key(tmp_path):
    path = tmp_path / "keys"
    path.write_text(f"# newest first\nb:{KEY_B}\na:{KEY_A}\nhash:{HASH_KEY}\n")
    with override_settings(
        ENCRYPTION_KEYS="", ENCRYPTION_KEY_FILE=str(path), ENCRYPTION_HASH_KEY=""
    ):
        ring = crypto.keyring()

    assert (ring.key_ids, ring.current_id, ring.hash_key) == (["b", "a"], "b", b"H" * 32)


def test_a_missing_key_file_is_a_configuration_error(tmp_path):
    path = tmp_path / "nowhere.json"
    with (
        override_settings(ENCRYPTION_KEYS="", ENCRYPTION_KEY_FILE=str(path)),
        pytest.raises(ImproperlyConfigured) as error,
    ):
        crypto.keyring()

    assert str(error.value) == (
        f"ENCRYPTION_KEY_FILE={str(path)!r} cannot be read: No such file or directory."
    )


def test_the_embedded_install_makes_its_key_file_on_first_use(tmp_path, caplog):
    path = tmp_path / "var" / "encryption_keys.json"
    with override_settings(
        ENCRYPTION_KEYS="",
        ENCRYPTION_KEY_FILE=str(path),
        ENCRYPTION_HASH_KEY="",
        ENCRYPTION_KEY_FILE_CREATE=True,
    ):
        with caplog.at_level(logging.WARNING, logger="vetrisys.core.crypto"):
            stored = crypto.encrypt("45678912", context="t.c")
        crypto.reset_keyring()  # a second process reads the same file
        assert crypto.decrypt(stored, context="t.c") == "45678912"

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    content = json.loads(path.read_text())
    assert [entry["id"] for entry in content["keys"]] == [stored.split(":")[1]]
    assert len(base64.b64decode(content["hash_key"])) == 32
    assert [record.getMessage() for record in caplog.records] == [
        f"Created the encryption key file {path}. Keep a copy of it somewhere safe and apart "
        "from the backups: without it the owners' encrypted details cannot be read."
    ]


def test_blind_hashes_are_equal_for_equal_values_of_one_organization():
    with _keys(f"a:{KEY_A}"):
        first = crypto.blind_hash("45678912", purpose="p", scope=ORG)
        same = crypto.blind_hash("45678912", purpose="p", scope=str(ORG))
        other_org = crypto.blind_hash("45678912", purpose="p", scope=uuid.uuid4())
        other_purpose = crypto.blind_hash("45678912", purpose="q", scope=ORG)
        other_value = crypto.blind_hash("45678913", purpose="p", scope=ORG)
        empty = crypto.blind_hash("", purpose="p", scope=ORG)

    assert len(first) == 32
    assert first == same
    assert len({first, other_org, other_purpose, other_value}) == 4
    assert empty == ""


def test_blind_hashes_depend_on_the_hash_key_only():
    with _keys(f"a:{KEY_A}"):
        under_a = crypto.blind_hash("45678912", purpose="p", scope=ORG)
    with _keys(f"b:{KEY_B}"):
        under_b = crypto.blind_hash("45678912", purpose="p", scope=ORG)
    with _keys(f"a:{KEY_A}", hash_key=KEY_B):
        other_hash_key = crypto.blind_hash("45678912", purpose="p", scope=ORG)

    assert under_a == under_b
    assert other_hash_key != under_a
