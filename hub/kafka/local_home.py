"""Where a local broker's home keeps what its clients need: the CA and the password files.

The developer's broker manager (`hub.devkit.local_kafka`) writes them; `hub.bootstrap` finds them
for a process that names no brokers of its own (`FYHUB_KAFKA__BOOTSTRAP` unset) and so talks to
the local broker. Both read the names here, so that the product never imports the devkit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from pathlib import Path

BROKER_FOLDER: Final = "broker"
"""The single broker's folder under `local_kafka.home`."""
CLUSTER_FOLDER: Final = "cluster"
"""The three-node cluster's folder under `local_kafka.home`."""
ADMIN_PRINCIPAL: Final = "admin"
"""The local broker's administrator, the principal a process gets unless it names another."""


def ca_file(topology_home: Path) -> Path:
    """The CA certificate that signed every node's certificate."""
    return topology_home / "tls" / "ca.crt"


def credentials_folder(topology_home: Path) -> Path:
    """`<principal>.password` files (`hub.kafka.credentials`), one per SCRAM principal."""
    return topology_home / "credentials"
