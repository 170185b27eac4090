"""A minimal HTTP/1.1 server for `/metrics` and `/healthz`, on asyncio streams.

One per process, beside its services (`hub.cli.serve.serve` starts and stops it like them). It
answers GET and HEAD, one request per connection, and closes; that is all Prometheus and a
liveness probe need, so the hub carries no web framework for it.

- `/metrics`: the registry in the exposition format the scraper asks for (Prometheus text, or
  OpenMetrics when its Accept header prefers it).
- `/healthz`: 200 `{"status": "ok"}` while every probe passes; 503
  `{"status": "unhealthy", "problems": {"<probe>": "<what is wrong>"}}` otherwise. Details
  (e.g. provisional deadlines) are added as `"details": {"<name>": "<what to know>"}` and never
  make the service unhealthy.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from prometheus_client.exposition import choose_encoder

from hub.observability.health import failing_probes

if TYPE_CHECKING:
    from collections.abc import Mapping

    from prometheus_client import CollectorRegistry

    from hub.observability.health import Probe

log = logging.getLogger(__name__)

SERVICE_PORT_OFFSETS: Final = {"router": 1, "auditor": 2, "tracker": 3}
"""`fyhub run SERVICE` listens on the configured port plus its offset, so that one machine can run
each service once without a clash; `fyhub up` serves all its services on the port itself."""
_REQUEST_TIMEOUT_S: Final = 10.0
_MAX_HEADER_LINES: Final = 100
_JSON: Final = "application/json"
_TEXT: Final = "text/plain; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    reason: str
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = field(default=())


class MetricsServer:
    """Serves one registry and one set of health probes on `host:port` (port 0: any free one)."""

    def __init__(
        self,
        registry: CollectorRegistry,
        *,
        probes: Mapping[str, Probe] | None = None,
        details: Mapping[str, Probe] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        probe_timeout_s: float = 2.0,
    ) -> None:
        self._registry = registry
        self._probes = dict(probes or {})
        self._details = dict(details or {})
        self._host = host
        self._port = port
        self._probe_timeout_s = probe_timeout_s
        self._server: asyncio.Server | None = None

    @property
    def port(self) -> int:
        """The port listened on; the chosen one when constructed with port 0."""
        if self._server is None:
            return self._port
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self._host, self._port)
        log.info("metrics and health on http://%s:%d/", self._host, self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def respond(self, method: str, target: str, accept: str = "") -> Response:
        """The answer to one request, whatever carries it."""
        if method not in {"GET", "HEAD"}:
            return _plain(
                405, "Method Not Allowed", "GET or HEAD only\n", (("Allow", "GET, HEAD"),)
            )
        path = target.split("?", 1)[0]
        if path == "/metrics":
            encode, content_type = choose_encoder(accept)
            return Response(200, "OK", content_type, encode(self._registry))
        if path == "/healthz":
            return await self._health()
        return _plain(404, "Not Found", "/metrics or /healthz\n")

    async def _health(self) -> Response:
        problems = await failing_probes(self._probes, timeout_s=self._probe_timeout_s)
        details = await failing_probes(self._details, timeout_s=self._probe_timeout_s)
        extra = {"details": details} if details else {}
        if not problems:
            if not extra:
                return Response(200, "OK", _JSON, b'{"status":"ok"}')
            body = json.dumps({"status": "ok", **extra}, ensure_ascii=False)
            return Response(200, "OK", _JSON, body.encode())
        body = json.dumps(
            {"status": "unhealthy", "problems": problems, **extra}, ensure_ascii=False
        )
        return Response(503, "Service Unavailable", _JSON, body.encode())

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(_REQUEST_TIMEOUT_S):
                method, target, accept = await _read_request(reader)
                response = await self.respond(method, target, accept)
                writer.write(_encoded(response, with_body=method != "HEAD"))
                await writer.drain()
        except (ValueError, TimeoutError, ConnectionError, asyncio.IncompleteReadError):
            writer.write(_encoded(_plain(400, "Bad Request", "bad request\n"), with_body=True))
        except Exception:
            log.exception("metrics server failed on a request")
        finally:
            with contextlib.suppress(ConnectionError):
                writer.close()
                await writer.wait_closed()


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str, str]:
    """The method, target and Accept header of one request; its body, if any, is ignored."""
    method, target, _version = (await reader.readuntil(b"\r\n")).decode("latin-1").split()
    accept = ""
    for _ in range(_MAX_HEADER_LINES):
        line = (await reader.readuntil(b"\r\n")).decode("latin-1").strip()
        if not line:
            return method, target, accept
        name, _, value = line.partition(":")
        if name.strip().lower() == "accept":
            accept = value.strip()
    raise ValueError("too many header lines")


def _plain(
    status: int, reason: str, text: str, headers: tuple[tuple[str, str], ...] = ()
) -> Response:
    return Response(status, reason, _TEXT, text.encode(), headers)


def _encoded(response: Response, *, with_body: bool) -> bytes:
    head = [
        f"HTTP/1.1 {response.status} {response.reason}",
        f"Content-Type: {response.content_type}",
        f"Content-Length: {len(response.body)}",
        "Connection: close",
        *(f"{name}: {value}" for name, value in response.headers),
    ]
    return "\r\n".join([*head, "", ""]).encode("latin-1") + (response.body if with_body else b"")
