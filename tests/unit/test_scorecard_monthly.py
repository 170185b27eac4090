"""The monthly scorecard's arithmetic on delivery snapshots, against figures worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.deliveries.state import Delivery, Stage, progress_reported, reply_arrived
from hub.routing.deadlines import CHINA_TZ
from hub.supervision.scorecard import TOTAL, Month, StageResult, scorecard, stage_result
from hub.supervision.scorecard.monthly import median, nearest_rank

COURT = "fy:unit:court.411121"
TAX, NR, POLICE = "tax.411121", "nr.411121", "police.411121"
MARCH = Month(2024, 3)
AS_OF = datetime(2024, 4, 10, 12, 0, tzinfo=CHINA_TZ)
DAY, HOUR = timedelta(days=1), timedelta(hours=1)


def copy(
    n: int,
    recipient: str,
    routed_at: datetime,
    *,
    receipt_in: timedelta = DAY,
    reply_in: timedelta | None = 3 * DAY,
    receipt_after: timedelta | None = None,
    reply_after: timedelta | None = None,
    escalated_after: timedelta | None = None,
) -> Delivery:
    """A copy routed at `routed_at`, answered `…_after` it (None: not answered)."""

    def after(span: timedelta | None) -> datetime | None:
        return None if span is None else routed_at + span

    return Delivery(
        event_source=COURT,
        event_id=f"E{n}",
        recipient=recipient,
        event_type="enforcement.query.requested.v1",
        subject="（2024）豫1121执123号",
        routed_at=routed_at,
        receipt_due=routed_at + receipt_in,
        reply_due=after(reply_in),
        receipt_at=after(receipt_after) or after(reply_after),
        replied_at=after(reply_after),
        reply_event_id=None if reply_after is None else f"R{n}",
        escalated_at=after(escalated_after),
    )


def at(day: int, hour: int = 9, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2024, month, day, hour, minute, tzinfo=CHINA_TZ)


def march_copies() -> list[Delivery]:
    return [
        # tax: on time; late on both stages; on time; reply never came; receipt never came
        copy(1, TAX, at(5), receipt_after=2 * HOUR, reply_after=2 * DAY),
        copy(2, TAX, at(10), receipt_after=30 * HOUR, reply_after=4 * DAY),
        copy(3, TAX, at(20), receipt_after=HOUR, reply_after=DAY),
        copy(4, TAX, at(1, 0, 10), receipt_after=HOUR),
        copy(5, TAX, at(15), reply_in=None, escalated_after=5 * DAY),
        # nr: reply late; reply not yet due at AS_OF
        copy(1, NR, at(5), receipt_after=3 * HOUR, reply_after=5 * DAY),
        copy(6, NR, at(31, 23), reply_in=30 * DAY, receipt_after=HOUR / 2),
        # outside March in China time (though one is in March in UTC)
        copy(7, TAX, at(29, 23, 50, month=2)),
        copy(8, TAX, at(1, 0, 5, month=4)),
    ]


def test_a_month_matches_the_figures_worked_out_by_hand() -> None:
    card = scorecard(MARCH, march_copies(), as_of=AS_OF, units=[POLICE])
    rows = {row.unit: row for row in card.units}

    assert list(rows) == [NR, POLICE, TAX]
    tax, nr, police = rows[TAX], rows[NR], rows[POLICE]
    # tax: 5 copies; receipts 3 on time (E1, E3, E4), E2 late, E5 missing → 3/5
    assert tax.deliveries == 5
    assert (tax.receipts.on_time, tax.receipts.late, tax.receipts.missing) == (3, 1, 1)
    assert tax.receipts.on_time_rate == pytest.approx(3 / 5)
    # replies owed by E1–E4: E1, E3 on time, E2 late, E4 missing → 2/4
    assert (tax.replies.on_time, tax.replies.late, tax.replies.missing) == (2, 1, 1)
    assert tax.replies.on_time_rate == pytest.approx(2 / 4)
    # reply times 2d, 4d, 1d → sorted 1d, 2d, 4d: median 2d, p90 = 3rd of 3 = 4d
    assert (tax.median_reply, tax.p90_reply) == (2 * DAY, 4 * DAY)
    # overdue: E2 (late), E4 (reply missing), E5 (receipt missing); still: E4, E5
    assert (tax.overdue, tax.still_overdue, tax.escalated) == (3, 2, 1)

    assert nr.deliveries == 2
    assert nr.receipts.on_time_rate == 1.0
    assert (nr.replies.on_time, nr.replies.late, nr.replies.pending) == (0, 1, 1)
    assert nr.replies.on_time_rate == 0.0
    assert (nr.median_reply, nr.p90_reply) == (5 * DAY, 5 * DAY)
    assert (nr.overdue, nr.still_overdue, nr.escalated) == (1, 0, 0)

    assert police.deliveries == 0
    assert (police.receipts.on_time_rate, police.replies.on_time_rate) == (None, None)
    assert (police.median_reply, police.p90_reply) == (None, None)

    total = card.total
    assert (total.unit, total.is_total, total.deliveries) == (TOTAL, True, 7)
    assert total.receipts.on_time_rate == pytest.approx(5 / 7)
    assert total.replies.on_time_rate == pytest.approx(2 / 5)
    # reply times 1d, 2d, 4d, 5d: median (2d + 4d) / 2 = 3d, p90 = 4th of 4 = 5d
    assert (total.median_reply, total.p90_reply) == (3 * DAY, 5 * DAY)
    assert (total.overdue, total.still_overdue, total.escalated) == (4, 2, 1)


def test_facts_recorded_after_as_of_are_not_counted() -> None:
    routed = at(5)
    late_reply = copy(
        1, TAX, routed, receipt_after=HOUR, reply_after=10 * DAY, escalated_after=7 * DAY
    )
    as_of = routed + 5 * DAY

    row = scorecard(MARCH, [late_reply], as_of=as_of).units[0]

    assert (row.replies.missing, row.replies.late) == (1, 0)
    assert row.median_reply is None
    assert (row.still_overdue, row.escalated) == (1, 0)


def test_copies_routed_after_as_of_are_not_counted() -> None:
    card = scorecard(MARCH, [copy(1, TAX, at(20))], as_of=at(10))

    assert card.units[0].deliveries == 0


@pytest.mark.parametrize(
    ("answered_after", "as_of_after", "expected"),
    [
        (DAY, 2 * DAY, StageResult.ON_TIME),  # exactly at the due time
        (DAY + timedelta(seconds=1), 2 * DAY, StageResult.LATE),
        (None, DAY + timedelta(seconds=1), StageResult.MISSING),
        (None, DAY, StageResult.PENDING),  # due now, not yet late
    ],
)
def test_a_receipt_is_judged_against_its_due_time(
    answered_after: timedelta | None, as_of_after: timedelta, expected: StageResult
) -> None:
    d = copy(1, TAX, at(5), receipt_after=answered_after)

    assert stage_result(d, Stage.RECEIPT, at(5) + as_of_after) is expected


def test_a_stage_not_owed_has_no_result() -> None:
    d = copy(1, TAX, at(5), reply_in=None)

    assert stage_result(d, Stage.REPLY, AS_OF) is None


def test_month_bounds_are_china_time() -> None:
    assert MARCH.start == datetime(2024, 2, 29, 16, 0, tzinfo=UTC)
    assert MARCH.end == datetime(2024, 3, 31, 16, 0, tzinfo=UTC)
    assert Month.of(datetime(2024, 3, 31, 16, 30, tzinfo=UTC)) == Month(2024, 4)
    assert (str(Month(2024, 12).next()), str(Month(2024, 1).previous())) == ("2025-01", "2023-12")


@pytest.mark.parametrize("text", ["2024-3", "2024-13", "24-03", "2024/03", ""])
def test_a_month_is_written_yyyy_mm(text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        Month.parse(text)


def test_median_and_nearest_rank_percentile() -> None:
    hours = [timedelta(hours=h) for h in (5, 1, 4, 2, 3, 10, 6, 7, 9, 8)]

    assert median(hours) == timedelta(hours=5.5)
    assert nearest_rank(hours, 0.9) == timedelta(hours=9)  # ⌈0.9·10⌉ = 9th smallest
    assert nearest_rank(hours[:1], 0.9) == timedelta(hours=5)
    assert (median([]), nearest_rank([], 0.9)) == (None, None)


def test_a_task_reported_in_progress_only_is_missing_once_past_due_and_late_when_done() -> None:
    routed = datetime(2024, 3, 4, 9, 0, tzinfo=CHINA_TZ)
    task = copy(1, TAX, routed, reply_in=10 * DAY)
    in_progress = progress_reported(task, routed + 2 * HOUR)
    assert stage_result(in_progress, Stage.REPLY, routed + 5 * DAY) is StageResult.PENDING
    assert stage_result(in_progress, Stage.REPLY, routed + 11 * DAY) is StageResult.MISSING
    assert stage_result(in_progress, Stage.RECEIPT, AS_OF) is StageResult.ON_TIME
    done_late = reply_arrived(in_progress, "R1", routed + 12 * DAY)
    assert stage_result(done_late, Stage.REPLY, AS_OF) is StageResult.LATE
