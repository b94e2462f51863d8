"""The encrypted backup file: AES-256-GCM in 1 MiB chunks, so a large database never has to fit
in memory.

Layout::

    header  = MAGIC (8) | key id (8) | salt (16)
    chunk   = final flag (1) | ciphertext length (4, big endian) | ciphertext (with GCM tag)

Each file has its own key, HKDF-SHA256(backup key, salt). Chunk `i` is sealed with the nonce
`i (11 bytes) | final flag (1)` and the associated data `header | i | final flag`: a chunk
moved, dropped, repeated or taken from another file fails authentication, and a file cut
after any chunk but the one flagged final is refused as truncated.
"""

from __future__ import annotations

import hashlib
import struct
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"VSBKUP01"
SALT_BYTES = 16
KEY_ID_BYTES = 8
HEADER_BYTES = len(MAGIC) + KEY_ID_BYTES + SALT_BYTES
CHUNK_BYTES = 1024 * 1024
TAG_BYTES = 16
_RECORD = struct.Struct(">BI")


class BackupFormatError(Exception):
    """The file is not a backup, is damaged, truncated, or needs a key we do not have."""


def key_id(key: bytes) -> bytes:
    """A short, non-secret name of a backup key, written in the header to pick the key."""
    return hashlib.sha256(b"vetrisys-backup-key-id:" + key).digest()[:KEY_ID_BYTES]


def _file_key(key: bytes, salt: bytes) -> AESGCM:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=salt, info=b"vetrisys backup v1"
    ).derive(key)
    return AESGCM(derived)


def _nonce_and_aad(header: bytes, index: int, final: bool) -> tuple[bytes, bytes]:
    flag = b"\x01" if final else b"\x00"
    counter = index.to_bytes(11, "big")
    return counter + flag, header + index.to_bytes(8, "big") + flag


class EncryptingWriter:
    """A write-only file object: what is written goes out encrypted to `target`."""

    def __init__(self, target: BinaryIO, key: bytes, salt: bytes) -> None:
        if len(key) != 32:
            raise ValueError("A backup key has 32 bytes.")
        self._target = target
        self._header = MAGIC + key_id(key) + salt
        self._aead = _file_key(key, salt)
        self._buffer = bytearray()
        self._index = 0
        self._closed = False
        target.write(self._header)

    def write(self, data: bytes) -> int:
        """Buffer `data`; every full chunk that is surely not the last one is sealed."""
        if self._closed:
            raise ValueError("write to a closed backup stream")
        self._buffer.extend(data)
        # Keep at least one byte back: the last chunk is only known when the stream closes.
        while len(self._buffer) > CHUNK_BYTES:
            self._seal(bytes(self._buffer[:CHUNK_BYTES]), final=False)
            del self._buffer[:CHUNK_BYTES]
        return len(data)

    def _seal(self, plain: bytes, *, final: bool) -> None:
        nonce, aad = _nonce_and_aad(self._header, self._index, final)
        sealed = self._aead.encrypt(nonce, plain, aad)
        self._target.write(_RECORD.pack(1 if final else 0, len(sealed)))
        self._target.write(sealed)
        self._index += 1

    def close(self) -> None:
        """Seal what is left as the final chunk (the target file stays open)."""
        if not self._closed:
            self._seal(bytes(self._buffer), final=True)
            self._buffer.clear()
            self._closed = True

    def flush(self) -> None:
        """Nothing to do: chunks are written as soon as they are sealed."""


class DecryptingReader:
    """A read-only file object over an encrypted backup; every chunk is authenticated before
    a byte of it is returned, and a missing final chunk raises BackupFormatError."""

    def __init__(self, source: BinaryIO, keys: list[bytes]) -> None:
        self._source = source
        header = source.read(HEADER_BYTES)
        if len(header) != HEADER_BYTES or not header.startswith(MAGIC):
            raise BackupFormatError("This file is not a VetriSys backup.")
        wanted = header[len(MAGIC) : len(MAGIC) + KEY_ID_BYTES]
        salt = header[len(MAGIC) + KEY_ID_BYTES :]
        matching = [key for key in keys if key_id(key) == wanted]
        if not matching:
            raise BackupFormatError(
                "This backup was made with another backup key (key id "
                f"{wanted.hex()}); set BACKUP_KEY to that key."
            )
        self._header = header
        self._aead = _file_key(matching[0], salt)
        self._index = 0
        self._buffer = b""
        self._done = False

    def _next_chunk(self) -> None:
        record = self._source.read(_RECORD.size)
        if len(record) < _RECORD.size:
            raise BackupFormatError("The backup is truncated (its last part is missing).")
        flag, length = _RECORD.unpack(record)
        if flag not in (0, 1) or length < TAG_BYTES or length > CHUNK_BYTES + TAG_BYTES:
            raise BackupFormatError("The backup is damaged.")
        sealed = self._source.read(length)
        if len(sealed) != length:
            raise BackupFormatError("The backup is truncated (its last part is missing).")
        final = flag == 1
        nonce, aad = _nonce_and_aad(self._header, self._index, final)
        try:
            self._buffer += self._aead.decrypt(nonce, sealed, aad)
        except InvalidTag:
            raise BackupFormatError(
                "The backup is damaged or was altered (authentication failed)."
            ) from None
        self._index += 1
        if final:
            if self._source.read(1):
                raise BackupFormatError("The backup has data after its end.")
            self._done = True

    def read(self, size: int = -1) -> bytes:
        """Up to `size` authenticated bytes (all that is left when size < 0)."""
        while not self._done and (size < 0 or len(self._buffer) < size):
            self._next_chunk()
        if size < 0:
            size = len(self._buffer)
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def read_to_end(self) -> None:
        """Authenticate every remaining chunk (tar readers may stop before the end)."""
        while not self._done:
            self._next_chunk()
            self._buffer = b""


class HashingWriter:
    """Passes writes through to a file and keeps their SHA-256 and size."""

    def __init__(self, target: BinaryIO) -> None:
        self._target = target
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self._target.write(data)
        self.sha256.update(data)
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        self._target.flush()


class HashingReader:
    """Reads from a file and keeps the SHA-256 of what was read."""

    def __init__(self, source: BinaryIO) -> None:
        self._source = source
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._source.read(size)
        self.sha256.update(data)
        return data
