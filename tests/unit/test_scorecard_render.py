"""The scorecard and the annual figures as terminal table, CSV and HTML."""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from datetime import timedelta
from html.parser import HTMLParser

from hub.deliveries.state import Delivery
from hub.routing.deadlines import CHINA_TZ
from hub.supervision.scorecard import Month, annual_figures, scorecard
from hub.supervision.scorecard.annual import AdminCaseEvents, CaseFiled, CaseJudged
from hub.supervision.scorecard.render import (
    annual_csv,
    annual_html,
    annual_text,
    duration_zh,
    scorecard_csv,
    scorecard_html,
    scorecard_table_html,
    scorecard_text,
)

TAX, NR = "tax.411121", "nr.411121"
NAMES = {TAX: "国家税务总局舞阳县税务局", NR: "舞阳县<自然资源>局"}
ROUTED = dt.datetime(2024, 3, 5, 9, 0, tzinfo=CHINA_TZ)
AS_OF = dt.datetime(2024, 4, 10, 12, 0, tzinfo=CHINA_TZ)


def copy(recipient: str, *, reply_after: timedelta | None) -> Delivery:
    return Delivery(
        event_source="fy:unit:court.411121",
        event_id=f"E-{recipient}",
        recipient=recipient,
        event_type="enforcement.query.requested.v1",
        subject="（2024）豫1121执123号",
        routed_at=ROUTED,
        receipt_due=ROUTED + timedelta(days=1),
        reply_due=ROUTED + timedelta(days=3),
        receipt_at=None if reply_after is None else ROUTED + reply_after,
        replied_at=None if reply_after is None else ROUTED + reply_after,
    )


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self.rows: list[list[str]] = []
        self._cell: str | None = None

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag == "tr":
            self.rows.append([])
        if tag in {"th", "td"}:
            self._cell = ""

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell += data

    def handle_endtag(self, tag: str) -> None:
        if tag in {"th", "td"} and self._cell is not None:
            (self.headings if tag == "th" else self.rows[-1]).append(self._cell)
            self._cell = None


def test_the_csv_reads_back_with_raw_figures() -> None:
    card = scorecard(Month(2024, 3), [copy(TAX, reply_after=timedelta(hours=30))], as_of=AS_OF)

    rows = list(csv.DictReader(io.StringIO(scorecard_csv(card, NAMES))))

    tax, total = rows
    assert (tax["unit"], tax["name"], tax["deliveries"]) == (TAX, NAMES[TAX], "1")
    # received 30 h after routing, due after 24 h: late; replied within the 3 days
    assert (tax["receipt_on_time_rate"], tax["reply_on_time_rate"]) == ("0.0000", "1.0000")
    assert (tax["median_reply_hours"], tax["receipts_late"], tax["overdue"]) == ("30.00", "1", "1")
    assert (total["unit"], total["name"]) == ("", "total")


def test_the_html_has_chinese_headings_and_escapes_names() -> None:
    card = scorecard(
        Month(2024, 3),
        [copy(TAX, reply_after=timedelta(hours=30)), copy(NR, reply_after=None)],
        as_of=AS_OF,
    )
    parser = _Cells()

    parser.feed(scorecard_table_html(card, NAMES))

    assert parser.headings[:4] == ["单位代码", "单位", "送达件数", "按时签收率"]
    assert "升级督办" in parser.headings
    body = [row for row in parser.rows if row]
    assert body[0][:3] == [NR, "舞阳县<自然资源>局", "1"]
    assert body[1][5] == "1天6小时"  # tax's median reply time
    assert body[-1][1] == "合计"
    page = scorecard_html(card, NAMES)
    assert "舞阳县&lt;自然资源&gt;局" in page
    assert page.startswith("<!doctype html>")
    assert "2024年3月" in page


def test_the_terminal_table_lines_up_chinese_names() -> None:
    card = scorecard(
        Month(2024, 3),
        [copy(TAX, reply_after=timedelta(hours=30)), copy(NR, reply_after=None)],
        as_of=AS_OF,
    )

    lines = scorecard_text(
        card, {TAX: "国家税务总局舞阳县税务局", NR: "舞阳县自然资源局"}
    ).splitlines()

    # The last column is right-aligned: every line of the table ends in the same terminal
    # column once Chinese characters are counted two wide.
    table = lines[2:]
    widths = {
        sum(2 if unicodedata.east_asian_width(ch) == "W" else 1 for ch in line) for line in table
    }
    assert len(table) == 6
    assert len(widths) == 1
    assert "50.0% (1/2)" in lines[-1]  # total on-time replies: tax's, of two decided


def test_durations_read_in_chinese() -> None:
    assert duration_zh(timedelta(days=2, hours=3, minutes=5)) == "2天3小时"
    assert duration_zh(timedelta(hours=5, minutes=12)) == "5小时12分"
    assert duration_zh(None) == "-"


def test_the_annual_figures_render_in_every_format() -> None:
    events = AdminCaseEvents(
        filed=(CaseFiled("（2025）豫1121行初1号", NR, dt.date(2025, 2, 1)),),
        heard=frozenset({"（2025）豫1121行初1号"}),
        judged=(
            CaseJudged(
                "（2025）豫1121行初1号", NR, "agency_lost", dt.date(2025, 6, 1), head_appeared=True
            ),
        ),
    )
    figures = annual_figures(2025, events, as_of=dt.date(2026, 1, 20))
    names = {NR: "舞阳县自然资源局"}

    rows = list(csv.DictReader(io.StringIO(annual_csv(figures, names))))
    assert [(r["unit"], r["judged"], r["lost_rate"], r["head_appearance_rate"]) for r in rows] == [
        (NR, "1", "1.0000", "1.0000"),
        ("", "1", "1.0000", "1.0000"),
    ]
    page = annual_html(figures, names)
    assert "败诉率" in page
    assert "负责人出庭应诉率" in page
    assert "行政机关败诉 1 件" in page
    assert '<td class="text">舞阳县自然资源局</td>' in page
    assert "agency_lost 1" in annual_text(figures, names)
