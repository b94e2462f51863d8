"""Text normalisation for search: what a receptionist types should find what was stored."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_DIGITS = re.compile(r"\D+")


def normalize_search(value: str) -> str:
    """Lowercase, accents removed, spaces collapsed: "  Muñoz  Pérez" → "munoz perez"."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def digits_only(value: str) -> str:
    """Only the digits of a phone number or document: "+51 987-654-321" → "51987654321"."""
    return _NON_DIGITS.sub("", value or "")
