"""`fyhub calendar status` and `fyhub calendar show` through Typer's runner, on the shipped files
and on calendar directories of the tests' own (FYHUB_CALENDAR)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.cli.calendar import status_lines
from hub.cli.main import app
from hub.routing.deadlines import CHINA_TZ
from tests.calendars import SHIPPED_CALENDAR, shipped_calendar


def invoke(*args: str, calendar: Path = SHIPPED_CALENDAR) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={"FYHUB_CALENDAR": str(calendar)})
    return result.exit_code, result.stdout, result.stderr


def test_show_marks_new_years_day_2027_a_provisional_holiday() -> None:
    code, out, _ = invoke("calendar", "show", "2027-01")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("2027-01: provisional")
    assert len(lines) == 1 + 31
    assert lines[1].split() == ["2027-01-01", "Fri", "holiday", "元旦", "provisional"]
    assert lines[2].split() == ["2027-01-02", "Sat", "rest", "-", "provisional"]
    assert lines[4].split() == ["2027-01-04", "Mon", "working", "-", "provisional"]


def test_show_names_adjusted_working_days_and_the_file() -> None:
    code, out, _ = invoke("calendar", "show", "2026-02")
    assert code == 0
    by_day = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert by_day["2026-02-14"].split() == [
        "2026-02-14", "Sat", "adjusted", "working", "day", "春节", "file",
    ]  # fmt: skip
    assert "holiday" in by_day["2026-02-16"]
    assert str(SHIPPED_CALENDAR / "2026.yaml") in out.splitlines()[0]


def test_show_spring_festival_2027_with_its_make_up_days() -> None:
    _, out, _ = invoke("calendar", "show", "2027-02")
    holidays = [line.split()[0] for line in out.splitlines()[1:] if " holiday " in line]
    assert holidays == [f"2027-02-{n:02d}" for n in range(5, 11)]
    assert "春节（补假）" in out


@pytest.mark.parametrize("month", ["2027", "2027-13", "January"])
def test_show_refuses_what_is_not_a_month(month: str) -> None:
    code, _, err = invoke("calendar", "show", month)
    assert code == 2
    assert "YYYY-MM" in err


def test_status_names_each_years_source_through_next_year() -> None:
    code, out, _ = invoke("calendar", "status")
    assert code == 0
    sources = {line.split()[0]: line.split()[1] for line in out.splitlines()}
    assert sources["2004"] == "library"
    assert sources["2024"] == "library"
    assert (sources["2025"], sources["2026"]) == ("file", "file")
    assert int(max(sources)) >= datetime.now(CHINA_TZ).year + 1


def test_status_runs_to_next_year_when_the_sources_end_earlier() -> None:
    lines = status_lines(shipped_calendar(), today=date(2026, 12, 2))
    assert lines[0].startswith("2004  library")
    assert lines[-1].startswith("2027  provisional")


def test_a_file_added_for_2027_makes_it_official(tmp_path: Path) -> None:
    (tmp_path / "2027.yaml").write_text(
        "year: 2027\nnotice: {title: 国务院办公厅关于2027年部分节假日安排的通知}\n"
        "holidays:\n  - {name: 元旦, start: 2027-01-01, end: 2027-01-03}\n",
        encoding="utf-8",
    )
    _, out, _ = invoke("calendar", "status", calendar=tmp_path)
    assert "2027  file" in out
    _, out, _ = invoke("calendar", "show", "2027-01", calendar=tmp_path)
    assert out.splitlines()[3].split()[2:] == ["holiday", "元旦", "file"]


def test_a_bad_file_fails_naming_it(tmp_path: Path) -> None:
    bad = tmp_path / "2027.yaml"
    bad.write_text("year: 2027\nnotice: {title: 通知}\nholidays: []\n", encoding="utf-8")
    code, out, err = invoke("calendar", "status", calendar=tmp_path)
    assert code == 1
    assert out == ""
    assert f"{bad}:3: holidays:" in err
