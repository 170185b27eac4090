"""The scorecard and the annual figures as a terminal table, CSV and HTML. Pure.

The terminal table has English headings and the units' Chinese names; HTML is for the office and
reads in Chinese; CSV is for spreadsheets and scripts, with stable English keys and raw numbers
(rates as fractions, durations in hours).
"""

from __future__ import annotations

from enum import StrEnum
from html import escape
from typing import TYPE_CHECKING

from hub.supervision.scorecard.annual import OUTCOMES
from hub.supervision.scorecard.monthly import TOTAL
from hub.supervision.scorecard.tables import (
    Column,
    csv_text,
    html_document,
    html_table,
    text_table,
)
from hub.supervision.text import show_duration, show_time

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import timedelta

    from hub.supervision.scorecard.annual import AgencyFigures, AnnualFigures
    from hub.supervision.scorecard.monthly import Scorecard, StageTally, UnitScore

TOTAL_NAME = "合计"
OUTCOME_NAMES = {
    "agency_won": "行政机关胜诉",
    "agency_lost": "行政机关败诉",
    "withdrawn": "撤诉",
    "mediated": "调解",
}
SCORECARD_NOTES = (
    "统计范围：本月内（北京时间）枢纽向各单位送达的全部事件副本。",
    "按时签收率、按时答复率 = 按时件数 ÷（按时 + 逾期办结 + 逾期未办）；未到期的不计入。",
    "答复用时自送达起算；中位数取中间值，P90 取第 ⌈0.9n⌉ 小的值。",
    "逾期件数：签收或答复有一项逾期（含逾期后补办）；仍逾期：截至统计时点仍未签收或答复。",
    "升级督办：多次送达仍未签收、已升级至联席会议办公室。",
)
ANNUAL_NOTES = (
    "收案：立案日期在本年度的一审行政案件；审结：裁判日期在本年度的案件，按被诉行政机关统计。",
    "败诉率 = 行政机关败诉案件数 ÷ 审结案件数。",
    "负责人出庭应诉率 = 负责人出庭案件数 ÷ 开庭审理的审结案件数。",
    "司法建议：本年度发出的司法建议；按期回复率 = 按期回复数 ÷（按期回复 + 逾期回复 + 逾期未复）。",
)


class ReportFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    HTML = "html"


# --- the monthly scorecard ------------------------------------------------------------------------


def scorecard_columns(names: Mapping[str, str]) -> list[Column[UnitScore]]:
    def stage(tally: Callable[[UnitScore], StageTally]) -> Callable[[UnitScore], str]:
        return lambda s: show_rate(tally(s).on_time_rate, tally(s).on_time, tally(s).decided)

    return [
        Column("unit", "unit", "单位代码", _code, _code, numeric=False),
        Column(
            "name", "name", "单位", lambda s: _name(s.unit, names), _csv_name(names), numeric=False
        ),
        Column("deliveries", "deliveries", "送达件数", _int("deliveries"), _raw("deliveries")),
        Column(
            "receipt_on_time_rate",
            "on-time receipt",
            "按时签收率",
            stage(lambda s: s.receipts),
            lambda s: _fraction(s.receipts.on_time_rate),
        ),
        Column(
            "reply_on_time_rate",
            "on-time reply",
            "按时答复率",
            stage(lambda s: s.replies),
            lambda s: _fraction(s.replies.on_time_rate),
        ),
        Column(
            "median_reply_hours",
            "median reply",
            "答复用时中位数",
            lambda s: _duration_en(s.median_reply),
            lambda s: _hours(s.median_reply),
        ),
        Column(
            "p90_reply_hours",
            "p90 reply",
            "答复用时P90",
            lambda s: _duration_en(s.p90_reply),
            lambda s: _hours(s.p90_reply),
        ),
        Column("overdue", "overdue", "逾期件数", _int("overdue"), _raw("overdue")),
        Column(
            "still_overdue", "still overdue", "仍逾期", _int("still_overdue"), _raw("still_overdue")
        ),
        Column("escalated", "escalated", "升级督办", _int("escalated"), _raw("escalated")),
    ]


def _scorecard_csv_extra() -> list[Column[UnitScore]]:
    """The counts behind the rates, for whoever recomputes them."""
    extra: list[Column[UnitScore]] = []
    for stage in ("receipts", "replies"):
        for part in ("on_time", "late", "missing", "pending"):
            key = f"{stage}_{part}"
            extra.append(Column(key, key, key, _str, _stage_count(stage, part)))
    return extra


def scorecard_text(card: Scorecard, names: Mapping[str, str] | None = None) -> str:
    title = (
        f"Scorecard {card.month} ({card.month.label_zh}), as of {show_time(card.as_of)} CST: "
        f"{card.total.deliveries} deliveries to {len(card.units)} units"
    )
    return text_table(title, scorecard_columns(names or {}), [*card.units, card.total])


def scorecard_csv(card: Scorecard, names: Mapping[str, str] | None = None) -> str:
    columns = [*scorecard_columns(names or {}), *_scorecard_csv_extra()]
    return csv_text(columns, [*card.units, card.total])


def scorecard_table_html(card: Scorecard, names: Mapping[str, str] | None = None) -> str:
    """The scorecard as an HTML <table>, with Chinese headings and durations."""
    columns = _chinese_durations(scorecard_columns(names or {}))
    return html_table(columns, card.units, card.total, css_class="scorecard")


