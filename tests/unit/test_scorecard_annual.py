"""The year's administrative-case figures from event payloads, against hand-worked figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from hub.supervision.scorecard import TOTAL, AdminCaseEvents, annual_figures
from hub.supervision.scorecard.annual import (
    CaseFiled,
    CaseJudged,
    SuggestionIssued,
    SuggestionReplied,
    read_filed,
    read_judged,
    read_reply,
    read_suggestion,
)

SAMR, NR, JUSTICE = "samr.411121", "nr.411121", "justice.411121"
AS_OF = dt.date(2026, 1, 20)


def case(n: int, year: int = 2025) -> str:
    return f"（{year}）豫1121行初{n}号"


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def year_2025() -> AdminCaseEvents:
    return AdminCaseEvents(
        filed=(
            CaseFiled(case(1), SAMR, d("2025-02-10")),
            CaseFiled(case(2), SAMR, d("2025-03-01")),
            CaseFiled(case(3), NR, d("2025-04-01")),
            CaseFiled(case(9, 2024), NR, d("2024-11-20")),  # filed last year, judged this year
            CaseFiled(case(1, 2026), SAMR, d("2026-01-05")),  # next year
        ),
        heard=frozenset({case(1), case(3), case(9, 2024)}),
        judged=(
            CaseJudged(case(1), SAMR, "agency_lost", d("2025-06-30"), head_appeared=True),
            CaseJudged(case(2), SAMR, "withdrawn", d("2025-05-01"), head_appeared=False),
            CaseJudged(case(3), NR, "agency_won", d("2025-09-01"), head_appeared=False),
            CaseJudged(case(9, 2024), NR, "agency_lost", d("2025-01-15"), head_appeared=True),
            CaseJudged(case(1, 2026), SAMR, "agency_won", d("2026-01-10"), head_appeared=True),
        ),
        suggestions=(
            SuggestionIssued("舞法建〔2025〕1号", SAMR, d("2025-05-01"), d("2025-07-01")),
            SuggestionIssued("舞法建〔2025〕2号", NR, d("2025-06-01"), d("2025-08-01")),
            SuggestionIssued("舞法建〔2025〕3号", NR, d("2025-11-01"), d("2026-01-01")),
            SuggestionIssued("舞法建〔2025〕4号", SAMR, d("2025-12-15"), d("2026-02-15")),
            SuggestionIssued("舞法建〔2024〕7号", SAMR, d("2024-12-01"), d("2025-02-01")),
        ),
        replies=(
            SuggestionReplied("舞法建〔2025〕1号", SAMR, d("2025-06-20")),
            SuggestionReplied("舞法建〔2025〕2号", NR, d("2025-08-15")),
            # Another unit cannot answer a suggestion made to nr.
            SuggestionReplied("舞法建〔2025〕3号", SAMR, d("2025-12-01")),
        ),
    )


def test_a_year_matches_the_figures_worked_out_by_hand() -> None:
    figures = annual_figures(2025, year_2025(), as_of=AS_OF)
    rows = {row.unit: row for row in figures.agencies}

    assert list(rows) == [NR, SAMR]
    samr, nr = rows[SAMR], rows[NR]
    # samr: cases 1 and 2 filed and judged; 1 lost; only case 1 heard, its head appeared
    assert (samr.filed, samr.judged, samr.lost, samr.heard, samr.head_appeared) == (2, 2, 1, 1, 1)
    assert (samr.lost_rate, samr.head_appearance_rate) == (0.5, 1.0)
    # suggestions 1 (on time) and 4 (not yet due)
    assert (samr.suggestions, samr.replied_on_time, samr.reply_pending) == (2, 1, 1)
    assert samr.on_time_reply_rate == 1.0
    # nr: case 3 filed; cases 3 and 9/2024 judged, 9/2024 lost; both heard, one head appeared
    assert (nr.filed, nr.judged, nr.lost, nr.heard, nr.head_appeared) == (1, 2, 1, 2, 1)
    assert (nr.lost_rate, nr.head_appearance_rate) == (0.5, 0.5)
    # suggestions 2 (late) and 3 (overdue: samr's reply does not count)
    assert (nr.suggestions, nr.replied_late, nr.reply_overdue) == (2, 1, 1)
    assert nr.on_time_reply_rate == 0.0

    total = figures.total
    assert (total.unit, total.filed, total.judged, total.lost) == (TOTAL, 3, 4, 2)
    assert total.head_appearance_rate == pytest.approx(2 / 3)
    assert total.on_time_reply_rate == pytest.approx(1 / 3)
    assert dict(figures.outcomes) == {
        "agency_won": 1,
        "agency_lost": 2,
        "withdrawn": 1,
        "mediated": 0,
    }


def test_a_judgment_without_a_filing_counts_for_the_unit_it_was_addressed_to() -> None:
    events = AdminCaseEvents(
        judged=(CaseJudged(case(5), SAMR, "mediated", d("2025-03-03"), head_appeared=False),)
    )

    figures = annual_figures(2025, events, as_of=AS_OF)

    assert [(a.unit, a.judged, a.heard) for a in figures.agencies] == [(SAMR, 1, 0)]
    assert figures.agencies[0].head_appearance_rate is None


def test_a_case_judged_twice_counts_once_with_its_latest_judgment() -> None:
    events = AdminCaseEvents(
        filed=(CaseFiled(case(1), SAMR, d("2025-02-10")),),
        judged=(
            CaseJudged(case(1), SAMR, "agency_won", d("2025-06-30"), head_appeared=False),
            CaseJudged(case(1), SAMR, "agency_lost", d("2025-07-02"), head_appeared=False),
        ),
    )

    samr = annual_figures(2025, events, as_of=AS_OF).agencies[0]

    assert (samr.judged, samr.lost) == (1, 1)


def envelope(type_: str, data: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": type_, "source": "fy:unit:court.411121", "data": data, **extra}


def test_payloads_are_read_into_facts() -> None:
    filed = envelope(
        "admincase.filed.v1",
        {"case_no": "(2025)豫1121行初1号", "defendant": {"unit": SAMR}, "filed_on": "2025-02-10"},
    )
    judged = envelope(
        "admincase.judged.v1",
        {"case_no": case(1), "outcome": "agency_lost", "judged_on": "2025-06-30"}
        | {"head_appeared": True},
        to=f"{JUSTICE} {SAMR}",
    )
    issued = envelope(
        "judicial.suggestion.issued.v1",
        {
            "suggestion_no": "舞法建〔2025〕1号",
            "recipient": {"unit": NR, "name": "舞阳县自然资源局"},
        }
        | {"issued_on": "2025-05-01", "reply_by": "2025-07-01"},
    )
    replied = envelope(
        "judicial.suggestion.replied.v1",
        {"suggestion_no": "舞法建〔2025〕1号", "replied_on": "2025-06-20"},
        source=f"fy:unit:{NR}",
    )

    # ASCII brackets are normalised, so the filing and its judgment share one case number.
    assert read_filed(filed) == CaseFiled(case(1), SAMR, d("2025-02-10"))
    assert read_judged(judged) == CaseJudged(
        case(1), SAMR, "agency_lost", d("2025-06-30"), head_appeared=True
    )
    assert read_suggestion(issued) == SuggestionIssued(
        "舞法建〔2025〕1号", NR, d("2025-05-01"), d("2025-07-01")
    )
    assert read_reply(replied) == SuggestionReplied("舞法建〔2025〕1号", NR, d("2025-06-20"))


def test_a_payload_missing_what_the_figures_need_is_not_read() -> None:
    assert read_filed(envelope("admincase.filed.v1", {"case_no": case(1)})) is None
    assert read_judged(envelope("admincase.judged.v1", {"judged_on": "not a date"})) is None
    assert read_reply({"data": {"suggestion_no": "x", "replied_on": "2025-01-01"}}) is None
