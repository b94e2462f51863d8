"""The encrypted stream: round trips, and every kind of damage refused."""

from __future__ import annotations

import io
import struct

import pytest

from vetrisys.backups import stream
from vetrisys.backups.stream import BackupFormatError, DecryptingReader, EncryptingWriter

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    """64-byte chunks, so a few hundred bytes already make several of them."""
    monkeypatch.setattr(stream, "CHUNK_BYTES", 64)


def _seal(plain: bytes, key: bytes = KEY) -> bytes:
    target = io.BytesIO()
    writer = EncryptingWriter(target, key, b"s" * 16)
    for start in range(0, len(plain), 50):
        writer.write(plain[start : start + 50])
    writer.close()
    return target.getvalue()


def _open(sealed: bytes, keys: list[bytes] | None = None) -> bytes:
    return DecryptingReader(io.BytesIO(sealed), keys or [KEY]).read()


def _records(sealed: bytes) -> tuple[bytes, list[bytes]]:
    """The header and the chunk records of a sealed stream."""
    header, rest, records = sealed[: stream.HEADER_BYTES], sealed[stream.HEADER_BYTES :], []
    while rest:
        _flag, length = struct.unpack(">BI", rest[:5])
        records.append(rest[: 5 + length])
        rest = rest[5 + length :]
    return header, records


def test_what_is_written_reads_back_identical_across_many_chunks():
    plain = bytes(range(256)) * 3

    sealed = _seal(plain)

    _header, records = _records(sealed)
    assert len(records) == 12  # 768 bytes in 64-byte chunks, the last one flagged final
    assert plain not in sealed
    assert _open(sealed) == plain


def test_an_empty_stream_still_has_its_final_chunk():
    assert _open(_seal(b"")) == b""


def test_a_changed_byte_fails_authentication():
    sealed = bytearray(_seal(b"historia clinica " * 20))
    sealed[stream.HEADER_BYTES + 20] ^= 1

    with pytest.raises(BackupFormatError, match="damaged or was altered"):
        _open(bytes(sealed))


def test_a_stream_cut_after_a_whole_chunk_is_refused_as_truncated():
    header, records = _records(_seal(b"x" * 300))

    with pytest.raises(BackupFormatError, match="truncated"):
        _open(header + b"".join(records[:-1]))


def test_chunks_in_another_order_are_refused():
    header, records = _records(_seal(b"abcdefgh" * 40))
    records[0], records[1] = records[1], records[0]

    with pytest.raises(BackupFormatError, match="damaged or was altered"):
        _open(header + b"".join(records))


def test_a_non_final_chunk_flagged_final_is_refused():
    header, records = _records(_seal(b"z" * 300))
    forged = bytes([1]) + records[0][1:]

    with pytest.raises(BackupFormatError, match="damaged or was altered"):
        _open(header + forged)


def test_data_after_the_final_chunk_is_refused():
    with pytest.raises(BackupFormatError, match="data after its end"):
        _open(_seal(b"fin") + b"extra")


def test_another_key_is_named_by_its_id_and_an_older_key_still_opens():
    sealed = _seal(b"secreto", key=OTHER_KEY)

    with pytest.raises(BackupFormatError, match="another backup key"):
        _open(sealed)
    assert _open(sealed, keys=[KEY, OTHER_KEY]) == b"secreto"


def test_a_file_that_is_not_a_backup_is_refused():
    with pytest.raises(BackupFormatError, match="not a VetriSys backup"):
        _open(b"PK\x03\x04 a zip file")
