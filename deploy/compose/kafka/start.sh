#!/bin/bash
# A compose broker's command: write its server.properties, format its log directory once (with
# the SCRAM credentials of the administrator, the nodes and the hub's services, written into
# the metadata log before any node starts, never created by a request right after the start,
# which races with the brokers' credential cache), then run the broker in the foreground.
#
# Environment: FYHUB_KAFKA_NODE_ID (1, 2 or 3). Secrets (compose `secrets:`, made by
# setup/make_secrets.py): kafka_ca, kafka_keystore (this node's), kafka_node_password,
# kafka_scram_args, kafka_cluster_id.
set -euo pipefail
node_id="${FYHUB_KAFKA_NODE_ID:?FYHUB_KAFKA_NODE_ID is not set}"
secrets=/run/secrets
data=/var/lib/kafka/data
properties="$data/server.properties"

for name in kafka_ca kafka_keystore kafka_node_password kafka_scram_args kafka_cluster_id; do
    [[ -r "$secrets/$name" ]] || { echo "start.sh: $secrets/$name is missing or unreadable; run the setup service first" >&2; exit 1; }
done
node_password="$(tr -d '\n' < "$secrets/kafka_node_password")"

umask 077   # the properties name the nodes' password
{
    cat /etc/fyhub/kafka/server.properties
    echo "node.id=$node_id"
    echo "advertised.listeners=SASL_SSL://kafka-$node_id:9092"
    echo "ssl.keystore.location=$secrets/kafka_keystore"
    echo "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"kafka-node\" password=\"$node_password\";"
} > "$properties.tmp"
mv "$properties.tmp" "$properties"

scram=()
while IFS= read -r credential; do
    [[ -n "$credential" ]] && scram+=(--add-scram "$credential")
done < "$secrets/kafka_scram_args"

# No --standalone / --initial-controllers: with controller.quorum.voters set Kafka forbids them.
/opt/kafka/bin/kafka-storage.sh format --ignore-formatted \
    --cluster-id "$(tr -d '\n' < "$secrets/kafka_cluster_id")" --config "$properties" "${scram[@]}"
exec /opt/kafka/bin/kafka-server-start.sh "$properties"
