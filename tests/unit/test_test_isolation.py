"""The suite's own isolation: the `.fyhub/` guard's comparison, and what a session on someone
else's broker deletes and reports (pure parts of `tests.fixtures.state_guard` / `.kafka`)."""

from __future__ import annotations

import os
from pathlib import Path

from tests.fixtures.kafka import appended_records, suite_topics_to_delete
from tests.fixtures.own_kafka import owner_pid, reap_abandoned
from tests.fixtures.state_guard import changes, servers_running_in, snapshot

BEFORE = {
    "kafka": (-1, 10),
    "kafka/broker/data/fy.hub.journal-0/00000.log": (100, 20),
    "hub-signing.key": (45, 30),
}


def test_identical_snapshots_are_no_change() -> None:
    assert not changes(BEFORE, dict(BEFORE))


def test_a_new_file_is_an_addition() -> None:
    after = BEFORE | {"fyhub.db": (4096, 40)}
    found = changes(BEFORE, after)
    assert found
    assert found.added == ["fyhub.db"]
    assert found.paths() == ["fyhub.db"]


def test_a_grown_journal_segment_is_a_rewrite_even_with_the_same_mtime() -> None:
    after = BEFORE | {"kafka/broker/data/fy.hub.journal-0/00000.log": (180, 20)}
    assert changes(BEFORE, after).rewritten == ["kafka/broker/data/fy.hub.journal-0/00000.log"]


def test_a_touched_key_with_the_same_size_is_a_rewrite() -> None:
    after = BEFORE | {"hub-signing.key": (45, 31)}
    assert changes(BEFORE, after).rewritten == ["hub-signing.key"]


def test_a_deleted_file_is_a_removal() -> None:
    after = {k: v for k, v in BEFORE.items() if k != "hub-signing.key"}
    assert changes(BEFORE, after).removed == ["hub-signing.key"]


def test_changes_under_an_excluded_folder_are_left_out_and_only_those() -> None:
    after = BEFORE | {
        "kafka/broker/data/fy.hub.journal-0/00000.log": (180, 21),
        "kafka2/x": (1, 1),
        "fyhub.db": (1, 1),
    }
    found = changes(BEFORE, after, excluded=("kafka",))
    assert found.paths() == ["fyhub.db", "kafka2/x"]


def test_snapshot_sees_files_and_folders_and_nothing_for_a_missing_folder(tmp_path: Path) -> None:
    assert snapshot(tmp_path / "absent") == {}
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "b.txt").write_text("xyz", encoding="utf-8")
    taken = snapshot(tmp_path)
    assert taken["a"][0] == -1
    assert taken["a/b.txt"][0] == 3
    (tmp_path / "a" / "b.txt").write_text("xyzw", encoding="utf-8")
    assert changes(taken, snapshot(tmp_path)).rewritten == ["a/b.txt"]


def test_a_stale_pid_file_is_no_running_server(tmp_path: Path) -> None:
    broker = tmp_path / "kafka" / "broker"
    broker.mkdir(parents=True)
    (broker / "broker.pid").write_text("999999999\n", encoding="utf-8")
    assert servers_running_in(tmp_path) == {}
    (broker / "broker.pid").write_text(f"{os.getpid()}\n", encoding="utf-8")
    assert servers_running_in(tmp_path) == {"kafka/broker": os.getpid()}


def test_only_topics_the_run_made_with_suite_names_are_deleted() -> None:
    before = {"fy.hub.journal", "fy.unit.tax.411121.in", "orders"}
    after = before | {
        "test.0123456789ab",
        "fy.unit.tax.712345.in",
        "fy.unit.town.712345100.out",
        "fy.hub.dlq",
        "someone.elses.topic",
    }
    assert suite_topics_to_delete(before, after) == [
        "fy.hub.dlq",
        "fy.unit.tax.712345.in",
        "fy.unit.town.712345100.out",
        "test.0123456789ab",
    ]


def test_records_appended_to_topics_that_were_there_are_reported() -> None:
    assert appended_records({"fy.hub.journal": 10, "fy.hub.dlq": 3}, {"fy.hub.journal": 25}) == {
        "fy.hub.journal": 15
    }


def test_folders_of_dead_runs_are_reaped_and_live_ones_kept(tmp_path: Path) -> None:
    dead = tmp_path / "999999999-deadbeef"
    (dead / "broker").mkdir(parents=True)
    (dead / "broker" / "broker.pid").write_text("999999998\n", encoding="utf-8")
    live = tmp_path / f"{os.getpid()}-cafef00d"
    live.mkdir()
    assert owner_pid(live) == os.getpid()
    assert reap_abandoned(tmp_path) == [dead]
    assert not dead.exists()
    assert live.exists()
