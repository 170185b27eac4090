"""The secured local topology: its listeners, authorizer and super users, and its certificates."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from hub.devkit.local_kafka.commands import BrokerRuntime, format_command
from hub.devkit.local_kafka.layout import (
    NodeSecurity,
    render_properties,
    server_properties,
    single_node,
    three_nodes,
)
from hub.devkit.local_kafka.tls import ensure_tls, new_ca, node_certificate

HOME = Path("/srv/fyhub/kafka")
CLUSTER = three_nodes(HOME, (29091, 29092, 29093), (29191, 29192, 29193))
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
SECURITY = NodeSecurity(Path("/k/tls/node-2.pem"), Path("/k/tls/ca.crt"), "node-secret")


def secured(node_id: int = 2) -> dict[str, str]:
    return server_properties(CLUSTER, CLUSTER.node(node_id), SECURITY)


def test_clients_and_replication_use_sasl_ssl_and_controllers_mutual_tls() -> None:
    properties = secured()
    assert properties["listeners"] == "SASL_SSL://127.0.0.1:29092,CONTROLLER://127.0.0.1:29192"
    assert properties["advertised.listeners"] == "SASL_SSL://127.0.0.1:29092"
    assert properties["listener.security.protocol.map"] == "CONTROLLER:SSL,SASL_SSL:SASL_SSL"
    assert properties["inter.broker.listener.name"] == "SASL_SSL"
    assert properties["sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    assert properties["sasl.mechanism.inter.broker.protocol"] == "SCRAM-SHA-512"
    assert properties["listener.name.controller.ssl.client.auth"] == "required"
    jaas = properties["listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config"]
    assert 'username="kafka-node" password="node-secret";' in jaas


def test_every_listener_is_bound_to_loopback() -> None:
    for node in CLUSTER.nodes:
        listeners = server_properties(CLUSTER, node, SECURITY)["listeners"].split(",")
        assert all("://127.0.0.1:" in listener for listener in listeners)


def test_acls_are_enforced_and_only_the_admin_and_the_nodes_are_super_users() -> None:
    properties = secured()
    assert properties["authorizer.class.name"] == (
        "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
    )
    assert properties["allow.everyone.if.no.acl.found"] == "false"
    assert properties["super.users"] == "User:admin;User:kafka-node"
    assert properties["ssl.principal.mapping.rules"].startswith("RULE:^CN=kafka-node-[0-9]+$/")


def test_the_keystore_is_pem_and_the_ca_is_the_truststore() -> None:
    properties = secured()
    assert properties["ssl.keystore.type"] == properties["ssl.truststore.type"] == "PEM"
    assert properties["ssl.keystore.location"] == "/k/tls/node-2.pem"
    assert properties["ssl.truststore.location"] == "/k/tls/ca.crt"
    assert "ssl.keystore.password" not in properties


def test_plaintext_has_no_authorizer_and_secured_keeps_the_storage_settings() -> None:
    plaintext = server_properties(CLUSTER, CLUSTER.node(2))
    assert "authorizer.class.name" not in plaintext
    assert "sasl.enabled.mechanisms" not in plaintext
    assert {k: v for k, v in secured().items() if k in plaintext and "listener" not in k} == {
        k: v for k, v in plaintext.items() if "listener" not in k
    }


def test_the_node_password_never_shows_in_the_security_repr() -> None:
    assert "node-secret" not in repr(SECURITY)


def test_the_ca_and_password_files_live_in_the_topology_home() -> None:
    broker = single_node(HOME, 19092, 19093)
    assert broker.ca_file == HOME / "broker" / "tls" / "ca.crt"
    assert broker.credentials_folder == HOME / "broker" / "credentials"
    assert CLUSTER.ca_file == HOME / "cluster" / "tls" / "ca.crt"


def test_format_adds_every_scram_credential() -> None:
    runtime = BrokerRuntime(Path("/jars"), Path("/pom.xml"), Path("/log4j2.properties"))
    command = format_command("java", runtime, CLUSTER.node(1), "CID", ["A=[x]", "B=[y]"])
    assert command[-4:] == ["--add-scram", "A=[x]", "--add-scram", "B=[y]"]
    assert "--add-scram" not in format_command("java", runtime, CLUSTER.node(1), "CID")


def test_a_node_certificate_names_loopback_is_signed_by_the_ca_and_serves_both_ends() -> None:
    ca = new_ca("test CA", NOW)
    node = node_certificate(ca, 3, NOW)
    certificate = node.certificate
    certificate.verify_directly_issued_by(ca.certificate)
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.IPAddress) == [ipaddress.IPv4Address("127.0.0.1")]
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    usages = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert set(usages) == {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH}
    assert certificate.subject.rfc4514_string() == "CN=kafka-node-3"
    assert certificate.not_valid_before_utc < NOW < certificate.not_valid_after_utc
    assert ca.certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_ensure_tls_keeps_keys_private_and_what_exists(tmp_path: Path) -> None:
    folder = tmp_path / "tls"
    files = ensure_tls(folder, [1, 2], NOW, ca_name="test CA")
    assert folder.stat().st_mode & 0o777 == 0o700
    for private in (files.ca_key, files.node_keystore(1), files.node_keystore(2)):
        assert private.stat().st_mode & 0o777 == 0o600
    keystore = files.node_keystore(1).read_bytes()
    assert keystore.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert keystore.count(b"BEGIN CERTIFICATE") == 2  # the node's, then the CA's
    ca_before = files.ca_certificate.read_bytes()

    again = ensure_tls(folder, [1, 2, 3], NOW, ca_name="test CA")

    assert again.ca_certificate.read_bytes() == ca_before
    assert again.node_keystore(1).read_bytes() == keystore
    third = x509.load_pem_x509_certificates(again.node_keystore(3).read_bytes())[0]
    third.verify_directly_issued_by(x509.load_pem_x509_certificate(ca_before))


def test_rendered_secured_properties_are_one_line_each() -> None:
    text = render_properties(secured())
    assert all("=" in line for line in text.splitlines()[1:])
