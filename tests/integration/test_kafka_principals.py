"""Principals given to the broker's manager: formatted in on the first start, and created on the
running broker when they are added to a home formatted before."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from hub import bootstrap
from hub.devkit import demo
from hub.kafka import scram_admin
from tests.fixtures import own_kafka
from tests.fixtures.ports import free_port_block

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


async def test_a_principal_added_after_the_format_is_created_at_the_next_start(
    tmp_path: Path,
) -> None:
    port = free_port_block(2)
    settings = bootstrap.load_settings(
        local_kafka={"home": tmp_path / "kafka", "port": port, "controller_port": port + 1}
    )
    first = demo.build_local_kafka(settings, principals=["fy.hub.router"])
    async with own_kafka.running(first, tmp_path / "kafka"):
        router = first.access("fy.hub.router")
        assert await scram_admin.logs_in(router, first.bootstrap)
        await first.down()

        again = demo.build_local_kafka(settings, principals=["fy.hub.router", "fy.unit.tax"])
        await again.up()
        tax = again.access("fy.unit.tax")
        assert await scram_admin.logs_in(tax, again.bootstrap)
        assert await scram_admin.logs_in(again.access("fy.hub.router"), again.bootstrap)
        assert router.password == again.access("fy.hub.router").password  # kept, not redrawn
