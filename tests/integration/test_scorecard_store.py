"""Scorecards read from a real store (SQLite, and PostgreSQL): a test month and a test year,
written through the auditor's store path (the tracker's marks as its journal entries), against
figures worked out by hand below."""

from __future__ import annotations

import csv
import datetime as dt
import io
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
import typer
from sqlalchemy.ext.asyncio import async_sessionmaker
from typer.testing import CliRunner

from hub.auditor.apply import apply_journal_batch
from hub.cli import supervision as cli_supervision
from hub.deliveries.overdue import OverdueNotice
from hub.deliveries.redelivery import Escalate
from hub.deliveries.state import DeliveryKey, Stage
from hub.journal.entries import AnswerRouted, Delivered
from hub.routing.deadlines import CHINA_TZ
from hub.store.migrate import upgrade_engine
from hub.supervision.scorecard import (
    Month,
    annual_admin_figures,
    month_deliveries,
    monthly_scorecard,
)
from hub.tracker.work import escalated_mark, overdue_mark
from schemas.units import source_uri
from tests.fixtures.journal import CASE, COURT, NR, TAX, Journal, envelope, event_id
from tests.hubkit import TEST_REGISTRY

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy.ext.asyncio import AsyncEngine

    from hub.journal.entries import EventRouted

SAMR, JUSTICE, POLICE = "samr.411121", "justice.411121", "police.411121"
DAY, HOUR = timedelta(days=1), timedelta(hours=1)
MARCH = Month(2024, 3)
AS_OF = datetime(2024, 4, 10, 12, 0, tzinfo=CHINA_TZ)


def at(day: int, hour: int = 9, minute: int = 0, month: int = 3, year: int = 2024) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=CHINA_TZ)


async def apply(engine: AsyncEngine, journal: Journal, *entries: Any) -> None:
    async with async_sessionmaker(engine)() as session, session.begin():
        await apply_journal_batch(session, journal.records(*entries))


@pytest.fixture
async def store(store_engine: AsyncEngine) -> AsyncEngine:
    await upgrade_engine(store_engine)
    return store_engine


# --- the test month -------------------------------------------------------------------------------
#
# Court events routed in (and around) March 2024, China time; receipts due 1 day after routing,
# replies 3 days after (E5 owes no reply, E6's reply is due in 30 days). Each unit answers at:
#
#   copy      routed          receipt        reply          escalated
#   E1 → tax  03-05 09:00     +2 h           +2 d
#   E2 → tax  03-10 09:00     +30 h (late)   +4 d (late)
#   E3 → tax  03-20 09:00     +1 h           +1 d
#   E4 → tax  03-01 00:10     +1 h           never
#   E5 → tax  03-15 09:00     never          (none owed)    03-20 by the tracker
#   E1 → nr   03-05 09:00     +3 h           +5 d (late)
#   E6 → nr   03-31 23:00     +30 min        not due yet
#   E7 → tax  02-29 23:50     (February in China time)
#   E8 → tax  04-01 00:05     (April in China time, though still March in UTC)
#
# Every receipt and reply is itself delivered to the court, in March, owing nothing: 10 copies.

E1, E2, E3, E4, E5, E6, E7, E8 = (event_id(n) for n in range(1, 9))


def routed(journal: Journal, eid: str, when: datetime, *units: str, **due: Any) -> EventRouted:
    return journal.routed(eid, at=when, to=tuple((unit, "all") for unit in units), **due)


def answered(journal: Journal, n: int, eid: str, unit: str, when: datetime, *, reply: bool) -> Any:
    return journal.answer(event_id(100 + n), eid, by=unit, at=when, receipt=not reply)


