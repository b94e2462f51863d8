"""Checks and normal forms of what a receptionist types: phone numbers and identity documents."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from vetrisys.core.text import digits_only

PERU = "51"
_PHONE_CHARACTERS = re.compile(r"^\+?[\d\s().\-/]+$")
_ALPHANUMERIC = re.compile(r"^[A-Z0-9]+$")
_RUC_PREFIXES = ("10", "15", "17", "20")
_RUC_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


class InvalidValue(ValueError):
    """A value that cannot be accepted; the message is for the person who typed it."""


@dataclass(frozen=True)
class Phone:
    """A phone number in its normal forms."""

    number: str  # as entered, trimmed
    e164: str  # "+51987654321"
    national_digits: str  # "987654321" (every digit for a number of another country)


def _peru_national(national: str) -> str | None:
    """The national significant number of a Peruvian phone, or None if it is not one."""
    if national.startswith("0"):  # trunk prefix: 01 234 5678, 054 123456
        national = national[1:]
    if len(national) == 9 and national.startswith("9"):
        return national  # mobile
    if len(national) == 7 and national[0] != "9":
        return "1" + national  # a Lima landline typed without its area code
    if len(national) == 8 and national.startswith("1"):
        return national  # Lima landline with area code 1
    if len(national) == 8 and national[0] in "45678":
        return national  # provincial landline: two-digit area code and six digits
    return None


def parse_phone(value: str) -> Phone:
    """Normalise a phone number; Peru (+51) unless another country code is written."""
    number = (value or "").strip()
    invalid = InvalidValue(_("Enter a valid phone number, e.g. 987 654 321 or +51 1 234 5678."))
    if not number or not _PHONE_CHARACTERS.match(number):
        raise invalid
    digits = digits_only(number)
    international = number.startswith("+") or digits.startswith("00")
    if digits.startswith("00"):
        digits = digits[2:]
    if not international and digits.startswith(PERU) and len(digits) == 11:
        international = True  # 51 987 654 321 without the plus
    if international:
        if digits.startswith(PERU):
            national = _peru_national(digits[len(PERU) :])
            if national is None:
                raise invalid
            return Phone(number=number, e164=f"+{PERU}{national}", national_digits=national)
        if not 8 <= len(digits) <= 15:
            raise invalid
        return Phone(number=number, e164=f"+{digits}", national_digits=digits)
    national = _peru_national(digits)
    if national is None:
        raise invalid
    return Phone(number=number, e164=f"+{PERU}{national}", national_digits=national)


def ruc_check_digit(first_ten: str) -> int:
    """SUNAT's check digit of a RUC from its first ten digits."""
    total = sum(int(d) * w for d, w in zip(first_ten, _RUC_WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def normalize_document(document_type: str, value: str) -> str:
    """The document number as stored (digits or upper-case letters and digits), or InvalidValue."""
    compact = re.sub(r"[\s.\-]", "", value or "").upper()
    if not compact:
        return ""
    if document_type == "dni":
        if not (compact.isdigit() and len(compact) == 8):
            raise InvalidValue(_("A DNI has 8 digits."))
    elif document_type == "ruc":
        if not (compact.isdigit() and len(compact) == 11 and compact[:2] in _RUC_PREFIXES):
            raise InvalidValue(_("A RUC has 11 digits and starts with 10, 15, 17 or 20."))
        if ruc_check_digit(compact[:10]) != int(compact[10]):
            raise InvalidValue(_("This RUC's check digit is wrong; please check the number."))
    elif document_type == "ce":
        if not (_ALPHANUMERIC.match(compact) and 9 <= len(compact) <= 12):
            raise InvalidValue(_("A foreigner's card number has 9 to 12 letters or digits."))
    elif document_type == "passport":
        if not (_ALPHANUMERIC.match(compact) and 6 <= len(compact) <= 12):
            raise InvalidValue(_("A passport number has 6 to 12 letters or digits."))
    elif not (_ALPHANUMERIC.match(compact) and len(compact) <= 20):
        raise InvalidValue(_("A document number has up to 20 letters or digits."))
    return compact
