import pytest

from vetrisys.clients.validators import (
    InvalidValue,
    normalize_document,
    parse_phone,
    ruc_check_digit,
)


@pytest.mark.parametrize(
    ("typed", "e164", "national"),
    [
        ("987 654 321", "+51987654321", "987654321"),
        ("987-654-321", "+51987654321", "987654321"),
        ("+51 987 654 321", "+51987654321", "987654321"),
        ("51987654321", "+51987654321", "987654321"),
        ("0051 987654321", "+51987654321", "987654321"),
        ("(01) 234-5678", "+5112345678", "12345678"),
        ("234 5678", "+5112345678", "12345678"),
        ("054 123456", "+5154123456", "54123456"),
        ("+1 305 555 1234", "+13055551234", "13055551234"),
    ],
)
def test_phones_are_normalised_to_e164_with_peru_by_default(typed, e164, national):
    phone = parse_phone(typed)

    assert (phone.number, phone.e164, phone.national_digits) == (typed, e164, national)


@pytest.mark.parametrize("typed", ["", "12", "98765432", "9876543210", "abc 123 456", "+51 123"])
def test_malformed_phones_are_refused(typed):
    with pytest.raises(InvalidValue):
        parse_phone(typed)


def test_ruc_check_digit_follows_sunat():
    assert ruc_check_digit("2010007097") == 0
    assert ruc_check_digit("2013131295") == 5  # SUNAT itself: 20131312955
    assert ruc_check_digit("2060051234") == 1  # 11 - 0 = 11 counts as 1


@pytest.mark.parametrize(
    ("document_type", "typed", "stored"),
    [
        ("dni", "4567 8912", "45678912"),
        ("ruc", "20100070970", "20100070970"),
        ("ruc", "10-45678912-?", None),
        ("ce", "001234567", "001234567"),
        ("passport", "ab12345", "AB12345"),
        ("other", "x-1", "X1"),
        ("dni", "", ""),
    ],
)
def test_documents_are_normalised(document_type, typed, stored):
    if stored is None:
        with pytest.raises(InvalidValue):
            normalize_document(document_type, typed)
    else:
        assert normalize_document(document_type, typed) == stored


@pytest.mark.parametrize(
    ("document_type", "typed"),
    [
        ("dni", "1234567"),
        ("dni", "1234567A"),
        ("ruc", "20100070971"),
        ("ruc", "30100070970"),
        ("ce", "12345678"),
        ("passport", "12345"),
        ("passport", "AB-12345-ÑÑ"),
    ],
)
def test_invalid_documents_are_refused(document_type, typed):
    with pytest.raises(InvalidValue):
        normalize_document(document_type, typed)
