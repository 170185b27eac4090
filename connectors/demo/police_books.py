"""Generated records for the police's demo database, deterministic from the caller's
`random.Random`.

`debtors` are the parties the court's demo cases name (name, id_type, id_no): each person among
them is a registered resident, most with a recent trace (in the county or elsewhere), and most own
a vehicle; each organisation owns a vehicle. `count` more residents are generated around them.
Seeding again adds only people and vehicles not there yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import insert, select

from connectors.demo.people import person_name, resident_id
from connectors.police.store import persons, vehicles
from schemas.dates import CHINA_TIME
from schemas.identifiers import IdType, china_today

if TYPE_CHECKING:
    import random
    from collections.abc import Sequence

    from sqlalchemy.ext.asyncio import AsyncEngine

DemoParty = tuple[str, str, str]
"""A party the court side knows: (name, id_type, id_no)."""

TOWNS: Final = ("舞泉镇", "吴城镇", "北舞渡镇", "莲花镇", "辛安镇", "孟寨镇", "太尉镇", "侯集镇")
PLACES_IN_COUNTY: Final = (
    "舞阳县人民路与解放路交叉口卡口",
    "舞阳县汽车站",
    "舞阳县某宾馆",
    "舞阳县北舞渡镇收费站",
)
PLACES_ELSEWHERE: Final = ("漯河市源汇区某快捷酒店", "郑州东站", "平顶山市叶县收费站")
MODELS: Final = ("大众朗逸", "丰田卡罗拉", "比亚迪宋PLUS", "五菱宏光", "福田欧马可厢式货车")
_PLATE_CHARS: Final = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
_VIN_CHARS: Final = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"


@dataclass
class PoliceBooks:
    persons: list[dict[str, Any]] = field(default_factory=list)
    vehicles: list[dict[str, Any]] = field(default_factory=list)


async def seed_police_demo(
    engine: AsyncEngine,
    rng: random.Random,
    *,
    debtors: Sequence[DemoParty] | None = None,
    count: int = 200,
    today: dt.date | None = None,
) -> None:
    """Fill the police database (`create_police_schema` first) with `debtors` and `count` more."""
    async with engine.begin() as connection:
        known = set((await connection.execute(select(persons.c.id_no))).scalars())
        known |= set((await connection.execute(select(vehicles.c.owner_id_no))).scalars())
        books = demo_books(rng, debtors or (), count, today or china_today(), known)
        for table, rows in ((persons, books.persons), (vehicles, books.vehicles)):
            if rows:
                await connection.execute(insert(table), rows)


def demo_books(
    rng: random.Random,
    debtors: Sequence[DemoParty],
    count: int,
    today: dt.date,
    known: set[str] | None = None,
) -> PoliceBooks:
    """The demo rows; parties already in `known` (ID numbers) are left out. Pure."""
    books = PoliceBooks()
    seen = set(known or ())
    extra = [(person_name(rng), str(IdType.RESIDENT_ID), resident_id(rng)) for _ in range(count)]
    for number, (name, id_type, id_no) in enumerate([*debtors, *extra]):
        if id_no in seen:
            continue
        seen.add(id_no)
        debtor = number < len(debtors)
        if id_type == IdType.RESIDENT_ID:
            books.persons.append(_person(rng, name, id_no, today, traced=0.8 if debtor else 0.3))
        if id_type != IdType.RESIDENT_ID or rng.random() < (0.7 if debtor else 0.3):
            books.vehicles.append(_vehicle(rng, name, id_no, today))
    return books


def _trace(rng: random.Random, today: dt.date, odds: float) -> dict[str, Any]:
    if rng.random() >= odds:
        return {"seen_place": None, "seen_at": None}
    places = PLACES_IN_COUNTY if rng.random() < 0.7 else PLACES_ELSEWHERE
    day = today - dt.timedelta(days=rng.randrange(0, 30))
    at = dt.datetime.combine(day, dt.time(rng.randrange(6, 23), rng.randrange(60)), CHINA_TIME)
    return {"seen_place": rng.choice(places), "seen_at": at}


def _person(
    rng: random.Random, name: str, id_no: str, today: dt.date, *, traced: float
) -> dict[str, Any]:
    village = f"{rng.choice(TOWNS)}{rng.choice('东西南北')}街{rng.randrange(1, 200)}号"
    row = {"id_no": id_no, "name": name, "household": f"河南省舞阳县{village}"}
    return row | _trace(rng, today, traced)


def _vehicle(rng: random.Random, owner: str, owner_id_no: str, today: dt.date) -> dict[str, Any]:
    plate = "豫L" + "".join(rng.choice(_PLATE_CHARS) for _ in range(5))
    return {
        "plate_no": plate,
        "vin": "L" + "".join(rng.choice(_VIN_CHARS) for _ in range(16)),
        "owner_id_no": owner_id_no,
        "owner_name": owner,
        "model": rng.choice(MODELS),
        "state": "normal",
    } | _trace(rng, today, 0.5)
