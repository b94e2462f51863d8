from decimal import Decimal

import pytest

from vetrisys.core.ids import uuid7
from vetrisys.core.money import quantize


def test_uuid7_is_version_7_and_time_ordered():
    ids = [uuid7() for _ in range(2000)]
    assert all(i.version == 7 for i in ids)
    assert ids == sorted(ids)
    assert len(set(ids)) == 2000


def test_quantize_rounds_half_up_to_the_currency_places():
    assert quantize(Decimal("2.345"), "PEN") == Decimal("2.35")
    assert quantize(Decimal("2.344"), "PEN") == Decimal("2.34")
    assert quantize(Decimal("-2.345"), "PEN") == Decimal("-2.35")
    assert quantize(Decimal("1234.5"), "CLP") == Decimal("1235")


def test_quantize_refuses_floats():
    with pytest.raises(TypeError):
        quantize(2.345, "PEN")  # type: ignore[arg-type]
