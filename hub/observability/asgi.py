"""An ASGI app served by uvicorn inside the hub's own event loop, as a `hub.cli.serve.Service`:
`/metrics` with `/healthz` (`hub.observability.http`) and the console
(`hub.supervision.console.server`).

The listening socket is bound in `start`, so a port already in use fails there with the OS's
error (`OSError`, "address already in use"), and port 0 picks a free one (see `port`). Signals
stay with `hub.cli.serve.serve`: the embedded uvicorn server installs no handlers of its own.
Uvicorn's logging is left to the hub's configuration, and its access log is off: request lines
could carry case numbers, and a scraper's every request is not news.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import TYPE_CHECKING, Final

import uvicorn

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterator, Sequence

    from starlette.types import ASGIApp

_START_TIMEOUT_S: Final = 30.0
_GRACEFUL_STOP_S: Final = 5


class _EmbeddedServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class AsgiService:
    """Serves `app` on host:port from `start` to `stop`; `closing` runs, in order, once the
    server has stopped (disposing of what the app reads through, when the server owns it)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        host: str,
        port: int,
        name: str = "server",
        closing: Sequence[Callable[[], Awaitable[object]]] = (),
    ) -> None:
        self._app = app
        self._closing = tuple(closing)
        self._name = name
        self.host = host
        self._port = port
        self._socket: socket.socket | None = None
        self._bound: int | None = None
        self._server: _EmbeddedServer | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        """The port bound by `start` (port 0 → the one chosen); the configured one before."""
        return self._bound if self._bound is not None else self._port

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def start(self) -> None:
        # An IPv6 address (`::`, `::1`) needs its own family; names and IPv4 addresses use IPv4.
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        self._socket = socket.create_server((self.host, self._port), family=family)
        self._bound = int(self._socket.getsockname()[1])
        config = uvicorn.Config(
            self._app,
            lifespan="off",
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
            self._server = self._task = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        for close in self._closing:
            await close()

    async def _started(self) -> None:
        assert self._server is not None
        assert self._task is not None
        while not self._server.started:
            if self._task.done():
                self._task.result()  # raises what stopped the server
                raise RuntimeError(f"the {self._name} stopped while starting")
            await asyncio.sleep(0.01)
