"""`fyhub annual`'s non-litigation figures (hub.supervision.scorecard.nonlitigation) from stored
envelopes, on the shipped calendar: counts per applying unit and each limit on time or late."""

from __future__ import annotations

from typing import Any

from hub.supervision.scorecard.monthly import TOTAL
from hub.supervision.scorecard.nonlitigation import nonlitigation_figures
from hub.supervision.scorecard.nonlitigation_render import (
    annual_report,
    nonlitigation_csv,
    nonlitigation_text,
)
from hub.supervision.scorecard.render import ReportFormat
from schemas.nonlitigation_limits import Limit
from tests.calendars import shipped_calendar

CALENDAR = shipped_calendar()
SAMR, NR, COURT = "samr.411121", "nr.411121", "court.411121"


def envelope(type_: str, source: str, id_: str, data: dict[str, Any], **extra: Any) -> dict:
    return {
        "type": f"nonlitigation.{type_}.v1",
        "source": f"fy:unit:{source}",
        "id": id_,
        "data": data,
        **extra,
    }


def applied(id_: str, unit: str, applied_on: str, ended: str = "2026-10-31") -> dict:
    data = {"application_no": f"申{id_}", "applied_on": applied_on, "suit_period_ended_on": ended}
    return envelope("enforcement.applied", unit, id_, data)


def accepted(
    of: str, received: str, accepted_on: str, *, outcome: str = "accepted", hearing: bool = False
) -> dict:
    data = {
        "outcome": outcome,
        "received_on": received,
        "accepted_on": accepted_on,
        "hearing": hearing,
    }
    return envelope("enforcement.accepted", COURT, f"acc-{of}", data, correlationid=of)


def ruled(of: str, ruling: str, ruled_on: str) -> dict:
    data = {"ruling": ruling, "ruled_on": ruled_on}
    return envelope("enforcement.ruled", COURT, f"rul-{of}", data, correlationid=of)


def served(of: str, ruling: str, ruled_on: str, served_on: str) -> dict:
    data = {"ruling": ruling, "ruled_on": ruled_on, "served_on": served_on}
    return envelope("enforcement.served", COURT, f"srv-{of}", data, correlationid=of)


EVENTS = [
    # samr, on time throughout, across New Year: received Mon 12-28, accepted Tue 2027-01-05
    # (the 5th working day), ruled Thu 01-14 (the 7th working day from the acceptance), the
    # refusal served Thu 01-21 (the 5th working day from the ruling).
    applied("a1", SAMR, "2026-12-28"),
    accepted("a1", "2026-12-28", "2027-01-05"),
    ruled("a1", "refused", "2027-01-14"),
    served("a1", "refused", "2027-01-14", "2027-01-21"),
    # samr, late everywhere: accepted 01-06 (6th working day), ruled 01-16 (a Saturday, after
    # the 7th working day 01-15), refusal served 01-25 (after Fri 01-22).
    applied("a2", SAMR, "2026-12-28"),
    accepted("a2", "2026-12-28", "2027-01-06"),
    ruled("a2", "refused", "2027-01-16"),
    served("a2", "refused", "2027-01-16", "2027-01-25"),
    # nr: not accepted in time; an application of another year is not counted.
    applied("a3", NR, "2026-06-02", ended="2026-05-20"),
    accepted("a3", "2026-06-02", "2026-06-03", outcome="not_accepted"),
    applied("a4", NR, "2025-12-01", ended="2025-10-01"),
]


def test_counts_and_limits_per_applying_unit() -> None:
    figures = nonlitigation_figures(2026, EVENTS, CALENDAR)
    nr, samr = figures.units  # by unit code
    assert (samr.unit, samr.received, samr.accepted, samr.refused, samr.granted) == (
        SAMR,
        2,
        2,
        2,
        0,
    )
    assert samr.on_time == {
        Limit.APPLICATION: 2,
        Limit.ACCEPTANCE: 1,
        Limit.RULING: 1,
        Limit.SERVICE: 1,
    }
    assert samr.late == {Limit.ACCEPTANCE: 1, Limit.RULING: 1, Limit.SERVICE: 1}
    assert (nr.received, nr.not_accepted, nr.accepted) == (1, 1, 0)
    assert nr.on_time == {Limit.APPLICATION: 1, Limit.ACCEPTANCE: 1}
    assert figures.total.unit == TOTAL
    assert figures.total.received == 3
    assert figures.total.late[Limit.RULING] == 1


def test_a_hearing_rules_within_30_days_of_acceptance() -> None:
    events = [
        applied("h", SAMR, "2026-12-28"),
        accepted("h", "2026-12-28", "2027-01-07", hearing=True),
        ruled("h", "granted", "2027-02-11"),  # 30th day 02-06 in the Spring Festival → 02-11
    ]
    (row,) = nonlitigation_figures(2026, events, CALENDAR).units
    assert row.on_time[Limit.RULING] == 1
    assert row.granted == 1


def test_the_report_shows_the_table_after_the_admin_figures() -> None:
    figures = nonlitigation_figures(2026, EVENTS, CALENDAR)
    names = {SAMR: "舞阳县市场监督管理局"}
    text = nonlitigation_text(figures, names)
    assert "舞阳县市场监督管理局" in text
    assert "ruling late" in text
    csv = nonlitigation_csv(figures, names)
    assert csv.splitlines()[0].startswith("unit,name,received,accepted,not_accepted")
    assert annual_report(ReportFormat.CSV, "admin", figures, names, only=False) == "admin"
    assert annual_report(ReportFormat.TABLE, "admin", figures, names, only=False).startswith(
        "admin\n\nNon-litigation enforcement 2026"
    )
