"""The local SQLite state for async code: every call runs on one dedicated thread.

One thread owns the connection, so calls are serialised without locks and the event loop never
waits on the disk (an fsync per commit, `synchronous = FULL`).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from connectors.sdk import store
from connectors.sdk.errors import NotStarted

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from connectors.sdk.outgoing import OutboxRecord
    from connectors.sdk.store import PendingRow

_T = TypeVar("_T")


class LocalState:
    """The outbox and processed-event tables of one state file (`connectors.sdk.store`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._executor: ThreadPoolExecutor | None = None
        self._connection: sqlite3.Connection | None = None

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="fyhub-connector-state")
        self._connection = await self._run(store.connect, self.path)

    async def close(self) -> None:
        if self._executor is None:
            return
        if self._connection is not None:
            await self._run(self._connection.close)
        self._executor.shutdown(wait=True)
        self._executor = self._connection = None

    async def add(self, records: Sequence[OutboxRecord]) -> None:
        """Queue `records` in one transaction."""
        await self._in_transaction(store.add_to_outbox, records)

    async def unsent(self, limit: int) -> list[PendingRow]:
        return await self._with_connection(store.oldest_unsent_per_subject, limit)

    async def mark_sent(self, seqs: Sequence[int]) -> None:
        await self._in_transaction(store.mark_sent, seqs)

    async def unsent_count(self) -> int:
        return await self._with_connection(store.unsent_count)

    async def was_published(self, event_id: str) -> bool:
        return await self._with_connection(store.was_published, event_id)

    async def is_processed(self, source: str, event_id: str) -> bool:
        return await self._with_connection(store.is_processed, source, event_id)

    async def record_processed(
        self, source: str, event_id: str, event_type: str, records: Sequence[OutboxRecord]
    ) -> None:
        """Mark the event processed and queue what it produced, in one durable transaction."""

        def work(connection: sqlite3.Connection) -> None:
            store.mark_processed(connection, source, event_id, event_type)
            store.add_to_outbox(connection, records)

        await self._in_transaction(work)

    async def _in_transaction(self, work: Callable[..., Any], *args: Any) -> None:
        def run(connection: sqlite3.Connection) -> None:
            store.in_transaction(connection, partial(work, connection, *args))

        await self._with_connection(run)

    async def _with_connection(self, work: Callable[..., _T], *args: Any) -> _T:
        if self._connection is None:
            raise NotStarted("the connector's local state is not open: call start() first")
        return await self._run(work, self._connection, *args)

    async def _run(self, work: Callable[..., _T], *args: Any) -> _T:
        if self._executor is None:
            raise NotStarted("the connector's local state is not open: call start() first")
        return await asyncio.get_running_loop().run_in_executor(self._executor, work, *args)
