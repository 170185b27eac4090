"""Generated records for the market-supervision office's demo database, deterministic from the
caller's `random.Random`.

`debtors` are the parties the court's demo cases name (name, id_type, id_no). Each company among
them is registered here with its shareholders; each person holds equity in one or two companies
(a debtor company first, when there is one) and represents some, so the court's equity
inquiries, freezes and listings find real records. `count` more enterprises are generated around
them. Seeding again adds only enterprises not there yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import insert, select

from connectors.demo.people import company_name, credit_code, person_name, resident_id
from connectors.samr.store import enterprises, equity_holdings
from schemas.identifiers import IdType, china_today, validate_id

if TYPE_CHECKING:
    import random
    from collections.abc import Sequence

    from sqlalchemy.ext.asyncio import AsyncEngine

DemoParty = tuple[str, str, str]
"""A party the court side knows: (name, id_type, id_no), id_type `resident_id` or `uscc`."""

AUTHORITY: Final = "舞阳县市场监督管理局"
_KINDS: Final = (
    "有限责任公司（自然人投资或控股）",
    "有限责任公司（自然人独资）",
    "股份有限公司（非上市、自然人投资或控股）",
)
_STREETS: Final = ("人民路", "建设路", "舞泉大道", "南京路", "泰山路", "文化路", "工业园区纬二路")
_TOWNS: Final = ("舞泉镇", "北舞渡镇", "侯集镇", "吴城镇", "辛安镇", "孟寨镇")


@dataclass(frozen=True, slots=True)
class _Person:
    name: str
    id_no: str


@dataclass
class SamrBooks:
    """Rows for the enterprise and holding tables, ready to insert."""

    enterprises: list[dict[str, Any]] = field(default_factory=list)
    holdings: list[dict[str, Any]] = field(default_factory=list)


async def seed_samr_demo(
    engine: AsyncEngine,
    rng: random.Random,
    *,
    debtors: Sequence[DemoParty] | None = None,
    count: int = 200,
    today: dt.date | None = None,
) -> None:
    """Fill the registration database (`create_samr_schema` first) with `debtors` and `count`
    other enterprises."""
    async with engine.begin() as connection:
        known = set((await connection.execute(select(enterprises.c.uscc))).scalars())
        books = demo_books(rng, debtors or (), count, today or china_today(), known)
        if books.enterprises:
            await connection.execute(insert(enterprises), books.enterprises)
        if books.holdings:
            await connection.execute(insert(equity_holdings), books.holdings)


def demo_books(
    rng: random.Random,
    debtors: Sequence[DemoParty],
    count: int,
    today: dt.date,
    known: set[str] | None = None,
) -> SamrBooks:
    """The demo rows; enterprises already in `known` (codes) are left out, with their holdings.
    Pure."""
    books = SamrBooks()
    seen = set(known or ())
    people = [
        _Person(name, validate_id(IdType.RESIDENT_ID, no))
        for name, kind, no in debtors
        if kind == IdType.RESIDENT_ID
    ]
    companies = [
        (name, validate_id(IdType.USCC, no)) for name, kind, no in debtors if kind == IdType.USCC
    ]
    debtor_companies = len(companies)
    companies += [(company_name(rng), credit_code(rng)) for _ in range(count)]
    owners: list[list[_Person]] = [[] for _ in companies]
    for n, person in enumerate(people):
        if not companies:
            break
        # A debtor person holds equity in a debtor company when there is one, sometimes also
        # in another company.
        owners[n % (debtor_companies or len(companies))].append(person)
        if rng.random() < 0.5:
            owners[rng.randrange(len(companies))].append(person)
    for (name, uscc), debtor_holders in zip(companies, owners, strict=True):
        if uscc in seen:
            continue
        seen.add(uscc)
        others = [_stranger(rng) for _ in range(rng.randint(0 if debtor_holders else 1, 2))]
        holders = _distinct([*debtor_holders, *others])
        legal_rep = holders[0] if rng.random() < 0.8 else _stranger(rng)
        capital = rng.choice((50, 100, 200, 300, 500, 1000, 2000)) * 1_000_000
        books.enterprises.append(
            _enterprise(rng, name, uscc, legal_rep, capital, today, len(holders))
        )
        books.holdings += _holdings(rng, uscc, holders, capital)
    return books


def _stranger(rng: random.Random) -> _Person:
    return _Person(person_name(rng), resident_id(rng))


def _distinct(people: list[_Person]) -> list[_Person]:
    return list({person.id_no: person for person in people}.values())


def _enterprise(
    rng: random.Random,
    name: str,
    uscc: str,
    legal_rep: _Person,
    capital: int,
    today: dt.date,
    holders: int,
) -> dict[str, Any]:
    return {
        "uscc": uscc,
        "name": name,
        "kind": _KINDS[1] if holders == 1 else rng.choice((_KINDS[0], _KINDS[0], _KINDS[2])),
        "legal_rep_name": legal_rep.name,
        "legal_rep_id_type": str(IdType.RESIDENT_ID),
        "legal_rep_id_no": legal_rep.id_no,
        "status": rng.choices(("active", "revoked"), weights=(19, 1))[0],
        "registered_capital": capital,
        "established_on": today - dt.timedelta(days=rng.randrange(200, 20 * 365)),
        "address": f"舞阳县{rng.choice(_TOWNS)}{rng.choice(_STREETS)}{rng.randint(1, 300)}号",
        "authority": AUTHORITY,
    }


def _holdings(
    rng: random.Random, uscc: str, holders: list[_Person], capital: int
) -> list[dict[str, Any]]:
    shares = _split(rng, 10_000, len(holders))
    return [
        {
            "enterprise_uscc": uscc,
            "holder_name": holder.name,
            "holder_id_type": str(IdType.RESIDENT_ID),
            "holder_id_no": holder.id_no,
            "share_bp": share,
            "amount": capital * share // 10_000,
        }
        for holder, share in zip(holders, shares, strict=True)
    ]


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """`total` in `parts` whole-percent shares, the first the largest, each at least 5 %."""
    if parts == 1:
        return [total]
    cuts = sorted(rng.sample(range(5, 96), parts - 1))
    percents = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
    shares = sorted((max(p, 5) for p in percents), reverse=True)
    shares[0] += 100 - sum(shares)
    return [share * total // 100 for share in shares]
