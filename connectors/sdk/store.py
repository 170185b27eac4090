"""The connector's local SQLite state: the durable outbox and the processed-event table.

Two tables in one file (`<state_dir>/connector.sqlite3`), so one transaction can record that an
event was processed together with the replies and the receipt it produced:

- `outbox`: every record the unit publishes, in the order it was added (`seq`), until the relay
  has it acknowledged by Kafka (`sent_at`). Rows are kept after sending, as the unit's own log.
- `processed`: the delivered events (by source and id) whose effects are recorded; a copy
  delivered again is recognised here and not processed twice.

The functions below take a `sqlite3.Connection` and never commit: the caller owns the transaction.
`Outbox.add` exposes that to an application that keeps its own tables in the same file.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, TypeVar

from connectors.sdk.outgoing import OutboxRecord

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from pathlib import Path

STATE_FILE: Final = "connector.sqlite3"
_T = TypeVar("_T")

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS outbox (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id  TEXT NOT NULL UNIQUE,
    subject   TEXT NOT NULL,
    type      TEXT NOT NULL,
    record    BLOB NOT NULL,
    added_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    sent_at   TEXT
);
CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox (subject, seq) WHERE sent_at IS NULL;
CREATE TABLE IF NOT EXISTS processed (
    source        TEXT NOT NULL,
    event_id      TEXT NOT NULL,
    type          TEXT NOT NULL,
    processed_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (source, event_id)
);
"""


@dataclass(frozen=True, slots=True)
class PendingRow:
    """An outbox row not yet acknowledged by Kafka."""

    seq: int
    record: OutboxRecord


def connect(path: Path) -> sqlite3.Connection:
    """A connection to the state file in autocommit mode (transactions are explicit), creating
    the tables on first use. WAL lets an application's own connection work alongside."""
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode = WAL")
    # FULL: a commit survives power loss, because the Kafka offset is committed right after it.
    connection.execute("PRAGMA synchronous = FULL")
    connection.execute("PRAGMA busy_timeout = 10000")
    connection.executescript(_SCHEMA)
    return connection


def add_to_outbox(connection: sqlite3.Connection, records: Iterable[OutboxRecord]) -> None:
    """Queue `records` in order; an event id already in the outbox is left as it was."""
    connection.executemany(
        "INSERT OR IGNORE INTO outbox (event_id, subject, type, record) VALUES (?, ?, ?, ?)",
        [(r.event_id, r.subject, r.type, r.value) for r in records],
    )


def oldest_unsent_per_subject(connection: sqlite3.Connection, limit: int) -> list[PendingRow]:
    """For up to `limit` subjects, the oldest unsent row of each, oldest first."""
    rows = connection.execute(
        """
        SELECT seq, event_id, subject, type, record FROM outbox
        WHERE seq IN (SELECT min(seq) FROM outbox WHERE sent_at IS NULL GROUP BY subject)
        ORDER BY seq LIMIT ?
        """,
        (limit,),
    ).fetchall()
    return [
        PendingRow(seq, OutboxRecord(eid, subject, type_, value))
        for seq, eid, subject, type_, value in rows
    ]


def mark_sent(connection: sqlite3.Connection, seqs: Sequence[int]) -> None:
    connection.executemany(
        "UPDATE outbox SET sent_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE seq = ?",
        [(seq,) for seq in seqs],
    )


def unsent_count(connection: sqlite3.Connection) -> int:
    (count,) = connection.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()
    return int(count)


def was_published(connection: sqlite3.Connection, event_id: str) -> bool:
    """Whether this connector's outbox holds (or held, and sent) the event `event_id`."""
    row = connection.execute("SELECT 1 FROM outbox WHERE event_id = ?", (event_id,)).fetchone()
    return row is not None


def is_processed(connection: sqlite3.Connection, source: str, event_id: str) -> bool:
    row = connection.execute(
        "SELECT 1 FROM processed WHERE source = ? AND event_id = ?", (source, event_id)
    ).fetchone()
    return row is not None


def mark_processed(
    connection: sqlite3.Connection, source: str, event_id: str, event_type: str
) -> None:
    connection.execute(
        "INSERT INTO processed (source, event_id, type) VALUES (?, ?, ?)",
        (source, event_id, event_type),
    )


def in_transaction(connection: sqlite3.Connection, work: Callable[[], _T]) -> _T:
    """Run `work` in one immediate transaction: all of it is durable, or none of it."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        result = work()
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
    return result


class Outbox:
    """The durable outbox of one connector's state file.

    `add` queues records inside a transaction the caller owns, so an application whose own data
    lives in the same SQLite file can write its change and the event announcing it atomically::

        record = connector.compose(payload)
        with sqlite3.connect(connector.outbox.path) as db:  # commits on success
            db.execute("UPDATE listings SET published = 1 WHERE id = ?", (listing_id,))
            connector.outbox.add(record, connection=db)
        connector.outbox.notify()  # optional: the relay also polls
    """

    def __init__(self, path: Path, notify: Callable[[], None]) -> None:
        self.path = path
        self._notify = notify

    def add(self, record: OutboxRecord, *, connection: sqlite3.Connection) -> None:
        """Queue `record` on `connection` (opened on `path`); the caller commits."""
        add_to_outbox(connection, [record])

    def notify(self) -> None:
        """Wake the relay now instead of at its next poll; safe from any thread."""
        self._notify()
