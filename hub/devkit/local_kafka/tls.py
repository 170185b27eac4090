"""The local topology's own certificate authority and one TLS certificate per node.

The CA (`tls/ca.crt`, its key `tls/ca.key`) is made once per topology home; clients trust it as
their `ca_file`. Each node gets `tls/node-<id>.pem`: its private key, its certificate and the
CA's, in the one PEM file that Kafka reads as `ssl.keystore.type=PEM` / `ssl.keystore.location`.
A node certificate names 127.0.0.1 and localhost (clients check the host name) and serves both
ends of TLS: the broker's server side, and its client side towards the other controllers, whose
listener requires a client certificate. Every node's subject is `CN=kafka-node-<id>`, which the
brokers map to the one principal `User:kafka-node` (see `layout`).

The certificates are built by pure functions (`now` passed in); `ensure_tls` alone touches the
disk: folder 0700, private keys 0600, existing files kept.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime
    from pathlib import Path

NODE_COMMON_NAME = "kafka-node-{node_id}"
CA_VALIDITY = timedelta(days=3650)
NODE_VALIDITY = timedelta(days=825)
_BACKDATE = timedelta(minutes=5)  # a clock a little behind still accepts a fresh certificate


@dataclass(frozen=True)
class Issued:
    """A private key and its certificate."""

    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate


@dataclass(frozen=True)
class TlsFiles:
    folder: Path

    @property
    def ca_certificate(self) -> Path:
        return self.folder / "ca.crt"

    @property
    def ca_key(self) -> Path:
        return self.folder / "ca.key"

    def node_keystore(self, node_id: int) -> Path:
        return self.folder / f"node-{node_id}.pem"


def new_ca(name: str, now: datetime) -> Issued:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(now + CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Issued(key, certificate)


def node_certificate(
    ca: Issued, node_id: int, now: datetime, *, hosts: Iterable[str] = ()
) -> Issued:
    """A certificate for node `node_id` on 127.0.0.1 / localhost and on `hosts` (the names a
    deployment reaches it by: `kafka-1` in compose, a VM's host name), for TLS server and
    client."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, NODE_COMMON_NAME.format(node_id=node_id))]
    )
    names: list[x509.GeneralName] = [
        x509.DNSName(name) for name in dict.fromkeys((*hosts, "localhost"))
    ]
    names.append(x509.IPAddress(ipaddress.IPv4Address("127.0.0.1")))
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(now + NODE_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False
        )
        .sign(ca.key, hashes.SHA256())
    )
    return Issued(key, certificate)


def key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    """PKCS#8, unencrypted: the form Kafka's PEM keystore reads without `ssl.key.password`."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def certificate_pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def keystore_pem(node: Issued, ca: x509.Certificate) -> bytes:
    """The node's key, then its certificate chain (its own certificate first, then the CA's)."""
    return key_pem(node.key) + certificate_pem(node.certificate) + certificate_pem(ca)


def ensure_tls(folder: Path, node_ids: Iterable[int], now: datetime, ca_name: str) -> TlsFiles:
    """The CA and every node's keystore in `folder`, made where missing; existing ones kept."""
    files = TlsFiles(folder)
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    ca = _load_ca(files) if files.ca_key.exists() else None
    if ca is None:
        ca = new_ca(ca_name, now)
        _write_private(files.ca_key, key_pem(ca.key))
        files.ca_certificate.write_bytes(certificate_pem(ca.certificate))
    for node_id in node_ids:
        keystore = files.node_keystore(node_id)
        if not keystore.exists():
            issued = node_certificate(ca, node_id, now)
            _write_private(keystore, keystore_pem(issued, ca.certificate))
    return files


def _load_ca(files: TlsFiles) -> Issued:
    key = serialization.load_pem_private_key(files.ca_key.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise TypeError(
            f"{files.ca_key} does not hold the elliptic-curve key this CA was made with"
        )
    return Issued(key, x509.load_pem_x509_certificate(files.ca_certificate.read_bytes()))


def _write_private(path: Path, content: bytes) -> None:
    """Created 0600 from the start: the key is never readable by others, not even briefly."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.unlink(missing_ok=True)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
    temporary.replace(path)
