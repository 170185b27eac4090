"""`/metrics` and `/healthz`: a small Starlette app, served by uvicorn in the hub's own process
(`MetricsServer`, a `hub.cli.serve.Service` on `hub.observability.asgi.AsgiService`, as the
console is).

- `GET /metrics`: the registry in the exposition format the scraper's Accept header asks for,
  as prometheus_client negotiates it (`choose_encoder`): the Prometheus text format
  (`generate_latest`) unless OpenMetrics is preferred, as Prometheus itself prefers it.
- `GET /healthz`: 200 `{"status": "ok"}` while every probe passes; 503
  `{"status": "unhealthy", "problems": {"<probe>": "<what is wrong>"}}` otherwise. Details
  (e.g. provisional deadlines) are added as `"details": {"<name>": "<what to know>"}` and never
  make the service unhealthy.

HEAD is answered as GET without the body; other methods get 405, other paths 404.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Final

from prometheus_client.exposition import choose_encoder
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from hub.observability.asgi import AsgiService
from hub.observability.health import failing_probes

if TYPE_CHECKING:
    from collections.abc import Mapping

    from prometheus_client import CollectorRegistry
    from starlette.requests import Request

    from hub.observability.health import Probe

log = logging.getLogger(__name__)

SERVICE_PORT_OFFSETS: Final = {"router": 1, "auditor": 2, "tracker": 3}
"""`fyhub run SERVICE` listens on the configured port plus its offset, so that one machine can run
each service once without a clash; `fyhub up` serves all its services on the port itself."""
_JSON: Final = "application/json"


def metrics_app(
    registry: CollectorRegistry,
    *,
    probes: Mapping[str, Probe] | None = None,
    details: Mapping[str, Probe] | None = None,
    probe_timeout_s: float = 2.0,
) -> Starlette:
    """`/metrics` over `registry` and `/healthz` over `probes` (and `details`, never failing).

    The mappings are read at each request, not copied: the composition root builds the server
    before the services that add their probes to them."""
    problems_of: Mapping[str, Probe] = probes if probes is not None else {}
    details_of: Mapping[str, Probe] = details if details is not None else {}

    async def metrics(request: Request) -> Response:
        encode, content_type = choose_encoder(request.headers.get("accept", ""))
        return Response(encode(registry), headers={"Content-Type": content_type})

    async def healthz(_request: Request) -> Response:
        problems = await failing_probes(problems_of, timeout_s=probe_timeout_s)
        noted = await failing_probes(details_of, timeout_s=probe_timeout_s)
        extra = {"details": noted} if noted else {}
        if not problems:
            if not extra:
                return Response(b'{"status":"ok"}', media_type=_JSON)
            return _json(200, {"status": "ok", **extra})
        return _json(503, {"status": "unhealthy", "problems": problems, **extra})

    return Starlette(
        routes=[
            Route("/metrics", metrics, methods=["GET"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


def _json(status: int, body: object) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status_code=status, media_type=_JSON)


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
        app = metrics_app(registry, probes=probes, details=details, probe_timeout_s=probe_timeout_s)
        self._served = AsgiService(app, host=host, port=port, name="metrics server")

    @property
    def port(self) -> int:
        """The port listened on; the chosen one once started when constructed with port 0."""
        return self._served.port

    async def start(self) -> None:
        await self._served.start()
        log.info("metrics and health on %s/", self._served.url)

    async def stop(self) -> None:
        await self._served.stop()