async def write_march(engine: AsyncEngine) -> None:
    j = Journal()
    await apply(
        engine,
        j,
        routed(j, E7, at(29, 23, 50, month=2), TAX),
        routed(j, E4, at(1, 0, 10), TAX),
        answered(j, 1, E4, TAX, at(1, 1, 10), reply=False),
        routed(j, E1, at(5), TAX, NR),
        answered(j, 2, E1, TAX, at(5, 11), reply=False),
        answered(j, 3, E1, NR, at(5, 12), reply=False),
        answered(j, 4, E1, TAX, at(7), reply=True),
        routed(j, E2, at(10), TAX),
        answered(j, 5, E1, NR, at(10), reply=True),
        answered(j, 6, E2, TAX, at(11, 15), reply=False),
        answered(j, 7, E2, TAX, at(14), reply=True),
        routed(j, E5, at(15), TAX, reply_in=None),
        routed(j, E3, at(20), TAX),
        answered(j, 8, E3, TAX, at(20, 10), reply=False),
        answered(j, 9, E3, TAX, at(21), reply=True),
        routed(j, E6, at(31, 23), NR, reply_in=30 * DAY),
        answered(j, 10, E6, NR, at(31, 23, 30), reply=False),
        routed(j, E8, at(1, 0, 5, month=4), TAX),
    )
    key = DeliveryKey(source_uri(COURT), E5, TAX)
    due = at(16)
    notice = OverdueNotice(key=key, subject=CASE, stage=Stage.RECEIPT, due=due, overdue_by=4 * DAY)
    escalate = Escalate(key=key, attempts=3, receipt_due=due)
    await apply(
        engine,
        j,
        overdue_mark(notice, office_unit=JUSTICE, now=at(20)),
        escalated_mark(escalate, office_unit=JUSTICE, now=at(20)),
    )


async def test_the_scorecard_of_a_test_month_matches_the_figures_worked_out_by_hand(
    store: AsyncEngine,
) -> None:
    await write_march(store)

    async with async_sessionmaker(store)() as session, session.begin():
        card = await monthly_scorecard(session, MARCH, as_of=AS_OF, units=[POLICE])

    rows = {row.unit: row for row in card.units}
    assert sorted(rows) == [COURT, NR, POLICE, TAX]
    tax, nr, court = rows[TAX], rows[NR], rows[COURT]
    # tax: E1–E5. Receipts on time: E1, E3, E4; late: E2; missing: E5 → 3/5.
    assert tax.deliveries == 5
    assert (tax.receipts.on_time, tax.receipts.late, tax.receipts.missing) == (3, 1, 1)
    assert tax.receipts.on_time_rate == pytest.approx(0.6)
    # Replies owed by E1–E4: on time E1, E3; late E2; missing E4 → 2/4.
    assert (tax.replies.on_time, tax.replies.late, tax.replies.missing) == (2, 1, 1)
    assert tax.replies.on_time_rate == pytest.approx(0.5)
    # Reply times 1 d (E3), 2 d (E1), 4 d (E2): median 2 d; p90 = ⌈0.9·3⌉ = 3rd = 4 d.
    assert (tax.median_reply, tax.p90_reply) == (2 * DAY, 4 * DAY)
    # Overdue: E2, E4, E5; still overdue: E4 (reply), E5 (receipt); escalated: E5.
    assert (tax.overdue, tax.still_overdue, tax.escalated) == (3, 2, 1)

    # nr: E1 and E6. Both receipts on time; E1's reply late, E6's pending → 0/1.
    assert nr.deliveries == 2
    assert (nr.receipts.on_time_rate, nr.replies.on_time_rate) == (1.0, 0.0)
    assert nr.replies.pending == 1
    assert (nr.median_reply, nr.p90_reply) == (5 * DAY, 5 * DAY)
    assert (nr.overdue, nr.still_overdue, nr.escalated) == (1, 0, 0)

    # The court received 10 answers, owing nothing for them.
    assert court.deliveries == 10
    assert (court.receipts.decided, court.replies.decided, court.overdue) == (0, 0, 0)
    assert rows[POLICE].deliveries == 0

    total = card.total
    assert total.deliveries == 17
    assert total.receipts.on_time_rate == pytest.approx(5 / 7)
    assert total.replies.on_time_rate == pytest.approx(2 / 5)
    # Reply times 1, 2, 4, 5 d: median (2 + 4) / 2 = 3 d; p90 = ⌈0.9·4⌉ = 4th = 5 d.
    assert (total.median_reply, total.p90_reply) == (3 * DAY, 5 * DAY)
    assert (total.overdue, total.still_overdue, total.escalated) == (4, 2, 1)


