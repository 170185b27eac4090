"""The console served by uvicorn inside the hub's own event loop, as a `hub.cli.serve.Service`:
the console's app on `hub.observability.asgi.AsgiService` (which binds in `start`, picks a free
port for port 0 and leaves signals to `hub.cli.serve.serve`), and the store engines it reads and
writes through disposed of when it stops.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.observability.asgi import AsgiService

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.ext.asyncio import AsyncEngine
    from starlette.types import ASGIApp

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8470


class ConsoleServer(AsgiService):
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
        closing = tuple(engine.dispose for engine in engines)
        super().__init__(app, host=host, port=port, name="console server", closing=closing)
