"""The document store served by uvicorn inside the hub's event loop, as a
`hub.cli.serve.Service` (`hub.observability.asgi.AsgiService`), and the store engine it reads
through disposed of when it stops."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.observability.asgi import AsgiService

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.ext.asyncio import AsyncEngine
    from starlette.types import ASGIApp

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8471


class DocumentsServer(AsgiService):
    """Serves the document store's `app`; disposes of `engines` on stop (when it owns them)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        engines: Sequence[AsyncEngine] = (),
    ) -> None:
        closing = tuple(engine.dispose for engine in engines)
        super().__init__(app, host=host, port=port, name="document store", closing=closing)