async def test_a_month_holds_the_copies_routed_in_it_in_china_time(store: AsyncEngine) -> None:
    await write_march(store)

    async with async_sessionmaker(store)() as session, session.begin():
        february = await month_deliveries(session, Month(2024, 2))
        april = await month_deliveries(session, Month(2024, 4))

    assert [(d.event_id, d.recipient) for d in february] == [(E7, TAX)]
    assert [(d.event_id, d.recipient) for d in april] == [(E8, TAX)]


# --- the test year --------------------------------------------------------------------------------
#
#   case / suggestion   agency  filed        hearing  judged       outcome      head appeared
#   行初1号 (2025)       samr    2025-02-10   yes      2025-06-30   agency_lost  yes
#   行初2号 (2025)       samr    2025-03-01   no       2025-05-01   withdrawn    no
#   行初3号 (2025)       nr      2025-04-01   yes      2025-09-01   agency_won   no
#   行初9号 (2024)       nr      2024-11-20   yes      2025-01-15   agency_lost  yes
#   行初1号 (2026)       samr    2026-01-05   -        -
#   舞法建〔2025〕1号     samr    issued 2025-05-01, reply by 2025-07-01, replied 2025-06-20
#   舞法建〔2025〕2号     nr      issued 2025-06-01, reply by 2025-08-01, replied 2025-08-15
#   舞法建〔2025〕3号     nr      issued 2025-11-01, reply by 2026-01-01, no reply
#   舞法建〔2025〕4号     samr    issued 2025-12-15, reply by 2026-02-15, no reply
#   舞法建〔2024〕7号     samr    issued 2024-12-01 (last year)

FILED, HEARING, JUDGED = (
    "admincase.filed.v1",
    "admincase.hearing.scheduled.v1",
    "admincase.judged.v1",
)
ISSUED, REPLIED = "judicial.suggestion.issued.v1", "judicial.suggestion.replied.v1"


def case(n: int, year: int = 2025) -> str:
    return f"（{year}）豫1121行初{n}号"


class CourtEvents:
    """Court events about administrative cases, routed to the agency and to the office."""

    def __init__(self) -> None:
        self.journal = Journal()
        self.n = 200

    def routed(self, type_: str, subject: str, agency: str, data: dict[str, Any]) -> Any:
        self.n += 1
        return self.journal.routed(
            event_id(self.n),
            at=at(1, year=2025),
            to=((agency, "all"), (JUSTICE, "all")),
            reply_in=60 * DAY,
            type_=type_,
            subject=subject,
            purpose="admin_litigation",
            data=data,
        )

    def filed(self, case_no: str, agency: str, on: str) -> Any:
        data = {"case_no": case_no, "defendant": {"unit": agency, "name": agency}, "filed_on": on}
        return self.routed(FILED, case_no, agency, data)

    def heard(self, case_no: str, agency: str) -> Any:
        data = {"case_no": case_no, "hearing_at": "2025-05-20T09:00:00+08:00"}
        return self.routed(HEARING, case_no, agency, data | {"head_required": True})

    def judged(self, case_no: str, agency: str, outcome: str, on: str, *, head: bool) -> Any:
        data = {"case_no": case_no, "outcome": outcome, "judged_on": on, "head_appeared": head}
        return self.routed(JUDGED, case_no, agency, data)

    def suggestion(self, number: str, agency: str, issued_on: str, reply_by: str) -> Any:
        data = {"suggestion_no": number, "recipient": {"unit": agency, "name": agency}}
        data |= {"issued_on": issued_on, "reply_by": reply_by}
        return self.routed(ISSUED, number, agency, data)

    def reply(self, issued: EventRouted, agency: str, on: str) -> AnswerRouted:
        self.n += 1
        number = issued.event["data"]["suggestion_no"]
        data = {"suggestion_no": number, "replied_on": on, "measures": ["整改"]}
        event = envelope(
            event_id(self.n),
            source=agency,
            type_=REPLIED,
            subject=number,
            correlationid=issued.event["id"],
            purpose="admin_litigation",
            data=data,
        )
        return AnswerRouted(
            at=datetime.combine(dt.date.fromisoformat(on), dt.time(10), tzinfo=CHINA_TZ),
            position=self.journal.position(agency),
            event=event,
            answers=issued.event["id"],
            answered_by=agency,
            original_sender=COURT,
            receipt=False,
            deliveries=[Delivered(recipient=COURT, fields="all", receipt_by=None, reply_by=None)],
        )


