"""The console served by uvicorn inside the hub's own event loop, as a `hub.cli.serve.Service`
(`hub.asgi.AsgiService`: the socket bound in `start`, so a port already in use fails there, and
port 0 picks a free one; see `url`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.asgi import AsgiService

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine
    from starlette.types import ASGIApp

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8470


class ConsoleServer:
    """Serves `app` on host:port from `start` to `stop`; disposes of `engine` on stop if given
    (the engine the app reads, when the server owns it)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        engine: AsyncEngine | None = None,
    ) -> None:
        self._served = AsgiService(app, host=host, port=port, name="console server")
        self._engine = engine

    @property
    def url(self) -> str:
        """The console's address; the bound port once started (port 0 → the one chosen)."""
        return self._served.url

    async def start(self) -> None:
        await self._served.start()

    async def stop(self) -> None:
        await self._served.stop()
        if self._engine is not None:
            await self._engine.dispose()