def scorecard_html(card: Scorecard, names: Mapping[str, str] | None = None) -> str:
    """A whole HTML page: the scorecard and how its figures are counted."""
    title = f"{card.month.label_zh}府院联动成员单位督办考核情况"
    subtitle = f"统计时点：{show_time(card.as_of)}（北京时间）"
    return html_document(title, subtitle, scorecard_table_html(card, names), SCORECARD_NOTES)


def _chinese_durations(columns: list[Column[UnitScore]]) -> list[Column[UnitScore]]:
    chinese = {
        "median_reply_hours": lambda s: duration_zh(s.median_reply),
        "p90_reply_hours": lambda s: duration_zh(s.p90_reply),
    }
    return [
        Column(c.key, c.en, c.zh, chinese[c.key], c.value, c.numeric) if c.key in chinese else c
        for c in columns
    ]


# --- the annual administrative-case figures -------------------------------------------------------


def annual_columns(names: Mapping[str, str]) -> list[Column[AgencyFigures]]:
    def count(name: str, en: str, zh: str) -> Column[AgencyFigures]:
        return Column(name, en, zh, _int(name), _raw(name))

    return [
        Column("unit", "unit", "单位代码", _code, _code, numeric=False),
        Column(
            "name",
            "agency",
            "被诉行政机关",
            lambda a: _name(a.unit, names),
            _csv_name(names),
            numeric=False,
        ),
        count("filed", "filed", "收案数"),
        count("judged", "judged", "审结数"),
        count("lost", "lost", "败诉数"),
        Column(
            "lost_rate",
            "lost rate",
            "败诉率",
            lambda a: show_rate(a.lost_rate, a.lost, a.judged),
            lambda a: _fraction(a.lost_rate),
        ),
        count("heard", "heard", "开庭审理数"),
        count("head_appeared", "head appeared", "负责人出庭数"),
        Column(
            "head_appearance_rate",
            "head appearance",
            "负责人出庭应诉率",
            lambda a: show_rate(a.head_appearance_rate, a.head_appeared, a.heard),
            lambda a: _fraction(a.head_appearance_rate),
        ),
        count("suggestions", "suggestions", "司法建议数"),
        count("replied_on_time", "replied on time", "按期回复"),
        count("replied_late", "replied late", "逾期回复"),
        count("reply_overdue", "reply overdue", "逾期未复"),
        count("reply_pending", "reply pending", "未到回复期"),
        Column(
            "on_time_reply_rate",
            "on-time reply",
            "按期回复率",
            lambda a: _rate_only(a.on_time_reply_rate),
            lambda a: _fraction(a.on_time_reply_rate),
        ),
    ]


def annual_text(figures: AnnualFigures, names: Mapping[str, str] | None = None) -> str:
    title = f"Administrative cases {figures.year} ({figures.year}年度), as of {figures.as_of}"
    table = text_table(title, annual_columns(names or {}), [*figures.agencies, figures.total])
    outcomes = ", ".join(f"{name} {figures.outcomes.get(name, 0)}" for name in OUTCOMES)
    return f"{table}\njudgments by outcome: {outcomes}"


def annual_csv(figures: AnnualFigures, names: Mapping[str, str] | None = None) -> str:
    return csv_text(annual_columns(names or {}), [*figures.agencies, figures.total])


def annual_table_html(figures: AnnualFigures, names: Mapping[str, str] | None = None) -> str:
    table = html_table(
        annual_columns(names or {}), figures.agencies, figures.total, css_class="annual"
    )
    outcomes = "，".join(
        f"{OUTCOME_NAMES[name]} {figures.outcomes.get(name, 0)} 件" for name in OUTCOMES
    )
    return f'{table}\n<p class="outcomes">审结案件裁判结果：{escape(outcomes)}</p>'


def annual_html(figures: AnnualFigures, names: Mapping[str, str] | None = None) -> str:
    title = f"{figures.year}年度行政案件及司法建议情况"
    subtitle = f"统计时点：{figures.as_of.isoformat()}"
    return html_document(title, subtitle, annual_table_html(figures, names), ANNUAL_NOTES)


# --- cells ----------------------------------------------------------------------------------------


def show_rate(rate: float | None, part: int, whole: int) -> str:
    return "-" if rate is None else f"{rate:.1%} ({part}/{whole})"


def duration_zh(span: timedelta | None) -> str:
    if span is None:
        return "-"
    minutes = int(span.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    return f"{days}天{hours}小时" if days else f"{hours}小时{minutes}分"


def _rate_only(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.1%}"


def _duration_en(span: timedelta | None) -> str:
    return "-" if span is None else show_duration(span)


def _hours(span: timedelta | None) -> str | None:
    return None if span is None else f"{span.total_seconds() / 3600:.2f}"


def _fraction(rate: float | None) -> str | None:
    return None if rate is None else f"{rate:.4f}"


def _code(row: UnitScore | AgencyFigures) -> str:
    return "" if row.unit == TOTAL else row.unit


def _name(unit: str, names: Mapping[str, str]) -> str:
    return TOTAL_NAME if unit == TOTAL else names.get(unit, unit)


def _csv_name(names: Mapping[str, str]) -> Callable[[UnitScore | AgencyFigures], str]:
    return lambda row: "total" if row.unit == TOTAL else names.get(row.unit, "")


def _int(name: str) -> Callable[[object], str]:
    return lambda row: str(getattr(row, name))


def _raw(name: str) -> Callable[[object], object]:
    return lambda row: getattr(row, name)


def _str(_row: object) -> str:
    return ""


def _stage_count(stage: str, part: str) -> Callable[[UnitScore], object]:
    return lambda s: getattr(getattr(s, stage), part)