async def write_2025(engine: AsyncEngine) -> None:
    c = CourtEvents()
    s1 = c.suggestion("舞法建〔2025〕1号", SAMR, "2025-05-01", "2025-07-01")
    s2 = c.suggestion("舞法建〔2025〕2号", NR, "2025-06-01", "2025-08-01")
    await apply(
        engine,
        c.journal,
        c.filed(case(9, 2024), NR, "2024-11-20"),
        c.heard(case(9, 2024), NR),
        c.filed(case(1), SAMR, "2025-02-10"),
        c.filed(case(2), SAMR, "2025-03-01"),
        c.filed(case(3), NR, "2025-04-01"),
        c.heard(case(1), SAMR),
        c.heard(case(3), NR),
        c.judged(case(9, 2024), NR, "agency_lost", "2025-01-15", head=True),
        c.judged(case(1), SAMR, "agency_lost", "2025-06-30", head=True),
        c.judged(case(2), SAMR, "withdrawn", "2025-05-01", head=False),
        c.judged(case(3), NR, "agency_won", "2025-09-01", head=False),
        c.filed(case(1, 2026), SAMR, "2026-01-05"),
        s1,
        s2,
        c.suggestion("舞法建〔2025〕3号", NR, "2025-11-01", "2026-01-01"),
        c.suggestion("舞法建〔2025〕4号", SAMR, "2025-12-15", "2026-02-15"),
        c.suggestion("舞法建〔2024〕7号", SAMR, "2024-12-01", "2025-02-01"),
        c.reply(s1, SAMR, "2025-06-20"),
        c.reply(s2, NR, "2025-08-15"),
    )


async def test_the_figures_of_a_test_year_match_the_figures_worked_out_by_hand(
    store: AsyncEngine,
) -> None:
    await write_2025(store)

    async with async_sessionmaker(store)() as session, session.begin():
        figures = await annual_admin_figures(session, 2025, as_of=dt.date(2026, 1, 20))

    rows = {row.unit: row for row in figures.agencies}
    assert sorted(rows) == [NR, SAMR]
    samr, nr, total = rows[SAMR], rows[NR], figures.total
    # samr: 2 filed, 2 judged, 1 lost (50 %); 1 heard, its head appeared (100 %).
    assert (samr.filed, samr.judged, samr.lost, samr.heard, samr.head_appeared) == (2, 2, 1, 1, 1)
    assert (samr.lost_rate, samr.head_appearance_rate) == (0.5, 1.0)
    # samr's suggestions: 1 on time, 1 not yet due → 1/1.
    assert (samr.suggestions, samr.replied_on_time, samr.reply_pending) == (2, 1, 1)
    assert samr.on_time_reply_rate == 1.0
    # nr: 1 filed (2025); 2 judged incl. the 2024 case found by its filing; 1 lost; 2 heard, 1 head.
    assert (nr.filed, nr.judged, nr.lost, nr.heard, nr.head_appeared) == (1, 2, 1, 2, 1)
    assert (nr.lost_rate, nr.head_appearance_rate) == (0.5, 0.5)
    # nr's suggestions: one answered late, one overdue → 0/2.
    assert (nr.suggestions, nr.replied_late, nr.reply_overdue) == (2, 1, 1)
    assert nr.on_time_reply_rate == 0.0
    # Total: 3 filed, 4 judged, 2 lost; head appeared in 2 of 3 heard; 1 of 3 answered on time.
    assert (total.filed, total.judged, total.lost, total.lost_rate) == (3, 4, 2, 0.5)
    assert total.head_appearance_rate == pytest.approx(2 / 3)
    assert total.on_time_reply_rate == pytest.approx(1 / 3)
    assert dict(figures.outcomes) == {
        "agency_won": 1,
        "agency_lost": 2,
        "withdrawn": 1,
        "mediated": 0,
    }


