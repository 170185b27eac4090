"""The court connector in a process of its own, so a test can kill it with SIGKILL.

    python -m tests.e2e.court_process --kafka HOST:PORT --region 7xxxxx --db URL --state DIR \
        --hub-key-id ID --hub-key BASE64

Prints ``ready`` once the connector and its export drainer run, then serves until killed. It
connects as the `FYHUB_KAFKA__*` variables say (protocol, principal, CA), as a hub process would.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import replace
from pathlib import Path

from connectors.court.app import CourtApp
from connectors.sdk import Connector
from hub import bootstrap
from hub.store.engine import build_engine
from schemas.signing import load_public_key
from tests.e2e.harness import FAST
from tests.hubkit import sdk_security, unit_key


async def serve(args: argparse.Namespace) -> None:
    unit = f"court.{args.region}"
    court = Connector(
        unit,
        bootstrap=args.kafka,
        signing_key=unit_key(unit),
        key_id="k1",
        hub_keys={args.hub_key_id: load_public_key(args.hub_key)},
        state_dir=Path(args.state),
        options=replace(
            FAST, security=sdk_security(bootstrap.kafka_access(bootstrap.load_settings()))
        ),
    )
    app = CourtApp(court, build_engine(args.db), poll_s=0.2)
    async with court:
        await app.start()
        print("ready", flush=True)
        await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    for name in ("--kafka", "--region", "--db", "--state", "--hub-key-id", "--hub-key"):
        parser.add_argument(name, required=True)
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
