"""Encryption at rest of personal identifiers (AES-256-GCM) and keyed hashes to find them.

A stored value is an envelope `v1:<key id>:<base64(nonce + ciphertext + tag)>`. The associated
data is the table and column (`clients_client.email`), so a value copied into another column
does not decrypt. Several keys may be configured: the first encrypts, all of them decrypt, and
`vetrisys rotate-keys` re-encrypts old values under the first one.

Lookups go through keyed hashes (HMAC-SHA256 under a separate hash key, truncated to 128 bits)
of a normalised value, scoped by organization: equal values of one organization have equal
hashes, nothing else can be read from them. See docs/encryption.md.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import logging
import os
import re
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone

logger = logging.getLogger(__name__)

VERSION = "v1"
KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # GCM's standard nonce
HASH_HEX_CHARS = 32  # 128 bits of HMAC-SHA256, as hex
_KEY_ID = re.compile(r"^[A-Za-z0-9_.\-]{1,32}$")
HASH_KEY_ID = "hash"  # the key file's line (or JSON member) holding the hash key
_SETTINGS = {"ENCRYPTION_KEYS", "ENCRYPTION_KEY_FILE", "ENCRYPTION_HASH_KEY"}


class DecryptionError(Exception):
    """A stored value that cannot be decrypted: unknown key, wrong key, tampered or not an
    envelope. Never answered with the stored text instead."""


@dataclass(frozen=True)
class Keyring:
    """The configured keys: `current_id` encrypts, every key in `keys` decrypts."""

    keys: dict[str, AESGCM]
    current_id: str
    hash_key: bytes

    @property
    def key_ids(self) -> list[str]:
        return list(self.keys)


_lock = threading.Lock()
_keyring: Keyring | None = None


def _decode_key(text: str, *, what: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{what} is not valid base64.") from None
    if len(key) != KEY_BYTES:
        raise ImproperlyConfigured(
            f"{what} must be {KEY_BYTES} bytes (base64 of 32 random bytes), not {len(key)}."
        )
    return key


def _parse_pairs(pairs: list[str], *, source: str) -> tuple[dict[str, bytes], bytes | None]:
    """`id:base64key` entries (the first is current); an entry with id `hash` is the hash key."""
    keys: dict[str, bytes] = {}
    hash_key = None
    for pair in pairs:
        key_id, separator, encoded = pair.strip().partition(":")
        key_id = key_id.strip()
        if not separator or not _KEY_ID.match(key_id):
            raise ImproperlyConfigured(
                f"{source}: each key is written id:base64key (id of letters, digits, - _ .)."
            )
        if key_id == HASH_KEY_ID:
            hash_key = _decode_key(encoded, what=f"{source}: the hash key")
            continue
        if key_id in keys:
            raise ImproperlyConfigured(f"{source}: the key id {key_id!r} appears twice.")
        keys[key_id] = _decode_key(encoded, what=f"{source}: key {key_id!r}")
    return keys, hash_key


def _read_key_file(path: Path) -> tuple[dict[str, bytes], bytes | None]:
    """A key file: JSON `{"keys": [{"id": ..., "key": ...}], "hash_key": ...}` or lines of
    `id:base64key` (first = current, `hash:base64key` for the hash key, # comments)."""
    source = f"ENCRYPTION_KEY_FILE={str(path)!r}"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ImproperlyConfigured(f"{source} cannot be read: {error.strerror}.") from None
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
            entries = [f"{entry['id']}:{entry['key']}" for entry in data["keys"]]
        except (ValueError, KeyError, TypeError):
            raise ImproperlyConfigured(
                f'{source}: expected {{"keys": [{{"id": ..., "key": ...}}], "hash_key": ...}}.'
            ) from None
        if data.get("hash_key"):
            entries.append(f"{HASH_KEY_ID}:{data['hash_key']}")
        return _parse_pairs(entries, source=source)
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return _parse_pairs(lines, source=source)


def new_key() -> str:
    """A fresh random key, base64 (for ENCRYPTION_KEYS, ENCRYPTION_HASH_KEY or a key file)."""
    return base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def create_key_file(path: Path) -> bool:
    """Write a new key file (mode 0600) with one key and a hash key; False if it exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key_id = "k" + timezone.now().strftime("%Y%m%d")
    content = {"keys": [{"id": key_id, "key": new_key()}], "hash_key": new_key()}
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False  # another process made it first: use theirs
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(content, handle, indent=2)
        handle.write("\n")
    return True


def _load() -> Keyring:
    raw = getattr(settings, "ENCRYPTION_KEYS", "") or ""
    file_name = getattr(settings, "ENCRYPTION_KEY_FILE", "") or ""
    configured_hash = getattr(settings, "ENCRYPTION_HASH_KEY", "") or ""
    if raw:
        keys, hash_key = _parse_pairs(raw.split(","), source="ENCRYPTION_KEYS")
    elif file_name:
        path = Path(file_name)
        if getattr(settings, "ENCRYPTION_KEY_FILE_CREATE", False) and create_key_file(path):
            logger.warning(
                "Created the encryption key file %s. Keep a copy of it somewhere safe and apart "
                "from the backups: without it the owners' encrypted details cannot be read.",
                path,
            )
        keys, hash_key = _read_key_file(path)
    else:
        raise ImproperlyConfigured(
            "ENCRYPTION_KEYS (or ENCRYPTION_KEY_FILE) must be set: see docs/encryption.md."
        )
    if configured_hash:
        hash_key = _decode_key(configured_hash, what="ENCRYPTION_HASH_KEY")
    if not keys:
        raise ImproperlyConfigured("No encryption key is configured: see docs/encryption.md.")
    if hash_key is None:
        raise ImproperlyConfigured(
            "ENCRYPTION_HASH_KEY (or a `hash` entry in the key file) must be set: "
            "see docs/encryption.md."
        )
    return Keyring(
        keys={key_id: AESGCM(key) for key_id, key in keys.items()},
        current_id=next(iter(keys)),
        hash_key=hash_key,
    )


def keyring() -> Keyring:
    """The configured keys, loaded once per process (ImproperlyConfigured if unusable)."""
    global _keyring
    if _keyring is None:
        with _lock:
            if _keyring is None:
                _keyring = _load()
    return _keyring


def reset_keyring() -> None:
    """Forget the loaded keys (after the settings change); the next use reads them again."""
    global _keyring
    with _lock:
        _keyring = None


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in _SETTINGS or setting == "ENCRYPTION_KEY_FILE_CREATE":
        reset_keyring()


def is_encrypted(value: str) -> bool:
    """Whether a stored text has the shape of an envelope (not whether it decrypts)."""
    return value.startswith(f"{VERSION}:") and value.count(":") >= 2


def key_id_of(stored: str) -> str | None:
    """The id of the key that encrypted a stored value (None for an empty one)."""
    if not stored:
        return None
    if not is_encrypted(stored):
        raise DecryptionError("The stored value is not an encrypted envelope.")
    return stored.split(":", 2)[1]


def encrypt(value: str, *, context: str) -> str:
    """`value` encrypted under the current key, bound to `context` ("table.column").

    The empty text stays empty: a blank field reveals no more than its ciphertext's length
    would, and it keeps "has no email" a plain condition.
    """
    if value == "":
        return ""
    ring = keyring()
    nonce = os.urandom(NONCE_BYTES)
    sealed = ring.keys[ring.current_id].encrypt(
        nonce, value.encode("utf-8"), context.encode("utf-8")
    )
    return f"{VERSION}:{ring.current_id}:{base64.b64encode(nonce + sealed).decode('ascii')}"


def decrypt(stored: str, *, context: str) -> str:
    """The plain text of a stored envelope; DecryptionError if it cannot be read."""
    if stored == "":
        return ""
    version, _separator, rest = stored.partition(":")
    key_id, separator, payload = rest.partition(":")
    if version != VERSION or not separator:
        raise DecryptionError(f"{context}: the stored value is not an encrypted envelope.")
    ring = keyring()
    cipher = ring.keys.get(key_id)
    if cipher is None:
        raise DecryptionError(
            f"{context}: encrypted under key {key_id!r}, which is not configured "
            f"(configured: {', '.join(ring.key_ids)}). Keep old keys until rotate-keys ran."
        )
    try:
        blob = base64.b64decode(payload, validate=True)
        plain = cipher.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], context.encode("utf-8"))
    except (binascii.Error, ValueError, InvalidTag):
        raise DecryptionError(
            f"{context}: the value does not decrypt under key {key_id!r} "
            "(a different key with that id, or the value was altered or moved)."
        ) from None
    return plain.decode("utf-8")


def blind_hash(value: str, *, purpose: str, scope: Any) -> str:
    """The keyed hash that finds `value` (already normalised) for `purpose` within `scope`
    (the organization): 32 hex characters, "" for an empty value."""
    if value == "":
        return ""
    with contextlib.suppress(ValueError):
        scope = uuid.UUID(str(scope))  # one spelling of an id, whether given as text or UUID
    message = f"{purpose}\x1f{scope}\x1f{value}".encode()
    digest = hmac.new(keyring().hash_key, message, hashlib.sha256).hexdigest()
    return digest[:HASH_HEX_CHARS]
