#!/opt/fyhub/bin/python
"""The image's HEALTHCHECK: asks the `/healthz` of the fyhub service this container runs.

One image runs every service, each on its own port (`fyhub run X` on FYHUB_OBSERVABILITY__PORT
plus X's offset in `hub.observability.http.SERVICE_PORT_OFFSETS`, the console on
FYHUB_CONSOLE__PORT), so the port is worked out here from the service's command line and the
same settings the service read: it cannot drift from what the service listens on.

Exit 0 when `/healthz` answers 200; 1 when it answers otherwise or not at all; 0 as well for a
container that runs no long-lived service (a one-shot `fyhub topics apply`), which has nothing
to be unhealthy about.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request
from pathlib import Path

from hub.observability.http import SERVICE_PORT_OFFSETS
from hub.settings import Settings

_TIMEOUT_S = 5.0


def health_url(argv: list[str], settings: Settings) -> str | None:
    """The `/healthz` of the service `argv` runs (`fyhub run router`, `fyhub console`), or None
    when it runs none."""
    words = [Path(word).name for word in argv]
    try:
        start = next(i for i, word in enumerate(words) if word in {"fyhub", "fyhub-entrypoint"})
    except StopIteration:
        return None
    command = [word for word in words[start + 1 :] if not word.startswith("-")]
    if command[:1] == ["run"] and len(command) > 1 and command[1] in SERVICE_PORT_OFFSETS:
        port = settings.observability.port + SERVICE_PORT_OFFSETS[command[1]]
    elif command[:1] == ["console"] and "accounts" not in command and settings.console.enabled:
        port = settings.console.port
    else:
        return None
    return f"http://127.0.0.1:{port}/healthz"


def _command_lines() -> list[list[str]]:
    """Every process's command line, PID 1's first (the service, unless an init runs it)."""
    paths = sorted(Path("/proc").glob("[0-9]*/cmdline"), key=lambda p: int(p.parent.name))
    lines = []
    for path in paths:
        try:
            raw = path.read_bytes()
        except OSError:
            continue
        if raw:
            lines.append([part.decode(errors="replace") for part in raw.rstrip(b"\0").split(b"\0")])
    return lines


def _service_argv(lines: list[list[str]]) -> list[str]:
    # The interpreter runs the `fyhub` script: its command line is `python /opt/fyhub/bin/fyhub …`.
    for line in lines:
        for index, word in enumerate(line):
            if Path(word).name == "fyhub":
                return line[index:]
    return []


def main() -> int:
    url = health_url(_service_argv(_command_lines()), Settings())
    if url is None:
        return 0
    try:
        with urllib.request.urlopen(url, timeout=_TIMEOUT_S) as answer:  # noqa: S310 - our own URL
            status = answer.status
    except urllib.error.HTTPError as error:
        sys.stdout.write(f"{url}: {error.code} {error.read()[:500].decode(errors='replace')}\n")
        return 1
    except OSError as error:
        sys.stdout.write(f"{url}: {error}\n")
        return 1
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
