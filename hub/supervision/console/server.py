"""The console served by uvicorn inside the hub's own event loop, as a `hub.cli.serve.Service`.

The listening socket is bound in `start`, so a port already in use fails there with the OS's
error, and port 0 picks a free one (see `url`). Signals stay with `hub.cli.serve.serve`: the
embedded uvicorn server installs no handlers of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import TYPE_CHECKING

import uvicorn

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from sqlalchemy.ext.asyncio import AsyncEngine
    from starlette.types import ASGIApp

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8470
_START_TIMEOUT_S = 30.0
_GRACEFUL_STOP_S = 5


class _EmbeddedServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class ConsoleServer:
    """Serves `app` on host:port from `start` to `stop`; disposes of `engines` on stop (the
    engines the app reads and writes through, when the server owns them)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        engines: Sequence[AsyncEngine] = (),
    ) -> None:
        self._app = app
        self._host = host
        self._port = port
        self._engines = tuple(engines)
        self._socket: socket.socket | None = None
        self._server: _EmbeddedServer | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        """The console's address; the bound port once started (port 0 → the one chosen)."""
        port = self._socket.getsockname()[1] if self._socket is not None else self._port
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{port}"

    async def start(self) -> None:
        self._socket = socket.create_server((self._host, self._port))
        config = uvicorn.Config(
            self._app,
            lifespan="off",
            # The hub configures logging; request lines could carry case numbers: not logged.
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=_GRACEFUL_STOP_S,
        )
        self._server = _EmbeddedServer(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[self._socket]))
        await asyncio.wait_for(self._started(), _START_TIMEOUT_S)

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task
        if self._socket is not None:
            self._socket.close()
        for engine in self._engines:
            await engine.dispose()

    async def _started(self) -> None:
        assert self._server is not None
        assert self._task is not None
        while not self._server.started:
            if self._task.done():
                self._task.result()  # raises what stopped the server
                raise RuntimeError("the console server stopped while starting")
            await asyncio.sleep(0.01)
