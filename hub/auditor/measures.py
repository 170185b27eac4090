"""The `measures` table, kept by the auditor from the journal (`hub.measures.book`).

A routed control request that imposes, continues or releases a seal or freeze opens its row; the
answer routed back changes it (and, for a continuation or release carried out, the measure it
names); the tracker's `measure.reminded` entry records the end the court was reminded of. The
facts are taken in journal order with the batch (`hub.auditor.changes`) and applied here, inside
the batch's transaction, a few statements each: control requests are few beside the events.

Idempotent: a request's row is opened once (by its event id); an answer changes a request still
`requested` only; a reminder sets the end reminded of. A replay of the journal into an empty
store rebuilds the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import and_, insert, select, update

from hub.measures.book import answered, continued_measure, measure_from_row
from hub.store.tables import MeasureRow

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date

    from sqlalchemy import ColumnElement
    from sqlalchemy.ext.asyncio import AsyncSession

    from hub.measures.book import ControlAnswer, Measure

_measures = MeasureRow.__table__.c


@dataclass(frozen=True, slots=True)
class MeasureRequested:
    measure: Measure


@dataclass(frozen=True, slots=True)
class MeasureAnswered:
    event_source: str
    event_id: str
    """The control request answered."""
    answer: ControlAnswer


@dataclass(frozen=True, slots=True)
class MeasureRemindedOf:
    event_source: str
    event_id: str
    end: date


MeasureFact = MeasureRequested | MeasureAnswered | MeasureRemindedOf


async def apply_measure_facts(session: AsyncSession, facts: Iterable[MeasureFact]) -> None:
    for fact in facts:
        if isinstance(fact, MeasureRequested):
            await _open(session, fact.measure)
        elif isinstance(fact, MeasureAnswered):
            await _answer(session, fact)
        else:
            await session.execute(
                update(MeasureRow)
                .where(_is(fact.event_source, fact.event_id))
                .values(reminded_for_end=fact.end)
            )


async def _open(session: AsyncSession, measure: Measure) -> None:
    if await _row(session, measure.event_source, measure.event_id) is None:
        await session.execute(insert(MeasureRow), [measure.values()])


async def _answer(session: AsyncSession, fact: MeasureAnswered) -> None:
    request = await _row(session, fact.event_source, fact.event_id)
    if request is None:  # not a request the table keeps (a deduction), or its entry is gone
        return
    target = None
    if request.previous_request_no is not None and not request.imposes:
        case = await _case(session, request.court, request.case_no)
        found = continued_measure(request.previous_request_no, request.court, case)
        target = None if found is None else case[found]
    for changed in answered(request, fact.answer, target):
        values = changed.values()
        await session.execute(
            update(MeasureRow)
            .where(_is(changed.event_source, changed.event_id))
            .values(ends_on=values["ends_on"], state=values["state"])
        )


async def _row(session: AsyncSession, source: str, event_id: str) -> Measure | None:
    query = select(*MeasureRow.__table__.columns).where(_is(source, event_id))
    found = (await session.execute(query)).mappings().first()
    return None if found is None else measure_from_row(found)


async def _case(session: AsyncSession, court: str, case_no: str) -> dict[str, Measure]:
    query = select(*MeasureRow.__table__.columns).where(
        and_(_measures.court == court, _measures.case_no == case_no)
    )
    rows = (await session.execute(query)).mappings()
    return {row["event_id"]: measure_from_row(row) for row in rows}


def _is(source: str, event_id: str) -> ColumnElement[bool]:
    return and_(_measures.event_source == source, _measures.event_id == event_id)