async def test_a_year_without_administrative_cases_has_no_rows(store: AsyncEngine) -> None:
    await write_2025(store)

    async with async_sessionmaker(store)() as session, session.begin():
        figures = await annual_admin_figures(session, 2023, as_of=dt.date(2026, 1, 20))

    assert figures.agencies == ()
    assert (figures.total.judged, figures.total.lost_rate) == (0, None)


# --- the commands ---------------------------------------------------------------------------------


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, sqlite_url: str) -> typer.Typer:
    """`fyhub scorecard` and `fyhub annual` over the test's SQLite store and the test registry."""
    monkeypatch.setenv("FYHUB_DB__URL", sqlite_url)
    monkeypatch.setenv("FYHUB_REGISTRY", str(TEST_REGISTRY))
    app = typer.Typer()
    app.command("scorecard")(cli_supervision.scorecard)
    app.command("annual")(cli_supervision.annual)
    return app


@pytest.fixture
async def march_store(sqlite_engine: AsyncEngine) -> None:
    await upgrade_engine(sqlite_engine)
    await write_march(sqlite_engine)


@pytest.fixture
async def year_store(sqlite_engine: AsyncEngine) -> None:
    await upgrade_engine(sqlite_engine)
    await write_2025(sqlite_engine)


@pytest.mark.usefixtures("march_store")
def test_the_scorecard_command_writes_the_month_as_csv(cli: typer.Typer, tmp_path: Path) -> None:
    out = tmp_path / "reports" / "scorecard-2024-03.csv"

    result = CliRunner().invoke(
        cli, ["scorecard", "--month", "2024-03", "--format", "csv", "--out", str(out)]
    )

    assert result.exit_code == 0, result.output
    rows = {row["unit"]: row for row in csv.DictReader(io.StringIO(out.read_text()))}
    # As of now every stage of March is decided: tax's figures are those worked out above.
    tax = rows[TAX]
    assert (tax["name"], tax["deliveries"]) == ("国家税务总局舞阳县税务局", "5")
    assert (tax["receipt_on_time_rate"], tax["reply_on_time_rate"]) == ("0.6000", "0.5000")
    assert (tax["median_reply_hours"], tax["p90_reply_hours"]) == ("48.00", "96.00")
    assert (tax["overdue"], tax["still_overdue"], tax["escalated"]) == ("3", "2", "1")
    assert rows[POLICE]["deliveries"] == "0"


@pytest.mark.usefixtures("march_store")
def test_the_scorecard_command_refuses_a_bad_month(cli: typer.Typer) -> None:
    result = CliRunner().invoke(cli, ["scorecard", "--month", "2024-3"])

    assert result.exit_code == 2
    assert "YYYY-MM" in result.output


@pytest.mark.usefixtures("year_store")
def test_the_annual_command_prints_the_year(cli: typer.Typer) -> None:
    result = CliRunner().invoke(cli, ["annual", "--year", "2025"])

    assert result.exit_code == 0, result.output
    assert "Administrative cases 2025" in result.output
    assert "agency_won 1, agency_lost 2, withdrawn 1, mediated 0" in result.output
