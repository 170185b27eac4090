"""Rows as a terminal table, CSV or an HTML table, column by column. Pure."""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Column(Generic[R]):
    """One column: CSV key, English and Chinese headings, and how a row fills it."""

    key: str
    en: str
    zh: str
    show: Callable[[R], str]
    """The cell as a person reads it."""
    value: Callable[[R], object]
    """The cell in CSV: a raw number, a code, or empty."""
    numeric: bool = True


def text_table(title: str, columns: Sequence[Column[R]], rows: Sequence[R]) -> str:
    """A plain table for the terminal; Chinese characters count as two columns."""
    cells = [[c.en for c in columns], *[[c.show(row) for c in columns] for row in rows]]
    widths = [max(display_width(line[i]) for line in cells) for i in range(len(columns))]

    def line(values: list[str]) -> str:
        padded = [
            _pad(value, widths[i], right=columns[i].numeric) for i, value in enumerate(values)
        ]
        return "  ".join(padded).rstrip()

    rule = "  ".join("-" * w for w in widths)
    head, *body = (line(values) for values in cells)
    return "\n".join([title, "", head, rule, *body[:-1], rule, *body[-1:]])


def csv_text(columns: Sequence[Column[R]], rows: Sequence[R]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.key for c in columns])
    for row in rows:
        writer.writerow(["" if (v := c.value(row)) is None else v for c in columns])
    return out.getvalue()


def html_table(columns: Sequence[Column[R]], rows: Sequence[R], total: R, *, css_class: str) -> str:
    head = "".join(f'<th scope="col">{escape(c.zh)}</th>' for c in columns)

    def tr(row: R, tag: str = "td") -> str:
        cells = "".join(
            f'<{tag} class="{"num" if c.numeric else "text"}">{escape(c.show(row))}</{tag}>'
            for c in columns
        )
        return f"<tr>{cells}</tr>"

    body = "\n".join(tr(row) for row in rows)
    return (
        f'<table class="{escape(css_class)}">\n<thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n{body}\n</tbody>\n<tfoot>{tr(total)}</tfoot>\n</table>"
    )


def html_document(title: str, subtitle: str, body: str, notes: Sequence[str]) -> str:
    listed = "".join(f"<li>{escape(note)}</li>" for note in notes)
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{escape(title)}</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; }}
th, td {{ border: 1px solid #999; padding: 0.3em 0.6em; }}
td.num {{ text-align: right; }}
tfoot td {{ font-weight: bold; }}
</style>
</head>
<body>
<h1>{escape(title)}</h1>
<p>{escape(subtitle)}</p>
{body}
<h2>统计口径</h2>
<ol>{listed}</ol>
</body>
</html>
"""


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, *, right: bool) -> str:
    fill = " " * (width - display_width(text))
    return fill + text if right else text + fill
