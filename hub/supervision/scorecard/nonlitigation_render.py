"""The non-litigation figures as a terminal table, CSV and an HTML section. Pure.

Per limit two columns: acts on time and acts late (`schemas.nonlitigation_limits.Limit`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from hub.supervision.scorecard.monthly import TOTAL
from hub.supervision.scorecard.render import ReportFormat
from hub.supervision.scorecard.tables import Column, csv_text, html_table, text_table
from schemas.nonlitigation_limits import Limit

if TYPE_CHECKING:
    from collections.abc import Mapping

    from hub.supervision.scorecard.nonlitigation import NonlitigationFigures, UnitNonlitigation

LIMIT_NAMES: Final = {
    Limit.APPLICATION: "申请期限",
    Limit.ACCEPTANCE: "受理期限",
    Limit.RULING: "裁定期限",
    Limit.SERVICE: "送达期限",
    Limit.RECONSIDERATION_APPLICATION: "复议申请期限",
    Limit.RECONSIDERATION_DECISION: "复议审查期限",
}
NOTES: Final = (
    "非诉执行：申请日期在本年度的非诉行政执行申请，按申请单位统计；受理、裁定、送达以法院对该申请的答复为准。",
    "期限按《行政强制法》第五十六至五十八条、第六十九条（十日以内为工作日）和《行诉解释》第一百五十六条计算。",
)


def nonlitigation_columns(names: Mapping[str, str]) -> list[Column[UnitNonlitigation]]:
    def count(name: str, en: str, zh: str) -> Column[UnitNonlitigation]:
        return Column(name, en, zh, lambda r: str(getattr(r, name)), lambda r: getattr(r, name))

    columns = [
        Column("unit", "unit", "单位代码", _code, _code, numeric=False),
        Column(
            "name",
            "applicant",
            "申请单位",
            lambda r: "合计" if r.unit == TOTAL else names.get(r.unit, r.unit),
            lambda r: "total" if r.unit == TOTAL else names.get(r.unit, ""),
            numeric=False,
        ),
        count("received", "received", "申请数"),
        count("accepted", "accepted", "受理"),
        count("not_accepted", "not accepted", "不予受理"),
        count("granted", "granted", "准予执行"),
        count("refused", "refused", "不准予执行"),
    ]
    for limit in Limit:
        columns.append(_limit_column(limit, late=False))
        columns.append(_limit_column(limit, late=True))
    return columns


def _limit_column(limit: Limit, *, late: bool) -> Column[UnitNonlitigation]:
    def value(row: UnitNonlitigation) -> int:
        return (row.late if late else row.on_time).get(limit, 0)

    state = "late" if late else "on_time"
    return Column(
        f"{limit.value}_{state}",
        f"{limit.value} {'late' if late else 'on time'}",
        f"{LIMIT_NAMES[limit]}{'逾期' if late else '按期'}",
        lambda r: str(value(r)),
        value,
    )


def _code(row: UnitNonlitigation) -> str:
    return "" if row.unit == TOTAL else row.unit


def nonlitigation_text(figures: NonlitigationFigures, names: Mapping[str, str]) -> str:
    title = f"Non-litigation enforcement {figures.year} ({figures.year}年度非诉执行)"
    return text_table(title, nonlitigation_columns(names), [*figures.units, figures.total])


def nonlitigation_csv(figures: NonlitigationFigures, names: Mapping[str, str]) -> str:
    return csv_text(nonlitigation_columns(names), [*figures.units, figures.total])


def nonlitigation_html(figures: NonlitigationFigures, names: Mapping[str, str]) -> str:
    table = html_table(
        nonlitigation_columns(names), figures.units, figures.total, css_class="nonlitigation"
    )
    notes = "".join(f"<li>{note}</li>" for note in NOTES)
    return f"<h2>{figures.year}年度非诉行政执行情况</h2>\n{table}\n<ul>{notes}</ul>"


def annual_report(
    fmt: ReportFormat,
    admin: str,
    figures: NonlitigationFigures,
    names: Mapping[str, str],
    only: bool,
) -> str:
    """`fyhub annual`'s output: the administrative-case report (`admin`, already rendered in
    `fmt`) followed by the non-litigation figures, or those alone when `only` (and for CSV,
    which carries one table, only then)."""
    if fmt is ReportFormat.CSV:
        return nonlitigation_csv(figures, names) if only else admin
    if fmt is ReportFormat.HTML:
        section = nonlitigation_html(figures, names)
        if only:
            return section
        return admin.replace("</body>", f"{section}\n</body>", 1)
    text = nonlitigation_text(figures, names)
    return text if only else f"{admin}\n\n{text}"
