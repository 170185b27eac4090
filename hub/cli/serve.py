"""Running long-lived hub services side by side until SIGINT or SIGTERM, then stopping them in
reverse order so that each finishes its batch and commits what it has made durable."""

from __future__ import annotations

import asyncio
import signal
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable


class Service(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


async def serve(
    services: list[Service], *, on_started: str | Callable[[], str] | None = None
) -> None:
    """Starts `services` in order, prints `on_started` (called first when a function: what it
    says may depend on the started services, a port chosen by the OS), and stops them in
    reverse order on SIGINT or SIGTERM."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    started: list[Service] = []
    try:
        for service in services:
            await service.start()
            started.append(service)
        if on_started:
            print(on_started() if callable(on_started) else on_started, flush=True)
        await stopping.wait()
    finally:
        for service in reversed(started):
            await service.stop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
