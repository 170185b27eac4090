"""Read `deploy/calendar/<year>.yaml`: the I/O edge of the calendar.

Each file is checked at start: a file that does not parse, does not fit `Arrangement`, or whose
name is not its year stops the hub with a `CalendarFileError` naming the file, the line and the
problem.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import ValidationError

from hub.calendar.arrangement import Arrangement
from hub.calendar.working import ArrangementFile
from hub.registry.problems import ContractError, Problem
from hub.registry.yaml_source import read_yaml

if TYPE_CHECKING:
    from pathlib import Path


class CalendarFileError(ContractError):
    """One or more calendar files that cannot be used; each problem names its file."""


def load_arrangements(directory: Path) -> dict[int, ArrangementFile]:
    """Every `<year>.yaml` in `directory`, by year."""
    if not directory.is_dir():
        raise CalendarFileError([Problem("no such calendar directory", file=directory)])
    problems: list[Problem] = []
    found: dict[int, ArrangementFile] = {}
    for path in sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]):
        try:
            loaded = load_arrangement(path)
        except ContractError as exc:
            problems.extend(exc.problems)
            continue
        found[loaded.arrangement.year] = loaded
    if problems:
        raise CalendarFileError(problems)
    return found


def load_arrangement(path: Path) -> ArrangementFile:
    try:
        document = read_yaml(path)
    except ValueError as exc:
        # YAML reads a date such as 2027-02-30 itself and fails on it before any model does.
        raise CalendarFileError([Problem(f"not a valid value: {exc}", file=path)]) from None
    try:
        arrangement = Arrangement.model_validate(document.data)
    except ValidationError as exc:
        raise CalendarFileError(document.validation_problems(exc)) from None
    if path.stem != str(arrangement.year):
        message = f"a file for {arrangement.year} must be named {arrangement.year}{path.suffix}"
        raise CalendarFileError([document.problem(message, ("year",))])
    return ArrangementFile(path, arrangement)
