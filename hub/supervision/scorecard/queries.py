"""The store reads behind the scorecards: a month's deliveries, a year's administrative-case
events. Read-only; portable between SQLite and PostgreSQL (JSON paths through SQLAlchemy's
generic JSON type, ISO dates compared as text)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import select

from hub.store.delivery_rows import delivery_snapshot
from hub.store.tables import DeliveryRow, EventRow
from hub.supervision.scorecard import annual
from hub.supervision.scorecard.monthly import scorecard

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Collection, Iterable, Mapping

    from sqlalchemy import ColumnElement
    from sqlalchemy.ext.asyncio import AsyncSession

    from hub.deliveries.state import Delivery
    from hub.supervision.scorecard.annual import AnnualFigures
    from hub.supervision.scorecard.month import Month
    from hub.supervision.scorecard.monthly import Scorecard

_T = TypeVar("_T")


async def month_deliveries(session: AsyncSession, month: Month) -> list[Delivery]:
    """Every copy routed in `month` (China Standard Time), with its event's type and subject."""
    query = (
        select(
            *DeliveryRow.__table__.columns,
            EventRow.type.label("event_type"),
            EventRow.subject.label("event_subject"),
        )
        .join_from(DeliveryRow, EventRow)
        .where(DeliveryRow.routed_at >= month.start, DeliveryRow.routed_at < month.end)
    )
    rows = (await session.execute(query)).mappings()
    return [delivery_snapshot(row, row["event_type"], row["event_subject"]) for row in rows]


async def monthly_scorecard(
    session: AsyncSession, month: Month, *, as_of: dt.datetime, units: Iterable[str] = ()
) -> Scorecard:
    """The month's scorecard as of `as_of`; `units` (e.g. the registry's) always get a row."""
    return scorecard(month, await month_deliveries(session, month), as_of=as_of, units=units)


async def admin_case_events(session: AsyncSession, year: int) -> annual.AdminCaseEvents:
    """The admincase.* and judicial.* events that the figures of `year` are computed from."""
    first, last = f"{year:04d}-01-01", f"{year:04d}-12-31"
    judged_rows = await _envelopes(session, annual.JUDGED, _dated("judged_on", first, last))
    judged_cases = {case_no for case_no, _ in judged_rows if case_no}
    filed_rows = await _envelopes(session, annual.FILED, _dated("filed_on", first, last))
    filed_rows += await _envelopes(session, annual.FILED, EventRow.case_no.in_(judged_cases))
    heard = await _envelopes(session, annual.HEARING, EventRow.case_no.in_(judged_cases))
    suggestion_rows = await _envelopes(session, annual.SUGGESTION, _dated("issued_on", first, last))
    numbers = {e["data"].get("suggestion_no") for _, e in suggestion_rows if _has_data(e)}
    reply_rows = await _envelopes(
        session, annual.SUGGESTION_REPLY, _data_text("suggestion_no").in_(numbers)
    )
    filed, bad_filed = _read(filed_rows, annual.read_filed)
    judged, bad_judged = _read(judged_rows, annual.read_judged)
    suggestions, bad_suggestions = _read(suggestion_rows, annual.read_suggestion)
    replies, bad_replies = _read(reply_rows, annual.read_reply)
    return annual.AdminCaseEvents(
        filed=tuple(filed),
        heard=frozenset(case_no for case_no, _ in heard if case_no),
        judged=tuple(judged),
        suggestions=tuple(suggestions),
        replies=tuple(replies),
        unreadable=bad_filed + bad_judged + bad_suggestions + bad_replies,
    )


async def annual_admin_figures(
    session: AsyncSession, year: int, *, as_of: dt.date
) -> AnnualFigures:
    """The year's administrative-case figures, suggestions judged as of `as_of`."""
    return annual.annual_figures(year, await admin_case_events(session, year), as_of=as_of)


async def _envelopes(
    session: AsyncSession, event_type: str, condition: ColumnElement[bool]
) -> list[tuple[str | None, Mapping[str, Any]]]:
    """(case number, envelope) of the events of one type, in the order the hub received them."""
    query = (
        select(EventRow.case_no, EventRow.envelope)
        .where(EventRow.type == event_type, condition)
        .order_by(EventRow.received_at, EventRow.event_id)
    )
    return [(case_no, envelope) for case_no, envelope in (await session.execute(query)).tuples()]


def _data_text(name: str) -> Any:
    # A JSON path into the payload as text: json_extract on SQLite, #>> on PostgreSQL. SQLAlchemy
    # types the indexed column loosely, hence Any.
    return EventRow.envelope[("data", name)].as_string()


def _dated(name: str, first: str, last: str) -> ColumnElement[bool]:
    return _data_text(name).between(first, last)  # type: ignore[no-any-return]


def _has_data(envelope: Mapping[str, Any]) -> bool:
    return isinstance(envelope.get("data"), dict)


def _read(
    rows: Collection[tuple[str | None, Mapping[str, Any]]],
    reader: Callable[[Mapping[str, Any]], _T | None],
) -> tuple[list[_T], int]:
    read = [reader(envelope) for _, envelope in rows]
    found = [item for item in read if item is not None]
    return found, len(read) - len(found)
