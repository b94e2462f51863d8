"""What an uploaded file really is, read from its first bytes (the client's word is not trusted)."""

from __future__ import annotations

from typing import IO

SNIFF_BYTES = 8192

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
WEBP = "image/webp"
DICOM = "application/dicom"
TEXT = "text/plain"

IMAGE_TYPES = frozenset({PNG, JPEG, GIF, WEBP})

EXTENSIONS = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg", GIF: ".gif", WEBP: ".webp",
              DICOM: ".dcm", TEXT: ".txt"}  # fmt: skip


def sniff(head: bytes) -> str | None:
    """The content type that the first bytes of a file announce, or None if unknown."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[128:132] == b"DICM":
        return DICOM
    if head and _is_text(head):
        return TEXT
    return None


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sample is still text.
        if error.start < len(head) - 3:
            return False
    return True


def read_head(stream: IO[bytes]) -> bytes:
    """The first bytes of a stream, leaving it rewound."""
    stream.seek(0)
    head = stream.read(SNIFF_BYTES)
    stream.seek(0)
    return head
