"""The tax office's demo records: the court's parties become taxpayers, identifiers check out,
periods and deadlines are plausible, and the same seed gives the same records."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from connectors.demo.tax_books import demo_books
from schemas.identifiers import IdType, validate_id

TODAY = dt.date(2026, 11, 30)
PARTIES = [
    ("舞阳县兴达建材有限公司", "uscc", "91411121MA45R8Q2XR"),
    ("王建军", "resident_id", "411121198503152315"),
]


def test_the_courts_parties_are_taxpayers_among_the_generated_ones() -> None:
    books = demo_books(random.Random(7), PARTIES, 40, TODAY)
    numbers = [row["taxpayer_no"] for row in books.taxpayers]
    assert numbers[:2] == [PARTIES[0][2], PARTIES[1][2]]
    assert len(set(numbers)) == len(numbers) == 42
    assert [row["kind"] for row in books.taxpayers[:2]] == ["enterprise", "individual"]
    for row in books.taxpayers:
        assert validate_id(IdType(row["id_type"]), row["taxpayer_no"]) == row["taxpayer_no"]


def test_arrears_are_of_ended_periods_due_after_them_and_refunds_are_due() -> None:
    books = demo_books(random.Random(7), PARTIES, 200, TODAY)
    assert books.arrears
    assert books.refunds
    for row in books.arrears:
        assert row["period_start"] <= row["period_end"] < TODAY.replace(day=1)
        assert row["period_end"] < row["due_on"]
        assert row["amount"] > 0
    for row in books.refunds:
        assert (row["status"], row["amount"] > 0) == ("due", True)
    documents = [row["arrear_no"] for row in books.arrears] + [
        r["refund_no"] for r in books.refunds
    ]
    assert len(set(documents)) == len(documents)


def test_the_same_seed_gives_the_same_books_and_known_taxpayers_are_left_out() -> None:
    first = demo_books(random.Random(3), PARTIES, 30, TODAY)
    assert first == demo_books(random.Random(3), PARTIES, 30, TODAY)
    again = demo_books(random.Random(3), PARTIES, 30, TODAY, known={PARTIES[0][2]})
    assert PARTIES[0][2] not in {row["taxpayer_no"] for row in again.taxpayers}
    assert PARTIES[0][2] not in {row["taxpayer_no"] for row in again.arrears}


def test_a_party_with_a_bad_check_digit_is_refused() -> None:
    with pytest.raises(ValueError, match="check"):
        demo_books(random.Random(1), [("王建军", "resident_id", "411121198503152316")], 0, TODAY)
