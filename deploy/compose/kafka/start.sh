#!/bin/bash
# A compose broker's command: write its server.properties, format its log directory once (with
# the SCRAM credentials of the administrator, the nodes and the hub's services, written into
# the metadata log before any node starts, never created by a request right after the start,
# which races with the brokers' credential cache), then run the broker in the foreground.
#
# Environment: FYHUB_KAFKA_NODE_ID (1, 2 or 3). Secrets (compose `secrets:`, made by
# setup/make_secrets.py): kafka_ca, kafka_keystore (this node's), kafka_node_password,
# kafka_scram_args, kafka_cluster_id.
#
# The paths default to the container's; the suite runs this script on the machine's own Kafka
# jars with other ones (tests/integration/test_compose_kafka_format.py).
set -euo pipefail
node_id="${FYHUB_KAFKA_NODE_ID:?FYHUB_KAFKA_NODE_ID is not set}"
kafka_home="${FYHUB_KAFKA_HOME:-/opt/kafka}"
secrets="${FYHUB_SECRETS_DIR:-/run/secrets}"
data="${FYHUB_KAFKA_DATA:-/var/lib/kafka/data}"
shared="${FYHUB_KAFKA_SHARED_PROPERTIES:-/etc/fyhub/kafka/server.properties}"
properties="$data/server.properties"

for name in kafka_ca kafka_keystore kafka_node_password kafka_scram_args kafka_cluster_id; do
    [[ -r "$secrets/$name" ]] || { echo "start.sh: $secrets/$name is missing or unreadable; run the setup service first" >&2; exit 1; }
done
node_password="$(tr -d '\n' < "$secrets/kafka_node_password")"

umask 077   # the properties name the nodes' password
{
    cat "$shared"
    echo "node.id=$node_id"
    echo "advertised.listeners=SASL_SSL://kafka-$node_id:9092"
    echo "log.dirs=$data/log"
    echo "ssl.keystore.location=$secrets/kafka_keystore"
    echo "ssl.truststore.location=$secrets/kafka_ca"
    echo "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"kafka-node\" password=\"$node_password\";"
} > "$properties.tmp"
mv "$properties.tmp" "$properties"

scram=()
while IFS= read -r credential; do
    [[ -n "$credential" ]] && scram+=(--add-scram "$credential")
done < "$secrets/kafka_scram_args"

# No --standalone / --initial-controllers: with controller.quorum.voters set Kafka forbids them.
"$kafka_home/bin/kafka-storage.sh" format --ignore-formatted \
    --cluster-id "$(tr -d '\n' < "$secrets/kafka_cluster_id")" --config "$properties" "${scram[@]}"
exec "$kafka_home/bin/kafka-server-start.sh" "$properties"
