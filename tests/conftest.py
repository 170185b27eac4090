"""Session-wide plugins and the guard that the suite leaves the user's `.fyhub/` untouched."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.fixtures import state_guard

if TYPE_CHECKING:
    from _pytest.terminal import TerminalReporter

pytest_plugins = ["tests.fixtures.kafka", "tests.fixtures.databases"]

_BEFORE = pytest.StashKey[state_guard.Snapshot]()
_CHANGED = pytest.StashKey[list[str]]()
_UNATTRIBUTABLE = pytest.StashKey[list[str]]()


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_BEFORE] = state_guard.snapshot(state_guard.DEFAULT_STATE)


@pytest.hookimpl(trylast=True)  # after the session fixtures' teardown, which may write too
def pytest_sessionfinish(session: pytest.Session) -> None:
    state = state_guard.DEFAULT_STATE
    before = session.config.stash.get(_BEFORE, None)
    if before is None:
        return
    after = state_guard.snapshot(state)
    servers = state_guard.servers_running_in(state)
    hub = state_guard.hub_running_in(state_guard.REPO)
    excluded = (*servers, *(state_guard.HUB_FILES if hub else ()))
    changed = state_guard.changes(before, after, excluded=excluded)
    untold = state_guard.changes(before, after) if excluded else state_guard.Changes([], [], [])
    untold_paths = sorted(set(untold.paths()) - set(changed.paths()))
    if untold_paths:
        running = [f"{state / folder} (pid {pid})" for folder, pid in servers.items()]
        running += [f"fyhub up (pid {hub})"] if hub else []
        session.config.stash[_UNATTRIBUTABLE] = [
            (
                f"{len(untold_paths)} paths under {state} changed while the user's own servers "
                f"were running there ({', '.join(running)}); the suite cannot tell their writes "
                "from its own, so they are not counted: stop them (`make down`) for a full check"
            ),
        ]
    if changed:
        session.config.stash[_CHANGED] = [
            f"the test run wrote the user's state folder {state}, which tests must never touch:",
            *changed.described(state),
        ]
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: TerminalReporter) -> None:
    from tests.faults.production_hub import FAULT_COUNTS  # noqa: PLC0415 - a plugin, loaded by pytest
    from tests.fixtures.kafka import EXTERNAL_REPORTS  # noqa: PLC0415

    config = terminalreporter.config
    if FAULT_COUNTS:
        terminalreporter.section("the fault tests' counts", sep="-")
        for counts in FAULT_COUNTS:
            terminalreporter.write_line(counts.line())
    for report in EXTERNAL_REPORTS:
        terminalreporter.section("the external Kafka broker", sep="-")
        for line in report.lines():
            terminalreporter.write_line(line)
    for line in config.stash.get(_UNATTRIBUTABLE, []):
        terminalreporter.write_line(f"note: {line}", yellow=True)
    changed = config.stash.get(_CHANGED, [])
    if changed:
        terminalreporter.section("FAILED: the user's .fyhub/ was written", sep="=", red=True)
        for line in changed:
            terminalreporter.write_line(line, red=True)
