"""The totals rules, table-driven, with exact expected values (docs/billing-totals.md)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from vetrisys.billing.totals import LineInput, document_totals, line_amounts

LINES = [
    # qty, unit price, rate, line %, line amount, doc %, currency → gross, disc, net, tax, total
    ("1", "50.00", "18", "0", "0", "0", "PEN", "50.00", "0.00", "50.00", "9.00", "59.00"),
    ("3", "12.50", "18", "10", "0", "0", "PEN", "37.50", "3.75", "33.75", "6.08", "39.83"),
    ("2", "10.00", "18", "0", "5.00", "0", "PEN", "20.00", "5.00", "15.00", "2.70", "17.70"),
    ("1", "100.00", "0", "0", "0", "0", "PEN", "100.00", "0.00", "100.00", "0.00", "100.00"),
    ("1", "0.005", "0", "0", "0", "0", "PEN", "0.01", "0.00", "0.01", "0.00", "0.01"),
    ("1", "0.0049", "0", "0", "0", "0", "PEN", "0.00", "0.00", "0.00", "0.00", "0.00"),
    ("1", "10.125", "18", "0", "0", "0", "PEN", "10.13", "0.00", "10.13", "1.82", "11.95"),
    ("0.5", "0.01", "18", "0", "0", "0", "PEN", "0.01", "0.00", "0.01", "0.00", "0.01"),
    ("2.5", "3.33", "18", "0", "0", "0", "PEN", "8.33", "0.00", "8.33", "1.50", "9.83"),
    ("1", "100.00", "18", "10", "0", "10", "PEN", "100.00", "19.00", "81.00", "14.58", "95.58"),
    ("1", "10.00", "18", "0", "10.00", "0", "PEN", "10.00", "10.00", "0.00", "0.00", "0.00"),
    ("1", "99.99", "18", "100", "0", "0", "PEN", "99.99", "99.99", "0.00", "0.00", "0.00"),
    ("1", "1234.50", "19", "0", "0", "0", "CLP", "1235", "0", "1235", "235", "1470"),
    ("3", "0.35", "18", "0", "0", "33.33", "PEN", "1.05", "0.35", "0.70", "0.13", "0.83"),
]


@pytest.mark.parametrize(
    ("quantity", "price", "rate", "line_pct", "line_amount", "doc_pct", "currency",
     "gross", "discount", "net", "tax", "total"),
    LINES,
)  # fmt: skip
def test_line_amounts(
    quantity,
    price,
    rate,
    line_pct,
    line_amount,
    doc_pct,
    currency,
    gross,
    discount,
    net,
    tax,
    total,
):
    amounts = line_amounts(
        LineInput(
            quantity=D(quantity),
            unit_price=D(price),
            tax_rate=D(rate),
            discount_percent=D(line_pct),
            discount_amount=D(line_amount),
        ),
        document_discount_percent=D(doc_pct),
        currency=currency,
    )
    assert (amounts.gross, amounts.discount, amounts.net, amounts.tax, amounts.total) == (
        D(gross), D(discount), D(net), D(tax), D(total)
    )  # fmt: skip


def test_document_totals_are_sums_of_rounded_lines():
    lines = [
        LineInput(quantity=D("1"), unit_price=D("50.00"), tax_rate=D("18")),
        LineInput(
            quantity=D("3"), unit_price=D("12.50"), tax_rate=D("18"), discount_percent=D("10")
        ),
        LineInput(quantity=D("1"), unit_price=D("20.00"), tax_rate=D("0")),
    ]
    result = document_totals(lines, discount_percent=D("5"), currency="PEN")
    assert [line.net for line in result.lines] == [D("47.50"), D("32.06"), D("19.00")]
    assert [line.tax for line in result.lines] == [D("8.55"), D("5.77"), D("0.00")]
    figures = (result.subtotal, result.discount_total, result.net_total, result.tax_total)
    assert figures == (D("107.50"), D("8.94"), D("98.56"), D("14.32"))
    assert result.total == D("112.88")


def test_an_empty_document_totals_zero():
    result = document_totals([], discount_percent=D(0), currency="PEN")
    assert (result.subtotal, result.total) == (D("0.00"), D("0.00"))
