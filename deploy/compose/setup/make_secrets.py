# ruff: noqa: INP001 - a script the setup service runs by its path, not a module of a package
"""Make every secret and certificate of the compose deployment, once, into one folder.

    docker compose -f deploy/compose/compose.yaml --profile setup run --rm setup

runs this in the fyhub image (as root, so that it can give each file to the user of the
container that reads it) with `deploy/compose/secrets/` mounted at /secrets; compose's
`secrets:` then hand the files to the services. Nothing secret is shipped in the repository:
every password, key and certificate is drawn here, on the operator's machine. A file that
already exists is kept (the brokers' metadata log and the units know the old ones), so running
it again only adds what is missing; delete a file to draw it anew, and follow
docs/operations.md for what else a rotation needs.

What it writes (owner: the uid of the image that reads it; mode 0600 unless said):

- `ca/ca.key`: the CA's private key, mounted nowhere (keep it offline after the set-up);
- `kafka/ca.crt` (0644): the CA certificate, trusted by every broker and every client;
- `kafka/node-<id>.pem`: a broker's key and certificate chain (Kafka's PEM keystore), for
  `kafka-<id>` as its host name and `CN=kafka-node-<id>` as its subject (the brokers map every
  node subject to the principal `kafka-node`, as the local broker does);
- `kafka/kafka-node.password`: the nodes' own SCRAM password (inter-broker logins);
- `kafka/scram.args`: the `--add-scram` arguments the brokers format their metadata log with,
  one a line, as salted SCRAM-SHA-512 credentials: the brokers never see the passwords;
- `kafka/cluster.id` (0644): the cluster id all three brokers are formatted with;
- `hub/<principal>.password`: the SCRAM password of `admin` and each hub service;
- `hub/token.secret`, `hub/hub-1.key` (and `hub/hub-1.pub`, 0644, for the units' connectors),
  `hub/console-session.key`, `hub/db.url` (the store's URL, password included);
- `postgres/password`, `grafana/admin.password`.
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from hub.acl.plan import Service, hub_principals
from hub.devkit.local_kafka import tls
from hub.kafka.scram import credential
from schemas.signing import dump_private_key_raw, dump_public_key, generate_keypair

BROKER_IDS: Final = (1, 2, 3)
NODE_PRINCIPAL: Final = "kafka-node"
SIGNING_KEY_ID: Final = "hub-1"
DATABASE: Final = "fyhub"
# The users the images run as: fyhub's own (Containerfile), apache/kafka's `appuser`, the
# postgres image's `postgres`, grafana's `grafana`.
OWNERS: Final = {"hub": 10001, "kafka": 1000, "postgres": 999, "grafana": 472, "ca": 0}
CA_NAME: Final = "fyhub compose CA"


def principals() -> tuple[str, ...]:
    """Every SCRAM principal the brokers are formatted with: the administrator, the nodes and
    the hub's services (the units' credentials are made later by `fyhub units credentials`)."""
    return tuple(dict.fromkeys((Service.ADMIN.value, NODE_PRINCIPAL, *hub_principals())))


def node_keystore(
    ca: tls.Issued, node_id: int, now: datetime, hosts: tuple[str, ...] = ()
) -> bytes:
    """Key, certificate, CA certificate: TLS server and client of broker `kafka-<node_id>`, and
    of the `hosts` it is also reached by (a VM's host name, docs/install-vms.md); the subject is
    `CN=kafka-node-<id>`, which the brokers map to the principal `kafka-node`."""
    issued = tls.node_certificate(ca, node_id, now, hosts=(f"kafka-{node_id}", *hosts))
    return tls.keystore_pem(issued, ca.certificate)


def cluster_id() -> str:
    # Kafka's own form (URL-safe base64 of 16 random bytes), never starting with '-', which the
    # storage tool would read as an option.
    while True:
        drawn = base64.urlsafe_b64encode(secrets.token_bytes(16)).decode().rstrip("=")
        if not drawn.startswith("-"):
            return drawn


class Folder:
    """The output folder: writes each file once, private from its creation, to its owner."""

    def __init__(self, root: Path, *, chown: bool) -> None:
        self.root = root
        self.chown = chown
        self.made: list[Path] = []

    def path(self, owner: str, name: str) -> Path:
        return self.root / owner / name

    def ensure(self, owner: str, name: str, content: bytes, *, public: bool = False) -> bytes:
        """The file's content, written first when the file does not exist yet."""
        path = self.path(owner, name)
        if path.exists():
            return path.read_bytes()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.write(owner, name, content, public=public)
        self.made.append(path)
        return content

    def write(self, owner: str, name: str, content: bytes, *, public: bool = False) -> None:
        path = self.path(owner, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{name}.tmp")
        temporary.unlink(missing_ok=True)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
        if public:
            temporary.chmod(0o644)
        if self.chown:
            os.chown(temporary, OWNERS[owner], OWNERS[owner])
        temporary.replace(path)


def make(
    root: Path,
    now: datetime,
    *,
    chown: bool,
    broker_hosts: dict[int, tuple[str, ...]] | None = None,
    db_host: str = "postgres",
) -> list[Path]:
    """Every missing file under `root`; the files made, in order. `broker_hosts`: more names
    for a broker's certificate; `db_host`: PostgreSQL's host in the store's URL."""
    hosts = broker_hosts or {}
    out = Folder(root, chown=chown)
    root.mkdir(parents=True, exist_ok=True)
    if out.path("ca", "ca.key").exists():
        loaded = serialization.load_pem_private_key(out.path("ca", "ca.key").read_bytes(), None)
        if not isinstance(loaded, ec.EllipticCurvePrivateKey):
            raise SystemExit(f"{out.path('ca', 'ca.key')} is not this script's CA key")
        ca = tls.Issued(
            loaded, x509.load_pem_x509_certificate(out.path("kafka", "ca.crt").read_bytes())
        )
    else:
        ca = tls.new_ca(CA_NAME, now)
        out.ensure("ca", "ca.key", tls.key_pem(ca.key))
    out.ensure("kafka", "ca.crt", tls.certificate_pem(ca.certificate), public=True)
    for node_id in BROKER_IDS:
        if not out.path("kafka", f"node-{node_id}.pem").exists():
            keystore = node_keystore(ca, node_id, now, hosts.get(node_id, ()))
            out.ensure("kafka", f"node-{node_id}.pem", keystore)
    out.ensure("kafka", "cluster.id", (cluster_id() + "\n").encode(), public=True)

    passwords: dict[str, str] = {}
    for principal in principals():
        owner = "kafka" if principal == NODE_PRINCIPAL else "hub"
        drawn = (secrets.token_urlsafe(32) + "\n").encode()
        passwords[principal] = out.ensure(owner, f"{principal}.password", drawn).decode().strip()
    # Salted credentials only: what the brokers' metadata log keeps anyway. Rewritten on every
    # run from the passwords (a new salt changes nothing for a log formatted already).
    scram = "".join(
        credential(principal, password).storage_argument() + "\n"
        for principal, password in passwords.items()
    )
    out.write("kafka", "scram.args", scram.encode())

    out.ensure("hub", "token.secret", (secrets.token_urlsafe(48) + "\n").encode())
    if not out.path("hub", f"{SIGNING_KEY_ID}.key").exists():
        private, public = generate_keypair()
        out.ensure("hub", f"{SIGNING_KEY_ID}.key", (dump_private_key_raw(private) + "\n").encode())
        out.write(
            "hub", f"{SIGNING_KEY_ID}.pub", (dump_public_key(public) + "\n").encode(), public=True
        )
    out.ensure("hub", "console-session.key", (secrets.token_urlsafe(48) + "\n").encode())
    db_password = out.ensure("postgres", "password", (secrets.token_urlsafe(32) + "\n").encode())
    url = f"postgresql+asyncpg://fyhub:{db_password.decode().strip()}@{db_host}:5432/{DATABASE}\n"
    out.ensure("hub", "db.url", url.encode())
    out.ensure("grafana", "admin.password", (secrets.token_urlsafe(24) + "\n").encode())
    if chown:
        for owner in OWNERS:
            folder = root / owner
            folder.chmod(0o755 if owner != "ca" else 0o700)
    return out.made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the folder compose's secrets are read from")
    parser.add_argument(
        "--no-chown",
        action="store_true",
        help="leave every file to the user running this (the containers then cannot read them)",
    )
    parser.add_argument(
        "--broker-host",
        action="append",
        default=[],
        metavar="ID=HOST",
        help="another name of broker ID for its certificate (repeatable): 1=fyhub-1.county.lan",
    )
    parser.add_argument(
        "--db-host", default="postgres", help="PostgreSQL's host in hub/db.url [postgres]"
    )
    arguments = parser.parse_args(argv)
    broker_hosts: dict[int, tuple[str, ...]] = {}
    for given in arguments.broker_host:
        node, _, host = given.partition("=")
        if not node.isdigit() or int(node) not in BROKER_IDS or not host:
            parser.error(f"--broker-host {given}: expected ID=HOST with ID one of 1, 2, 3")
        broker_hosts[int(node)] = (*broker_hosts.get(int(node), ()), host)
    chown = not arguments.no_chown
    if chown and os.geteuid() != 0:
        sys.stderr.write("make_secrets: run as root (the setup service does), or pass --no-chown\n")
        return 2
    made = make(
        arguments.out,
        datetime.now(UTC),
        chown=chown,
        broker_hosts=broker_hosts,
        db_host=arguments.db_host,
    )
    for path in made:
        sys.stdout.write(f"made {path}\n")
    sys.stdout.write(f"{len(made)} file(s) made in {arguments.out}; existing ones kept\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
