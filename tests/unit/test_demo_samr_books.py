"""The market-supervision office's demo records: the court's companies are registered, its
people hold equity in them, shares add up, and the same seed gives the same records."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

import pytest

from connectors.demo.samr_books import demo_books
from schemas.identifiers import IdType, validate_id

TODAY = dt.date(2026, 11, 30)
PARTIES = [
    ("舞阳县兴达建材有限公司", "uscc", "91411121MA45R8Q2XR"),
    ("王建军", "resident_id", "411121198503152315"),
    ("李秀英", "resident_id", "411121199007080425"),
]


def test_the_courts_company_is_registered_and_its_people_hold_equity_in_it() -> None:
    books = demo_books(random.Random(5), PARTIES, 30, TODAY)
    codes = [row["uscc"] for row in books.enterprises]
    assert codes[0] == PARTIES[0][2]
    assert len(set(codes)) == len(codes) == 31
    holders = {row["holder_id_no"] for row in books.holdings if row["enterprise_uscc"] == codes[0]}
    assert {PARTIES[1][2], PARTIES[2][2]} <= holders


def test_every_enterprise_is_fully_held_and_identifiers_check_out() -> None:
    books = demo_books(random.Random(5), PARTIES, 100, TODAY)
    shares: dict[str, int] = defaultdict(int)
    for row in books.holdings:
        shares[row["enterprise_uscc"]] += row["share_bp"]
        assert row["amount"] > 0
        assert validate_id(IdType.RESIDENT_ID, row["holder_id_no"]) == row["holder_id_no"]
    assert set(shares.values()) == {10_000}
    for row in books.enterprises:
        assert validate_id(IdType.USCC, row["uscc"]) == row["uscc"]
        assert validate_id(IdType.RESIDENT_ID, row["legal_rep_id_no"]) == row["legal_rep_id_no"]
        assert row["established_on"] < TODAY
        assert row["status"] in {"active", "revoked"}


def test_the_same_seed_gives_the_same_books_and_known_enterprises_are_left_out() -> None:
    first = demo_books(random.Random(9), PARTIES, 20, TODAY)
    assert first == demo_books(random.Random(9), PARTIES, 20, TODAY)
    again = demo_books(random.Random(9), PARTIES, 20, TODAY, known={PARTIES[0][2]})
    assert PARTIES[0][2] not in {row["uscc"] for row in again.enterprises}
    assert PARTIES[0][2] not in {row["enterprise_uscc"] for row in again.holdings}


def test_a_company_with_a_bad_check_character_is_refused() -> None:
    with pytest.raises(ValueError, match="check"):
        demo_books(random.Random(1), [("某公司", "uscc", "91411121MA45R8Q2XA")], 0, TODAY)
