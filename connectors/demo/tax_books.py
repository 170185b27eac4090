"""Generated records for the tax office's demo database, deterministic from the caller's
`random.Random`.

`debtors` are the parties the court's demo cases name (name, id_type, id_no): each becomes a
taxpayer, most of them owing tax, so the court's inquiries and bankruptcies find real records.
`count` more taxpayers are generated around them. Seeding again adds only taxpayers not there yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import insert, select

from connectors.demo.people import company_name, credit_code, person_name, resident_id
from connectors.tax.store import arrears, refunds_due, taxpayers
from schemas.dates import add_months
from schemas.identifiers import IdType, china_today, validate_id

if TYPE_CHECKING:
    import random
    from collections.abc import Sequence

    from sqlalchemy.ext.asyncio import AsyncEngine

DemoParty = tuple[str, str, str]
"""A party the court side knows: (name, id_type, id_no), id_type `resident_id` or `uscc`."""

TAX_OFFICES: Final = (
    "国家税务总局舞阳县税务局第一税务分局",
    "国家税务总局舞阳县税务局第二税务分局",
    "国家税务总局舞阳县税务局北舞渡税务分局",
    "国家税务总局舞阳县税务局侯集税务分局",
)
_ENTERPRISE_TAXES: Final = (
    ("增值税", 3, 2_000_000),
    ("企业所得税", 3, 1_500_000),
    ("城市维护建设税", 3, 140_000),
    ("教育费附加", 3, 60_000),
    ("地方教育附加", 3, 40_000),
    ("房产税", 6, 300_000),
    ("城镇土地使用税", 6, 200_000),
    ("印花税", 3, 30_000),
)
"""Tax type, months per period, largest amount in fen."""
_PERSONAL_TAXES: Final = (("个人所得税", 12, 800_000),)
_REFUNDS: Final = {
    "enterprise": ("增值税留抵退税", "企业所得税汇算清缴退税"),
    "individual": ("个人所得税综合所得汇算退税",),
}
_CREDIT_LEVELS: Final = "ABMCD"


@dataclass
class TaxBooks:
    """Rows for the three tables, ready to insert."""

    taxpayers: list[dict[str, Any]] = field(default_factory=list)
    arrears: list[dict[str, Any]] = field(default_factory=list)
    refunds: list[dict[str, Any]] = field(default_factory=list)


async def seed_tax_demo(
    engine: AsyncEngine,
    rng: random.Random,
    *,
    debtors: Sequence[DemoParty] | None = None,
    count: int = 200,
    today: dt.date | None = None,
) -> None:
    """Fill the tax database (`create_tax_schema` first) with `debtors` and `count` others."""
    async with engine.begin() as connection:
        known = set((await connection.execute(select(taxpayers.c.taxpayer_no))).scalars())
        books = demo_books(rng, debtors or (), count, today or china_today(), known)
        for table, rows in (
            (taxpayers, books.taxpayers),
            (arrears, books.arrears),
            (refunds_due, books.refunds),
        ):
            if rows:
                await connection.execute(insert(table), rows)


def demo_books(
    rng: random.Random,
    debtors: Sequence[DemoParty],
    count: int,
    today: dt.date,
    known: set[str] | None = None,
) -> TaxBooks:
    """The demo rows; parties already in `known` (taxpayer numbers) are left out. Pure."""
    books = TaxBooks()
    seen = set(known or ())
    parties = [(party, 0.8) for party in debtors] + [(_extra(rng), 0.25) for _ in range(count)]
    for (name, id_type, id_no), arrears_odds in parties:
        taxpayer_no = validate_id(IdType(id_type), id_no)
        if taxpayer_no in seen:
            continue
        seen.add(taxpayer_no)
        kind = "enterprise" if id_type == IdType.USCC else "individual"
        books.taxpayers.append(_taxpayer(rng, name, id_type, taxpayer_no, kind, today))
        if rng.random() < arrears_odds:
            books.arrears += _arrears(rng, taxpayer_no, kind, today)
        if rng.random() < 0.2:
            books.refunds.append(_refund(rng, taxpayer_no, kind, today))
    return books


def _extra(rng: random.Random) -> DemoParty:
    if rng.random() < 0.5:
        return company_name(rng), str(IdType.USCC), credit_code(rng)
    return person_name(rng), str(IdType.RESIDENT_ID), resident_id(rng)


def _taxpayer(
    rng: random.Random, name: str, id_type: str, taxpayer_no: str, kind: str, today: dt.date
) -> dict[str, Any]:
    registered = today - dt.timedelta(days=rng.randrange(180, 15 * 365))
    return {
        "taxpayer_no": taxpayer_no,
        "id_type": id_type,
        "name": name,
        "kind": kind,
        "legal_rep": person_name(rng) if kind == "enterprise" else None,
        "status": rng.choices(("normal", "non_filing"), weights=(9, 1))[0],
        "tax_office": rng.choice(TAX_OFFICES),
        "registered_on": registered,
        "credit_level": rng.choice(_CREDIT_LEVELS) if kind == "enterprise" else None,
    }


def _arrears(
    rng: random.Random, taxpayer_no: str, kind: str, today: dt.date
) -> list[dict[str, Any]]:
    taxes = _ENTERPRISE_TAXES if kind == "enterprise" else _PERSONAL_TAXES
    rows = []
    for tax_type, months, largest in rng.sample(taxes, k=rng.randint(1, min(3, len(taxes)))):
        start, end = _period_ended(today, months, months_ago=rng.randint(2, 24))
        rows.append(
            {
                "arrear_no": _document_no(rng, "QS", today),
                "taxpayer_no": taxpayer_no,
                "tax_type": tax_type,
                "period_start": start,
                "period_end": end,
                "due_on": _due_on(end, months),
                "amount": rng.randint(largest // 50, largest),
            }
        )
    return rows


def _refund(rng: random.Random, taxpayer_no: str, kind: str, today: dt.date) -> dict[str, Any]:
    return {
        "refund_no": _document_no(rng, "TS", today),
        "taxpayer_no": taxpayer_no,
        "tax_type": rng.choice(_REFUNDS[kind]),
        "period": f"{today.year - 1}年度",
        "amount": rng.randint(5_000, 2_000_000 if kind == "enterprise" else 300_000),
        "approved_on": today - dt.timedelta(days=rng.randrange(5, 120)),
        "status": "due",
    }


def _period_ended(today: dt.date, months: int, *, months_ago: int) -> tuple[dt.date, dt.date]:
    """A tax period of `months` months (aligned to the calendar year) that ended at least
    `months_ago` months before `today`'s month."""
    month = add_months(today.replace(day=1), -months_ago)
    last = add_months(month, months - 1 - (month.month - 1) % months)
    while last >= today.replace(day=1):
        last = add_months(last, -months)
    start = add_months(last, 1 - months)
    return start, add_months(last, 1) - dt.timedelta(days=1)


def _due_on(period_end: dt.date, months: int) -> dt.date:
    # Monthly and quarterly returns are due on the 15th after the period, annual settlement
    # (汇算清缴) within 5 months for enterprises and 6 for individuals: 6 covers both here.
    if months == 12:
        return add_months(period_end, 6)
    return period_end + dt.timedelta(days=15)


def _document_no(rng: random.Random, prefix: str, today: dt.date) -> str:
    return f"{prefix}{today.year}{rng.getrandbits(40):010X}"
