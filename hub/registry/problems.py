"""What is wrong with a contract file, precisely enough to fix it: file, line, field, reason."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

Loc = tuple[str | int, ...]
"""Where in a document a problem sits, as pydantic spells error locations."""


@dataclass(frozen=True)
class Problem:
    message: str
    loc: Loc = ()
    file: Path | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = str(self.file) if self.file is not None else ""
        if self.line is not None:
            where = f"{where}:{self.line}"
        field = ".".join(str(part) for part in self.loc)
        prefix = f"{where}: " if where else ""
        return f"{prefix}{field}: {self.message}" if field else f"{prefix}{self.message}"


class ContractError(Exception):
    """A registry or routing table that cannot be used, with every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))
